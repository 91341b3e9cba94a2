/**
 * The gateway's watched folders: DS components that export nothing, in OSGi as in JPMS.
 */
module io.connback.folders {
    requires io.connback.core;
    requires static osgi.core;
    requires static org.osgi.service.cm;
    requires static org.osgi.service.component;
    requires static org.osgi.service.component.annotations;
}
