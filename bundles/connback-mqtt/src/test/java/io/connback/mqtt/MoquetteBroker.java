package io.connback.mqtt;

import io.connback.link.mqtt.MqttConnectionRefusedException;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/** An embedded Moquette broker, in the test's JVM, without telemetry, persistence or websockets. */
final class MoquetteBroker extends TestBroker {

    private final Properties properties = new Properties();
    private IAuthenticator authenticator;
    private volatile String readableLevel;
    /** Moquette answers a SUBSCRIBE to a filter that its policy does not let read with SUBACK's failure code. */
    private final IAuthorizatorPolicy readPolicy = new IAuthorizatorPolicy() {
        @Override
        public boolean canWrite(Topic topic, String user, String client) {
            return true;
        }

        @Override
        public boolean canRead(Topic topic, String user, String client) {
            String level = readableLevel;
            return level == null || topic.toString().startsWith(level + "/");
        }
    };
    private Server server;

    MoquetteBroker() {
        properties.setProperty("host", "127.0.0.1");
        properties.setProperty("port", Integer.toString(port));
        properties.setProperty("websocket_port", "disabled");
        properties.setProperty("allow_anonymous", "true");
        properties.setProperty("persistence_enabled", "false");
        properties.setProperty("telemetry_enabled", "false");
    }

    @Override
    MoquetteBroker credentials(String username, String password) {
        properties.setProperty("allow_anonymous", "false");
        byte[] expected = password.getBytes(StandardCharsets.UTF_8);
        authenticator = (clientId, user, secret) -> username.equals(user) && Arrays.equals(expected, secret);
        return this;
    }

    @Override
    MoquetteBroker readableOnlyUnder(String topicLevel) {
        readableLevel = topicLevel;
        return this;
    }

    @Override
    void listenWithTls(TlsIdentity identity, int tlsPort) {
        properties.setProperty("ssl_port", Integer.toString(tlsPort));
        properties.setProperty("jks_path", identity.keystore().toString());
        properties.setProperty("key_store_type", "pkcs12");
        properties.setProperty("key_store_password", identity.password());
        properties.setProperty("key_manager_password", identity.password());
    }

    /** Moquette trusts the certificates of its own key store. */
    @Override
    MoquetteBroker requireClientCertificates() {
        properties.setProperty("need_client_auth", "true");
        return this;
    }

    @Override
    int badCredentialsReturnCode() {
        return MqttConnectionRefusedException.BAD_USER_NAME_OR_PASSWORD;
    }

    @Override
    synchronized MoquetteBroker start() {
        Server starting = new Server();
        try {
            starting.startServer(new MemoryConfig(properties), List.of(), null, authenticator, readPolicy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = starting;
        return this;
    }

    @Override
    synchronized void stop() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
    }

    @Override
    public String toString() {
        return "Moquette on " + uri();
    }
}
