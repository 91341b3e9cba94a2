package io.connback.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web status of the assembled gateway, in its own process: links configured through {@code conf/} files, one of
 * them {@code required = true} to a TCP device that this test runs and stops; every endpoint read with
 * {@code java.net.http}, and the page in headless Chromium.
 */
class GatewayWebIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(25);
    private static final String TOKEN = "web-it-token-0123456789";
    private static final String XSS = "<img src=x onerror=alert(1)>";

    @TempDir
    Path home;
    @TempDir
    Path profile;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process gateway;
    private Device device;
    private int httpPort;
    private String base;

    @BeforeEach
    void configureAGatewayWithADevice() throws IOException {
        AssembledGateway.copyTo(home);
        device = new Device(freePort());
        httpPort = freePort();
        base = "http://127.0.0.1:" + httpPort + "/connback";
        Files.writeString(home.resolve("conf/io.connback.http.cfg"), "port = " + httpPort + "\ntoken = " + TOKEN
                + "\n");
        Files.writeString(home.resolve("conf/io.connback.tcp-dev.cfg"), "host = 127.0.0.1\nport = " + device.port
                + "\nrequired = true\ninitialDelay = 100ms\nmaxDelay = 300ms\n");
        Files.writeString(home.resolve("conf/io.connback.tcp-bad.cfg"), "host = 127.0.0.1\nport = " + XSS + "\n");
    }

    private void startGateway() throws IOException {
        // from its folder, as an operator runs it: the files are named conf/<file>
        gateway = AssembledGateway.start(home, home, "--no-console");
    }

    @AfterEach
    void stop() throws IOException {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroyForcibly();
        }
        device.stop();
    }

    @Test
    void everyEndpointAnswersAndHealthFollowsTheRequiredLink() throws Exception {
        startGateway();
        await("dev connected in the API", () -> get("/api/links").body(),
                body -> body.contains("{\"name\":\"dev\",\"type\":\"tcp\",\"source\":\"conf/io.connback.tcp-dev.cfg\","
                        + "\"state\":\"CONNECTED\""));
        HttpResponse<String> links = get("/api/links");
        assertThat(links.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(links.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(links.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'none'", "script-src 'self'"));
        assertThat(links.headers().map()).as("no CORS").doesNotContainKey("access-control-allow-origin");
        assertThat(links.body()).as("the refused file, its error escaped")
                .contains("{\"name\":\"bad\",\"type\":\"tcp\",\"source\":\"conf/io.connback.tcp-bad.cfg\","
                        + "\"state\":\"REFUSED\",\"refused\":true")
                .contains("port: invalid value '\\u003cimg src=x onerror=alert(1)\\u003e'");
        assertThat(Files.readString(home.resolve("log/gateway.log"))).as("bound to the loopback address")
                .contains("web status at " + base + "/");

        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(rawGet("/connback/health", "evil.example:" + httpPort)).as("a rebound DNS name")
                .startsWith("HTTP/1.1 403 ").endsWith("{\"error\":\"this gateway's web status answers only at a "
                        + "loopback address, e.g. 127.0.0.1\"}");
        assertThat(rawGet("/connback/health", "localhost:" + httpPort)).startsWith("HTTP/1.1 200 ");
        assertThat(get("/api/links/dev/events").body()).contains("\"state\":\"CONNECTED\"");
        assertNotFound(get("/api/links/nope"), "no link named nope");
        assertNotFound(get("/api/links/nope/events"), "no link named nope");
        assertNotFound(get("/nothing"), "no such resource: /nothing");
        assertThat(get("/api/links//events").statusCode()).isEqualTo(400);
        assertThat(get("/api/links/dev/reconnect").statusCode()).isEqualTo(405);

        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/events")).build(),
                HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> response.body().forEach(events::add));
        awaitEvent(events, line -> line.startsWith("retry: "));

        device.stop();
        HttpResponse<String> down = await("health 503", () -> get("/health"), response -> response.statusCode() == 503);
        assertThat(down.body()).startsWith("{\"status\":\"DOWN\",\"required\":[\"dev\"],\"failing\":[{\"name\":\"dev\"");
        awaitEvent(events, line -> line.startsWith("data: ") && line.contains("\"name\":\"dev\",\"state\":\"RECONNECTING\""));

        device.start();
        await("health 200 again", () -> get("/health"), response -> response.statusCode() == 200);
        awaitEvent(events, line -> line.startsWith("data: ") && line.contains("\"name\":\"dev\",\"state\":\"CONNECTED\""));

        String metrics = get("/metrics").body();
        assertThat(metrics).contains("connback_link_state{link=\"dev\",state=\"CONNECTED\"} 1\n",
                "connback_link_state{link=\"bad\",state=\"REFUSED\"} 1\n",
                "connback_link_outage_seconds_count{link=\"dev\"} 1\n", "connback_link_drops_total{link=\"dev\"} 1\n",
                "jvm_threads_current ");
        if (Files.isExecutable(Path.of("/usr/bin/promtool"))) {
            assertThat(promtool(metrics)).as("promtool check metrics").isEmpty();
        } else {
            System.out.println("/usr/bin/promtool is absent (.ci/install-test-tools installs it): not checked");
        }

        // reconnect: the token, compared; 401 before anything else is told
        assertThat(post("/api/links/dev/reconnect", null, "").statusCode()).isEqualTo(401);
        assertThat(post("/api/links/dev/reconnect", "Bearer wrong-token-0123456789", "").statusCode()).isEqualTo(401);
        assertThat(post("/api/links/nope/reconnect", null, "").statusCode()).isEqualTo(401);
        assertNotFound(post("/api/links/nope/reconnect", "Bearer " + TOKEN, ""), "no link named nope");
        assertThat(post("/api/links/dev/reconnect", "Bearer " + TOKEN, "x".repeat(2000)).statusCode())
                .isEqualTo(413);
        assertThat(get("/api/links").body()).contains("\"connects\":2,");
        assertThat(post("/api/links/dev/reconnect", "Bearer " + TOKEN, "").statusCode()).isEqualTo(202);
        await("the reconnect made a third connection", () -> get("/api/links").body(),
                body -> body.contains("\"connects\":3,"));

        Files.writeString(home.resolve("conf/io.connback.http.cfg"), "port = 0\n");
        await("the bad web configuration refused", () -> Files.readString(home.resolve("log/gateway.log")),
                log -> log.contains(" ERROR ") && log.contains("WebComponent: conf/io.connback.http.cfg: port: invalid "
                        + "value '0': expected a whole number from 1 to 65535 (the web status keeps 127.0.0.1:"
                        + httpPort + ")"));
        assertThat(get("/health").statusCode()).as("still answering where it was").isEqualTo(200);
    }

    @Test
    void withoutTheWebBundleTheGatewayListensOnNoPort() throws Exception {
        try (Stream<Path> jars = Files.list(home.resolve("bundle"))) {
            for (Path jar : jars.filter(jar -> jar.getFileName().toString().startsWith("connback-web-")).toList()) {
                Files.delete(jar);
            }
        }
        startGateway();
        await("dev connected", () -> Files.readString(home.resolve("log/gateway.log")),
                log -> log.contains("link dev CONNECTED via "));
        try (Socket socket = new Socket()) {
            assertThatThrownBy(() -> socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), httpPort),
                    1000)).as("nothing listens on the configured port").isInstanceOf(ConnectException.class);
        }
        assertThat(Files.readString(home.resolve("log/gateway.log"))).doesNotContain("web status");
    }

    @Test
    void thePageShowsTheLinksTheirTimelineAndFollowsTheDeviceLive() throws Exception {
        assumeTrue(Files.isExecutable(HeadlessChromium.CHROMIUM), HeadlessChromium.CHROMIUM
                + " is absent (Debian's chromium; .ci/install-test-tools installs it): the page is not tested");
        startGateway();
        await("dev connected", () -> get("/api/links").body(), body -> body.contains("\"state\":\"CONNECTED\""));
        try (HeadlessChromium chromium = new HeadlessChromium(profile, base + "/", 420, 900)) {
            String row = "document.querySelector('tr[data-link=\"dev\"]')";
            await("the page shows dev connected", () -> chromium.evaluate(row + "?.dataset.state"),
                    "CONNECTED"::equals);
            assertThat(chromium.evaluate("document.getElementById('stream').textContent")).isEqualTo("live");
            assertThat(chromium.evaluate("document.querySelector('#refused li[data-link=\"bad\"]').textContent"))
                    .as("the refused file's error, as text").contains("port: invalid value '" + XSS + "'");
            assertThat(chromium.evaluate("document.querySelectorAll('img').length")).as("no markup from an error")
                    .isEqualTo("0");
            String offlineSpans = "document.querySelectorAll('.timeline[data-link=\"dev\"] .span.offline').length";
            assertThat(chromium.evaluate(offlineSpans)).isEqualTo("0");

            long stopped = System.nanoTime();
            device.stop();
            await("the page shows dev down", () -> chromium.evaluate(row + "?.dataset.state"),
                    state -> !"CONNECTED".equals(state));
            long shownMillis = Duration.ofNanos(System.nanoTime() - stopped).toMillis();
            System.out.printf("device stopped: the page showed the link down after %d ms%n", shownMillis);
            assertThat(shownMillis).as("the page shows the link down within 2 s").isLessThan(2000);
            // the span of the change that just came is drawn once the page's estimate of the gateway's clock is past it
            await("an offline span", () -> chromium.evaluate(offlineSpans), count -> Integer.parseInt(count) > 0);

            device.start();
            await("the page shows dev connected again", () -> chromium.evaluate(row + "?.dataset.state"),
                    "CONNECTED"::equals);
            Path screenshot = Path.of("target", "web-page.png");
            chromium.screenshot(screenshot);
            System.out.println("screenshot of the page: " + screenshot.toAbsolutePath());
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String authorization, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with a Host header of the test's choosing, which java.net.http does not let a request set. */
    private String rawGet(String path, String host) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), httpPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertNotFound(HttpResponse<String> response, String message) {
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).isEqualTo("{\"error\":\"" + message + "\"}");
    }

    private static void awaitEvent(BlockingQueue<String> lines, Predicate<String> matcher)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> seen = new CopyOnWriteArrayList<>();
        while (System.nanoTime() - deadline < 0) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (matcher.test(line)) {
                    return;
                }
            }
        }
        throw new AssertionError("no such line in the event stream within " + TIMEOUT + "; seen: " + seen);
    }

    /** What is read; a read that fails (the gateway not listening yet) is retried. */
    interface Read<T> {
        T read() throws Exception;
    }

    private <T> T await(String what, Read<T> read, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Object last = null;
        while (true) {
            try {
                T value = read.read();
                last = value;
                if (done.test(value)) {
                    return value;
                }
            } catch (IOException notYet) {
                last = notYet;
            }
            if (System.nanoTime() - deadline > 0 || !gateway.isAlive()) {
                throw new AssertionError("waited " + TIMEOUT.toSeconds() + " s for " + what + " (gateway alive: "
                        + gateway.isAlive() + "); last read: " + last + "; the log:\n"
                        + Files.readString(home.resolve("log/gateway.log")));
            }
            Thread.sleep(20);
        }
    }

    private static String promtool(String metrics) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true)
                .start();
        process.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return process.exitValue() == 0 ? output.strip() : "exit " + process.exitValue() + ": " + output;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A TCP device on a loopback port that the test stops (its connections closed) and starts again. */
    private static final class Device {

        final int port;
        private final List<Socket> connections = new CopyOnWriteArrayList<>();
        private volatile ServerSocket server;

        Device(int port) throws IOException {
            this.port = port;
            start();
        }

        synchronized void start() throws IOException {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            server = socket;
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        connections.add(socket.accept());
                    }
                } catch (IOException closed) {
                    // stopped
                }
            }, "web-it-device-" + port);
            acceptor.setDaemon(true);
            acceptor.start();
        }

        synchronized void stop() {
            try {
                if (server != null) {
                    server.close();
                }
                for (Socket connection : connections) {
                    connection.close();
                }
                connections.clear();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
