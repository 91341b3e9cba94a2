package io.connback.mqtt;

import io.connback.testing.LoopbackPorts;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * An embedded Moquette broker on loopback, on ports below the ephemeral range (it stops and starts again while clients
 * reconnect), without telemetry, persistence or websockets.
 */
final class TestBroker implements AutoCloseable {

    final int port = LoopbackPorts.belowEphemeralRange();
    private final Properties properties = new Properties();
    private IAuthenticator authenticator;
    private Server server;

    TestBroker() {
        properties.setProperty("host", "127.0.0.1");
        properties.setProperty("port", Integer.toString(port));
        properties.setProperty("websocket_port", "disabled");
        properties.setProperty("allow_anonymous", "true");
        properties.setProperty("persistence_enabled", "false");
        properties.setProperty("telemetry_enabled", "false");
    }

    /** Accepts only this user name and password. */
    TestBroker credentials(String username, String password) {
        properties.setProperty("allow_anonymous", "false");
        byte[] expected = password.getBytes(StandardCharsets.UTF_8);
        authenticator = (clientId, user, secret) -> username.equals(user) && Arrays.equals(expected, secret);
        return this;
    }

    /** Also listens with TLS on {@link #tlsPort}, with the key and certificate of a PKCS#12 store. */
    int tls(Path keystore, String password) {
        int tlsPort = LoopbackPorts.belowEphemeralRange();
        properties.setProperty("ssl_port", Integer.toString(tlsPort));
        properties.setProperty("jks_path", keystore.toString());
        properties.setProperty("key_store_type", "pkcs12");
        properties.setProperty("key_store_password", password);
        properties.setProperty("key_manager_password", password);
        return tlsPort;
    }

    /** With {@link #tls}: asks clients for a certificate, trusting those of the broker's key store. */
    TestBroker requireClientCertificates() {
        properties.setProperty("need_client_auth", "true");
        return this;
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    synchronized TestBroker start() {
        Server starting = new Server();
        try {
            starting.startServer(new MemoryConfig(properties), List.of(), null, authenticator, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = starting;
        return this;
    }

    synchronized void stop() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
