/** The device link API shared by byte-stream connectors (serial, TCP); the same exports as the bundle. */
module io.connback.link {
    requires static osgi.annotation;
    requires transitive io.connback.core;

    exports io.connback.link;
    exports io.connback.link.mqtt;
}
