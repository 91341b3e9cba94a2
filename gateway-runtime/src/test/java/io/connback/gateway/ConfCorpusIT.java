package io.connback.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.testing.LoopbackPorts;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-file corpus ({@code src/test/resources/bad-conf}, see its README) dropped into the {@code conf/} of the
 * assembled gateway in its own process, beside a good TCP link: each file gets exactly its lines, and the good link
 * never drops. Then the saves a user makes: a refused file fixed applies at its next save, a refused change of the
 * running link keeps it running on its previous configuration, a value of a megabyte is cut in its line.
 */
class ConfCorpusIT {

    private static final long TIMEOUT_MILLIS = 25_000;
    private static final String EXPECT = "# expect: ";

    @TempDir
    Path home;

    private Process gateway;
    private DemoDevice device;
    private int port;

    @BeforeEach
    void startGatewayWithAGoodLink() throws Exception {
        AssembledGateway.copyTo(home);
        port = LoopbackPorts.belowEphemeralRange();
        // an echo device that stays up for the whole test: the good link's pings are answered
        device = new DemoDevice(port, Duration.ofHours(1), Duration.ofSeconds(1));
        Files.writeString(conf("io.connback.tcp-good.cfg"), String.join("\n", "host = 127.0.0.1", "port = " + port,
                "framing = delimiter:hex:0a", "ping.frame = hex:50 49 4E 47 0A", "keepalive = 2", ""));
        gateway = AssembledGateway.start(home, "--no-console");
        awaitLine("the good link connected", line -> line.contains("link good CONNECTED via "));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroy();
            if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
        if (device != null) {
            device.close();
        }
    }

    @Test
    void eachBadFileGetsExactlyItsLinesAndTheGoodLinkNeverDrops() throws Exception {
        Map<String, List<String>> expected = new TreeMap<>();
        for (Path file : corpus()) {
            String text = Files.readString(file, StandardCharsets.UTF_8).replace("@PORT@", Integer.toString(port));
            expected.put(file.getFileName().toString(), text.lines().filter(line -> line.startsWith(EXPECT))
                    .map(line -> line.substring(EXPECT.length())).toList());
            Files.writeString(conf(file.getFileName().toString()), text, StandardCharsets.UTF_8);
        }
        // a megabyte in one value: cut in the line, its length noted
        Files.writeString(conf("io.connback.tcp-huge.cfg"), "host = 127.0.0.1\nport = " + "7".repeat(1_048_576)
                + "\n");
        expected.put("io.connback.tcp-huge.cfg", List.of("port: invalid value '" + "7".repeat(120)
                + "...' (1048576 characters): expected a whole number from 1 to 65535"));

        for (Map.Entry<String, List<String>> file : expected.entrySet()) {
            for (String line : file.getValue()) {
                awaitLine(file.getKey() + ": " + line, matches(file.getKey(), line));
            }
        }
        awaitLine("the link with a key typo connected", line -> line.contains("link typo CONNECTED via "));

        List<String> log = log();
        List<String> problems = new ArrayList<>();
        expected.forEach((file, lines) -> {
            for (String line : lines) {
                long seen = log.stream().filter(matches(file, line)).count();
                if (seen != 1) {
                    problems.add(file + ": '" + line + "' logged " + seen + " times");
                }
            }
            long warnings = log.stream().filter(entry -> entry.contains(file)
                    && (entry.contains(" WARNING ") || entry.contains(" ERROR "))).count();
            long expectedWarnings = lines.stream().filter(line -> !line.startsWith("keepalive ")).count();
            if (warnings != expectedWarnings) {
                problems.add(file + ": " + warnings + " warnings and errors, " + expectedWarnings + " expected");
            }
        });
        assertThat(problems).as("the lines of the corpus; the log:%n%s", String.join("\n", log)).isEmpty();
        assertThat(log).as("no line forged by a value").noneMatch(line -> line.startsWith("link good ENDED"));
        assertThat(log).as("lines no longer than a cut value and a message")
                .allMatch(line -> line.length() < 1_000);
        assertThat(log).as("the good link never dropped").noneMatch(line -> line.contains("link good DISCONNECTED"))
                .filteredOn(line -> line.contains("link good CONNECTED")).hasSize(1);
        assertThat(log).as("no stack trace").noneMatch(line -> line.matches("\\s+at .*|Caused by: .*"));
    }

    @Test
    void aRefusedFileFixedAppliesAtItsNextSaveAndARefusedChangeKeepsTheLinkRunning() throws Exception {
        Path fixed = conf("io.connback.tcp-fixed.cfg");
        Files.writeString(fixed, "host = 127.0.0.1\nport = abc\n");
        awaitLine("the bad file refused", matches("io.connback.tcp-fixed.cfg", "port: invalid value 'abc'"));
        Files.writeString(fixed, "host = 127.0.0.1\nport = " + port + "\n");
        awaitLine("the fixed file applied", line -> line.contains("link fixed CONNECTED via "));

        Path good = conf("io.connback.tcp-good.cfg");
        String before = Files.readString(good);
        Files.writeString(good, before.replace("keepalive = 2", "keepalive = -1"));
        awaitLine("the bad change refused, the link kept", matches("io.connback.tcp-good.cfg",
                "keepalive: invalid value '-1': must not be negative (the link keeps its previous configuration)"));
        Files.writeString(good, before.replace("keepalive = 2", "keepalive = 3"));
        awaitLine("the good change applied", line -> line.contains("link good DISCONNECTED: configuration changed"));
        awaitLine("the good link back", line -> line.contains("link good CONNECTED via ")
                && log().stream().filter(entry -> entry.contains("link good CONNECTED")).count() == 2);
        assertThat(log()).as("the refused change did not drop the link")
                .filteredOn(line -> line.contains("link good DISCONNECTED")).hasSize(1);
    }

    private static List<Path> corpus() throws IOException, URISyntaxException {
        Path folder = Path.of(ConfCorpusIT.class.getResource("/bad-conf").toURI());
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".cfg")).sorted().toList();
        }
    }

    /** A line that names the file and holds the expected text, in which {@code *} is any text. */
    private static Predicate<String> matches(String file, String expected) {
        Pattern text = Pattern.compile(Arrays.stream(expected.split("\\*", -1)).map(Pattern::quote)
                .collect(Collectors.joining(".*")));
        return line -> line.contains(file + ": ") && text.matcher(line).find();
    }

    private Path conf(String file) {
        return home.resolve("conf").resolve(file);
    }

    private List<String> log() {
        return AssembledGateway.lines(home.resolve("log/gateway.log"));
    }

    private void awaitLine(String what, Predicate<String> matcher) throws InterruptedException {
        AssembledGateway.awaitLine(home.resolve("log/gateway.log"), gateway, what, 0, TIMEOUT_MILLIS, matcher);
    }
}
