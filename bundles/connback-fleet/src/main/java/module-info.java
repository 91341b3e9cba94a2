/**
 * The fleet status of the gateway: a DS component that exports nothing, in OSGi as in JPMS. It reads the connection
 * manager's services and publishes through the MQTT link API.
 */
module io.connback.fleet {
    requires io.connback.osgi;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.service.metatype.annotations;
}
