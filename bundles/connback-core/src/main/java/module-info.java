/**
 * Connback core: the reconnecting connection state machine. The module exports exactly the packages that the bundle
 * exports (API packages with {@code @Export}); {@code io.connback.internal} stays hidden in both worlds.
 */
module io.connback.core {
    requires static osgi.annotation;

    exports io.connback;
    exports io.connback.backoff;
    exports io.connback.config;
    exports io.connback.testing;
}
