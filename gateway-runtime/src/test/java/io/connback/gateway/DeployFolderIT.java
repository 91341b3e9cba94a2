package io.connback.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad files dropped into the {@code deploy/} of the assembled gateway, in its own process, while a TCP link runs
 * through the connector bundle of that folder: each gets exactly its line, the link never drops, and the connector
 * bundle stays active; then a good copy of the connector applies.
 */
class DeployFolderIT {

    private static final String TCP_JAR_PREFIX = "connback-tcp-";
    /** A wait longer than DeployFolder's rescan interval and its incomplete time: a repeated line would be there. */
    private static final long QUIET_MILLIS = 6_000;

    @TempDir
    Path home;

    private AssembledGateway gateway;
    private EchoServer echo;

    @BeforeEach
    void startGateway() throws IOException {
        gateway = new AssembledGateway(home);
        echo = new EchoServer();
        Files.writeString(home.resolve("conf/io.connback.tcp-good.cfg"), String.join("\n",
                "host = 127.0.0.1", "port = " + echo.port(), "framing = delimiter:hex:0a",
                "ping.frame = hex:50 49 4E 47 0A", "keepalive = 2", "initialDelay = 200", ""));
        // a terminal for the Gogo console (lb): script, of bsdutils (essential in Debian); DEBUG for the wait on the
        // jar still being written
        gateway.start(Map.of("JAVA_OPTS", "-Dconnback.log.level=DEBUG"),
                "script", "-qfc", home.resolve("bin/gateway").toString(), "/dev/null");
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        echo.close();
    }

