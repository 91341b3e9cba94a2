/**
 * The device-to-MQTT bridge of the gateway: a DS component that exports nothing, in OSGi as in JPMS. It uses the API
 * bundles only: the connection manager's services and the link APIs.
 */
module io.connback.bridge {
    requires io.connback.osgi;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.service.metatype.annotations;
}
