/**
 * The TCP connector. For plain Java (class path or module path) it exports its builder package; in an OSGi framework
 * the bundle exports nothing, so that it can be replaced while links run.
 */
module io.connback.tcp {
    requires transitive io.connback.link;
    requires static io.connback.osgi;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.service.metatype.annotations;

    exports io.connback.tcp;
}