    @Test
    void badFilesGetTheirLineTheLinkNeverDropsAndAGoodCopyThenApplies() throws Exception {
        int connected = gateway.awaitLine("the link connected", 0, line -> line.contains("link good CONNECTED via "));
        Path deploy = home.resolve("deploy");
        Path tcpJar = tcpJar(deploy);
        byte[] goodTcp = Files.readAllBytes(tcpJar);
        Path goodCopy = Files.copy(tcpJar, home.resolve(tcpJar.getFileName()));
        String tcp = "deploy/" + tcpJar.getFileName();

        Files.copy(Path.of("src/test/resources/bad-deploy/notes.txt"), deploy.resolve("notes.txt"));
        byte[] random = new byte[20_000];
        new Random(9).nextBytes(random);
        Files.write(deploy.resolve("x.jar"), random);
        Files.write(deploy.resolve("plain.jar"), jar(Map.of("Main-Class", "com.example.Main")));
        Files.write(tcpJar, Arrays.copyOf(goodTcp, goodTcp.length / 2)); // a copy cut short, over the running one
        byte[] late = jar(Map.of("Bundle-ManifestVersion", "2", "Bundle-SymbolicName", "com.example.late",
                "Bundle-Version", "1.0.0"));
        Path lateJar = deploy.resolve("late.jar");
        Files.write(lateJar, Arrays.copyOf(late, late.length / 2));
        gateway.awaitLine("the wait for the jar still being written", connected, line -> line.contains(
                "DEBUG") && line.contains("deploy/late.jar: waiting for it to be complete"));
        Thread.sleep(500); // the writer pauses, as a slow copy does
        Files.write(lateJar, Arrays.copyOfRange(late, late.length / 2, late.length), StandardOpenOption.APPEND);

        Map<String, String> expected = Map.of(
                "deploy/notes.txt", "WARNING io.connback.folders.deploy: deploy/notes.txt: ignored: not a jar",
                "deploy/x.jar", "WARNING io.connback.folders.deploy: deploy/x.jar: not installed: not a jar: it does "
                        + "not start as a zip file does",
                "deploy/plain.jar", "WARNING io.connback.folders.deploy: deploy/plain.jar: not installed: not a "
                        + "bundle (no Bundle-SymbolicName in its manifest)",
                tcp, "WARNING io.connback.folders.deploy: " + tcp + ": not updated: not a valid jar (truncated?): no "
                        + "end record of a zip file; bundle io.connback.tcp 0.1.0.SNAPSHOT keeps running",
                "deploy/late.jar", "INFO    io.connback.folders.deploy: deploy/late.jar: installed bundle "
                        + "com.example.late 1.0.0");
        for (Map.Entry<String, String> line : expected.entrySet()) {
            gateway.awaitLine("the line of " + line.getKey(), connected, logged -> logged.endsWith(line.getValue()));
        }
        long bytesBefore = echo.bytes();
        Thread.sleep(QUIET_MILLIS);
        List<String> log = gateway.logLines().subList(connected, gateway.logLines().size());
        for (Map.Entry<String, String> line : expected.entrySet()) {
            assertThat(log).as("the lines of %s", line.getKey())
                    .filteredOn(logged -> !logged.contains(" DEBUG ") && logged.contains(line.getKey() + ":"))
                    .singleElement().asString().endsWith(line.getValue());
        }
        assertThat(log).as("the good link never dropped").noneMatch(line -> line.contains("link good DISCONNECTED"));
        assertThat(echo.accepted()).as("connections to the echo server").isEqualTo(1);
        assertThat(echo.bytes()).as("the link's pings still echoed").isGreaterThan(bytesBefore);

        gateway.process().getOutputStream().write("lb -s io.connback.tcp\n".getBytes(StandardCharsets.UTF_8));
        gateway.process().getOutputStream().flush();
        awaitConsole("the TCP connector bundle Active", line -> line.matches(
                ".*\\|Active\\s*\\|.*\\|io\\.connback\\.tcp .*"));

        Path incoming = Files.copy(goodCopy, home.resolve("deploy/.incoming.jar"));
        Files.move(incoming, tcpJar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        int updated = gateway.awaitLine("the good copy applied", connected, line -> line.endsWith(
                "INFO    io.connback.folders.deploy: " + tcp + ": updated bundle io.connback.tcp 0.1.0.SNAPSHOT"));
        gateway.awaitLine("the link back through the updated connector", updated,
                line -> line.contains("link good CONNECTED via "));
        // the link connects once the handshake is done, a moment before the server's accept returns
        Await.until("the echo server's second connection", AssembledGateway.TIMEOUT, () -> echo.accepted() > 1);
        assertThat(echo.accepted()).as("one new connection, through the updated connector").isEqualTo(2);
        assertThat(gateway.logLines()).as("no stack trace in the log")
                .noneMatch(line -> line.matches("\\s+at .*|Caused by: .*"));
    }

    private void awaitConsole(String what, java.util.function.Predicate<String> matcher) throws InterruptedException {
        long deadline = System.nanoTime() + AssembledGateway.TIMEOUT.toNanos();
        while (gateway.consoleLines().stream().noneMatch(matcher)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited for " + what + " on the console:\n"
                        + String.join("\n", gateway.consoleLines()));
            }
            Thread.sleep(50);
        }
    }

    private static Path tcpJar(Path deploy) throws IOException {
        try (Stream<Path> jars = Files.list(deploy)) {
            return jars.filter(jar -> jar.getFileName().toString().startsWith(TCP_JAR_PREFIX)).findFirst()
                    .orElseThrow();
        }
    }

    /** A jar with these manifest headers and a resource that gives it some body to cut. */
    private static byte[] jar(Map<String, String> headers) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach(manifest.getMainAttributes()::putValue);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            jar.putNextEntry(new ZipEntry("notes.txt"));
            jar.write("a resource\n".repeat(500).getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }

    /** A TCP echo server on 127.0.0.1 that counts the connections it accepted and the bytes it echoed. */
    private static final class EchoServer implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger accepted = new AtomicInteger();
        private final AtomicLong bytes = new AtomicLong();

        EchoServer() throws IOException {
            Thread acceptor = new Thread(this::accept, "deploy-it-echo-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        long bytes() {
            return bytes.get();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread echo = new Thread(() -> echo(socket), "deploy-it-echo-" + accepted.incrementAndGet());
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void echo(Socket socket) {
            byte[] buffer = new byte[1024];
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    bytes.addAndGet(n);
                }
            } catch (IOException e) {
                // the link closed its end
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
