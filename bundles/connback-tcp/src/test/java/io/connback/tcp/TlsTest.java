package io.connback.tcp;

import static io.connback.tcp.Events.await;
import static io.connback.tcp.TestServer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.Connback;
import io.connback.ConnbackOptions;
import io.connback.link.Framing;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS links against a local TLS server whose self-signed certificates keytool makes for the test. */
class TlsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final char[] PASSWORD = "test-only".toCharArray();
    private static final LinkSettings LINES =
            LinkSettings.builder().framing(Framing.delimiter(bytes("\n"))).maxFrameSize(64).build();

    /** Names the loopback address and localhost, as a device certificate should. */
    private static KeyStore device;
    /** Names another host only. */
    private static KeyStore misnamed;

    private final List<Connback<Link>> connbacks = new ArrayList<>();
    private final List<TestServer> servers = new ArrayList<>();

    @BeforeAll
    static void makeCertificates(@TempDir Path folder) throws Exception {
        Process deviceKey = keytool(folder.resolve("device.p12"), "dns:localhost,ip:127.0.0.1");
        Process misnamedKey = keytool(folder.resolve("misnamed.p12"), "dns:device.example");
        device = load(deviceKey, folder.resolve("device.p12"));
        misnamed = load(misnamedKey, folder.resolve("misnamed.p12"));
    }

    private static Process keytool(Path keyStore, String subjectAlternativeNames) throws IOException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        return new ProcessBuilder(keytool, "-genkeypair", "-alias", "device", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=device", "-ext", "SAN=" + subjectAlternativeNames, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", new String(PASSWORD))
                .redirectErrorStream(true).start();
    }

    private static KeyStore load(Process keytool, Path keyStore) throws Exception {
        assertThat(keytool.waitFor(30, TimeUnit.SECONDS)).as("keytool done").isTrue();
        try (InputStream output = keytool.getInputStream()) {
            assertThat(keytool.exitValue()).as("keytool: %s", new String(output.readAllBytes())).isZero();
        }
        return KeyStore.getInstance(keyStore.toFile(), PASSWORD);
    }

    @AfterEach
    void endEverything() throws Exception {
        for (Connback<Link> connback : connbacks) {
            connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        for (TestServer server : servers) {
            server.close();
        }
    }

    private TestServer tlsServer(KeyStore identity) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        TestServer server = new TestServer(context.getServerSocketFactory(), 0, TestServer::echo);
        servers.add(server);
        return server;
    }

    private static SSLContext trusting(KeyStore identity) throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("device", identity.getCertificate("device"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private Events start(TcpConnector.Builder connector) {
        return start(connector, LINES);
    }

    private Events start(TcpConnector.Builder connector, LinkSettings settings) {
        Events events = new Events();
        ConnbackOptions options = ConnbackOptions.builder().initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofMillis(200)).keepalive(Duration.ZERO).connectTimeout(Duration.ofSeconds(5))
                .build();
        connbacks.add(Connback.create(connector.linkSettings(settings).build(), options, events));
        return events;
    }

    private static Throwable firstError(Events events) {
        await(() -> !events.errors.isEmpty(), WAIT, events::toString);
        return events.errors.get(0).value();
    }

    @Test
    void aTrustedCertificateNamingTheAddressLetsFramesThroughBothWaysAndEndsWithCloseNotify() throws Exception {
        TestServer server = tlsServer(device);
        Events events = start(TcpConnector.builder().host("127.0.0.1").port(server.port())
                .sslContext(trusting(device)), LINES.toBuilder().maxQueuedBytes(1024 * 1024).build());

        Link link = events.awaitConnects(1);
        link.send(bytes("secure\n"));
        String burst = "0123456789abcdef".repeat(3) + "\n"; // 49-byte frames, 20000 of them: ~60 TLS records
        link.send(bytes(burst.repeat(20_000))).toCompletableFuture().get(10, TimeUnit.SECONDS);

        await(() -> events.frames.size() >= 20_001, WAIT, () -> events.frames.size() + " frames");
        assertThat(events.frames.get(0)).isEqualTo("secure");
        assertThat(events.frames.subList(1, 20_001)).allMatch(frame -> frame.equals(burst.trim()));
        connbacks.remove(0).end().whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(server.ends.poll(5, TimeUnit.SECONDS)).as("the server read the close_notify").isEqualTo("returned");
    }

    @Test
    void aCertificateNamingTheHostNameIsAccepted() throws Exception {
        TestServer server = tlsServer(device);
        Events events = start(TcpConnector.builder().host("localhost").port(server.port())
                .sslContext(trusting(device)));

        Link link = events.awaitConnects(1);
        link.send(bytes("by name\n"));
        await(() -> events.frames.contains("by name"), WAIT, events::toString);
    }

    @Test
    void anUntrustedCertificateFailsTheHandshakeSayingWhy() throws Exception {
        TestServer server = tlsServer(device);
        Events events = start(TcpConnector.builder().host("127.0.0.1").port(server.port()).tls(true));

        assertThat(firstError(events)).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("127.0.0.1:" + server.port())
                .hasMessageContaining("unable to find valid certification path");
        assertThat(events.connects).isEmpty();
    }

    @Test
    void aCertificateForAnotherHostFailsTheHandshakeUnlessVerificationIsOff() throws Exception {
        TestServer server = tlsServer(misnamed);
        Events verified = start(TcpConnector.builder().host("127.0.0.1").port(server.port())
                .sslContext(trusting(misnamed)));

        assertThat(firstError(verified)).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1");
        assertThat(verified.connects).isEmpty();

        Events unverified = start(TcpConnector.builder().host("127.0.0.1").port(server.port())
                .sslContext(trusting(misnamed)).hostnameVerification(false));
        unverified.awaitConnects(1);
    }

    @Test
    void aServerThatDoesNotSpeakTlsFailsTheHandshake() throws Exception {
        TestServer plain = new TestServer(TestServer::echo); // sends the ClientHello back
        servers.add(plain);
        Events events = start(TcpConnector.builder().host("127.0.0.1").port(plain.port()).tls(true));

        assertThat(firstError(events)).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("TLS handshake with 127.0.0.1:" + plain.port() + " failed");
    }
}
