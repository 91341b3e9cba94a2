/**
 * The connection manager of an OSGi gateway. The module exports the API package that the bundle exports;
 * {@code io.connback.osgi.internal} stays hidden in both worlds.
 */
// osgi.annotation is an automatic module; its annotations are class-retained, for bnd, never needed at run time
@SuppressWarnings("requires-transitive-automatic")
module io.connback.osgi {
    // transitive: the API's @ProviderType and @ConsumerType are part of its signature for the compiler
    requires static transitive osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static org.osgi.service.metatype.annotations;
    requires transitive io.connback.link;
    requires osgi.core;
    requires static org.apache.felix.gogo.runtime;

    exports io.connback.osgi;
}
