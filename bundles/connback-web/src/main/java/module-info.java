/**
 * The gateway's status over HTTP: DS components that export nothing, in OSGi as in JPMS. They read the connection
 * manager's services and answer through the Servlet Whiteboard.
 */
module io.connback.web {
    requires io.connback.osgi;
    requires java.management;
    requires jakarta.servlet;
    requires static osgi.core;
    requires static org.osgi.service.cm;
    requires static org.osgi.service.servlet;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.service.metatype.annotations;
}
