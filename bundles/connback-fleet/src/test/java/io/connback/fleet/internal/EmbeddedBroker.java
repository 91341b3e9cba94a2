package io.connback.fleet.internal;

import io.connback.testing.LoopbackPorts;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.util.List;
import java.util.Properties;

/** An embedded Moquette broker on loopback, without telemetry, persistence or websockets (see FIELD-NOTES). */
final class EmbeddedBroker implements AutoCloseable {

    private final int port = LoopbackPorts.belowEphemeralRange();
    private final Server server = new Server();

    EmbeddedBroker() throws IOException {
        Properties properties = new Properties();
        properties.setProperty("host", "127.0.0.1");
        properties.setProperty("port", Integer.toString(port));
        properties.setProperty("websocket_port", "disabled");
        properties.setProperty("allow_anonymous", "true");
        properties.setProperty("persistence_enabled", "false");
        properties.setProperty("telemetry_enabled", "false");
        server.startServer(new MemoryConfig(properties), List.of(), null, null, null);
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.stopServer();
    }
}
