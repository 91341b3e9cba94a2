/**
 * The connection manager of an OSGi gateway. The module exports the API package that the bundle exports;
 * {@code io.connback.osgi.internal} stays hidden in both worlds.
 */
module io.connback.osgi {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.service.metatype.annotations;
    requires transitive io.connback.link;
    requires osgi.core;
    requires static org.apache.felix.gogo.runtime;

    exports io.connback.osgi;
}
