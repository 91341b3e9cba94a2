package io.connback.mqtt;

import static io.connback.mqtt.Recorder.await;
import static io.connback.mqtt.Recorder.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.link.mqtt.MqttLink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Brokers with self-signed certificates for 127.0.0.1, made by keytool for the test: one that serves any client, one
 * that asks for a client certificate (Moquette trusts the certificates of its own key store).
 */
class MqttTlsTest {

    private static final String BROKER_SECRET = "broker-store-secret";
    private static final String TRUST_SECRET = "trust-store-secret";
    private static final String CLIENT_SECRET = "client-store-secret";

    @TempDir
    static Path folder;
    private static Path truststore;
    private static Path clientKeystore;
    private static TestBroker broker;
    private static TestBroker certificateBroker;
    private static int tlsPort;
    private static int certificateTlsPort;
    private final Fixture fixture = new Fixture();

    @BeforeAll
    static void startBrokers() throws Exception {
        Path brokerKeystore = folder.resolve("broker.p12");
        truststore = folder.resolve("trust.p12");
        clientKeystore = folder.resolve("client.p12");
        keypair(brokerKeystore, BROKER_SECRET, "broker", "SAN=IP:127.0.0.1");
        keypair(clientKeystore, CLIENT_SECRET, "client", "SAN=DNS:gateway-17");
        trust(brokerKeystore, BROKER_SECRET, "broker", truststore, TRUST_SECRET);
        trust(clientKeystore, CLIENT_SECRET, "client", brokerKeystore, BROKER_SECRET);
        broker = new TestBroker();
        tlsPort = broker.tls(brokerKeystore, BROKER_SECRET);
        broker.start();
        certificateBroker = new TestBroker();
        certificateTlsPort = certificateBroker.tls(brokerKeystore, BROKER_SECRET);
        certificateBroker.requireClientCertificates().start();
    }

    @AfterAll
    static void stopBrokers() {
        broker.stop();
        certificateBroker.stop();
    }

    private static void keypair(Path keystore, String secret, String alias, String subjectAlternativeName)
            throws Exception {
        keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=connback test " + alias, "-ext", subjectAlternativeName, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", secret);
    }

    /** Copies the certificate of a key pair into another store, as trusted. */
    private static void trust(Path from, String fromSecret, String alias, Path to, String toSecret) throws Exception {
        Path certificate = folder.resolve(alias + ".crt");
        keytool("-exportcert", "-alias", alias, "-keystore", from.toString(), "-storepass", fromSecret,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", alias + "-trusted", "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", to.toString(), "-storepass", toSecret);
    }

    @AfterEach
    void endConnbacks() throws Exception {
        fixture.endAll();
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(Stream.concat(Stream.of(keytool.toString()), Arrays.stream(arguments))
                .toList())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", List.of(arguments), output).isZero();
    }

    private static MqttConnector connector(String host, Map<String, Object> tls) {
        return connector(host, tlsPort, tls);
    }

    private static MqttConnector connector(String host, int port, Map<String, Object> tls) {
        Map<String, Object> properties = new HashMap<>(tls);
        properties.put("serverUri", "ssl://" + host + ":" + port);
        return MqttConnector.fromMap(properties);
    }

    private static Map<String, Object> trusted() {
        return Map.of("tls.truststore", truststore.toString(), "tls.truststorePassword", TRUST_SECRET);
    }

    @Test
    void aBrokerWhoseCertificateIsTrustedIsConnectedOverTls() throws Exception {
        Recorder recorder = new Recorder();
        fixture.start(connector("127.0.0.1", trusted()), recorder);

        MqttLink link = recorder.awaitConnects(1);
        link.subscribe("tls/#", 1, recorder);
        link.publish("tls/t", utf8("over TLS"), 1, false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        recorder.awaitMessages(1);
        assertThat(recorder.texts()).containsExactly("over TLS");
    }

    @Test
    void aBrokerWhoseCertificateIsNotTrustedIsRefusedWithAClearError() {
        Recorder recorder = new Recorder();
        fixture.start(connector("127.0.0.1", Map.of()), recorder); // the JVM's trust knows no such certificate

        await(() -> recorder.errors.size() >= 2, () -> "two refused handshakes, " + recorder);
        assertThat(recorder.connects).isEmpty();
        assertThat(recorder.errors.get(0).value()).isInstanceOf(SSLHandshakeException.class)
                .hasMessageStartingWith("TLS handshake with ssl://127.0.0.1:" + tlsPort + " failed: ")
                .hasMessageContaining("certification path");
    }

    @Test
    void aTrustedCertificateThatDoesNotNameTheHostIsRefusedUnlessHostnameVerificationIsOff() {
        Recorder checked = new Recorder();
        Recorder unchecked = new Recorder();
        fixture.start(connector("localhost", trusted()), checked); // the certificate names 127.0.0.1 only
        Map<String, Object> trustAnyName = new HashMap<>(trusted());
        trustAnyName.put("tls.hostnameVerification", "false");
        fixture.start(connector("localhost", trustAnyName), unchecked);

        unchecked.awaitConnects(1);
        await(() -> !checked.errors.isEmpty(), () -> "a refused host name, " + checked);
        assertThat(checked.connects).isEmpty();
        assertThat(checked.errors.get(0).value()).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("ssl://localhost:" + tlsPort).hasMessageContaining("localhost");
    }

    @Test
    void theClientCertificateComesFromTheConfiguredKeystore() {
        Recorder withCertificate = new Recorder();
        Recorder without = new Recorder();
        Map<String, Object> identified = new HashMap<>(trusted());
        identified.put("tls.keystore", clientKeystore.toString());
        identified.put("tls.keystorePassword", CLIENT_SECRET);
        fixture.start(connector("127.0.0.1", certificateTlsPort, identified), withCertificate);
        fixture.start(connector("127.0.0.1", certificateTlsPort, trusted()), without);

        withCertificate.awaitConnects(1);
        await(() -> !without.errors.isEmpty(), () -> "a client without certificate refused, " + without);
        assertThat(without.connects).isEmpty();
        assertThat(without.errors.get(0).value()).hasMessageContaining("ssl://127.0.0.1:" + certificateTlsPort);
    }
}
