package io.connback.mqtt;

import static io.connback.mqtt.Recorder.await;
import static io.connback.mqtt.Recorder.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.link.mqtt.MqttLink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Brokers of each kind with self-signed certificates for 127.0.0.1, made by keytool for the test: one that serves any
 * client, one that asks for a client certificate.
 */
class MqttTlsTest {

    private static final String BROKER_SECRET = "broker-store-secret";
    private static final String TRUST_SECRET = "trust-store-secret";
    private static final String CLIENT_SECRET = "client-store-secret";

    @TempDir
    static Path folder;
    private static Path truststore;
    private static Path clientKeystore;
    private static TlsIdentity identity;
    private static final SharedBrokers brokers = new SharedBrokers(broker -> {
        broker.tls(identity);
        return broker;
    });
    private static final SharedBrokers certificateBrokers = new SharedBrokers(broker -> {
        broker.tls(identity);
        return broker.requireClientCertificates();
    });
    private final Fixture fixture = new Fixture();

    @BeforeAll
    static void makeCertificates() throws Exception {
        Path brokerKeystore = folder.resolve("broker.p12");
        truststore = folder.resolve("trust.p12");
        clientKeystore = folder.resolve("client.p12");
        keypair(brokerKeystore, BROKER_SECRET, "broker", "SAN=IP:127.0.0.1");
        keypair(clientKeystore, CLIENT_SECRET, "client", "SAN=DNS:gateway-17");
        Path brokerCertificate = trust(brokerKeystore, BROKER_SECRET, "broker", truststore, TRUST_SECRET);
        Path clientCertificate = trust(clientKeystore, CLIENT_SECRET, "client", brokerKeystore, BROKER_SECRET);
        identity = new TlsIdentity(brokerKeystore, BROKER_SECRET, brokerCertificate,
                privateKey(brokerKeystore, BROKER_SECRET, "broker"), clientCertificate);
    }

    @AfterAll
    static void stopBrokers() {
        brokers.close();
        certificateBrokers.close();
    }

    private static void keypair(Path keystore, String secret, String alias, String subjectAlternativeName)
            throws Exception {
        keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=connback test " + alias, "-ext", subjectAlternativeName, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", secret);
    }

    /** Copies the certificate of a key pair into another store, as trusted; returns it as a PEM file. */
    private static Path trust(Path from, String fromSecret, String alias, Path to, String toSecret) throws Exception {
        Path certificate = folder.resolve(alias + ".crt");
        keytool("-exportcert", "-rfc", "-alias", alias, "-keystore", from.toString(), "-storepass", fromSecret,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", alias + "-trusted", "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", to.toString(), "-storepass", toSecret);
        return certificate;
    }

    /** Writes the private key of a key pair to a PKCS#8 PEM file, which keytool cannot do. */
    private static Path privateKey(Path keystore, String secret, String alias) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, secret.toCharArray());
        }
        byte[] pkcs8 = store.getKey(alias, secret.toCharArray()).getEncoded();
        Path pem = folder.resolve(alias + ".key");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n");
        return pem;
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

    private static MqttConnector connector(String host, int port, Map<String, Object> tls) {
        Map<String, Object> properties = new HashMap<>(tls);
        properties.put("serverUri", "ssl://" + host + ":" + port);
        return MqttConnector.fromMap(properties);
    }

    private static Map<String, Object> trusted() {
        return Map.of("tls.truststore", truststore.toString(), "tls.truststorePassword", TRUST_SECRET);
    }

    @BrokerTest
    void aBrokerWhoseCertificateIsTrustedIsConnectedOverTls(BrokerKind kind) throws Exception {
        Recorder recorder = new Recorder();
        fixture.start(connector("127.0.0.1", brokers.get(kind).tlsPort(), trusted()), recorder);

        MqttLink link = recorder.awaitConnects(1);
        link.subscribe("tls/#", 1, recorder);
        link.publish("tls/t", utf8("over TLS"), 1, false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        recorder.awaitMessages(1);
        assertThat(recorder.texts()).containsExactly("over TLS");
    }

    @BrokerTest
    void aBrokerWhoseCertificateIsNotTrustedIsRefusedWithAClearError(BrokerKind kind) {
        Recorder recorder = new Recorder();
        int tlsPort = brokers.get(kind).tlsPort();
        fixture.start(connector("127.0.0.1", tlsPort, Map.of()), recorder); // the JVM's trust knows no such certificate

        await(() -> recorder.errors.size() >= 2, () -> "two refused handshakes, " + recorder);
        assertThat(recorder.connects).isEmpty();
        assertThat(recorder.errors.get(0).value()).isInstanceOf(SSLHandshakeException.class)
                .hasMessageStartingWith("TLS handshake with ssl://127.0.0.1:" + tlsPort + " failed: ")
                .hasMessageContaining("certification path");
    }

    @BrokerTest
    void aTrustedCertificateThatDoesNotNameTheHostIsRefusedUnlessHostnameVerificationIsOff(BrokerKind kind) {
        int tlsPort = brokers.get(kind).tlsPort();
        Recorder checked = new Recorder();
        Recorder unchecked = new Recorder();
        fixture.start(connector("localhost", tlsPort, trusted()), checked); // the certificate names 127.0.0.1 only
        Map<String, Object> trustAnyName = new HashMap<>(trusted());
        trustAnyName.put("tls.hostnameVerification", "false");
        fixture.start(connector("localhost", tlsPort, trustAnyName), unchecked);

        unchecked.awaitConnects(1);
        await(() -> !checked.errors.isEmpty(), () -> "a refused host name, " + checked);
        assertThat(checked.connects).isEmpty();
        assertThat(checked.errors.get(0).value()).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("ssl://localhost:" + tlsPort).hasMessageContaining("localhost");
    }

    @BrokerTest
    void theClientCertificateComesFromTheConfiguredKeystore(BrokerKind kind) {
        int certificateTlsPort = certificateBrokers.get(kind).tlsPort();
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
