/**
 * The gateway's watched folders: DS components that export nothing, in OSGi as in JPMS.
 */
module io.connback.folders {
    requires static osgi.core;
    requires static org.osgi.service.cm;
    requires static org.osgi.service.component.annotations;
}
