package io.connback.gateway;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.testing.LoopbackPorts;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * The bad-file corpus of {@code conf/} ({@code src/test/resources/bad-conf}, see its README) dropped into the
 * assembled gateway in its own process, run from its folder, beside a good TCP link with a UTF-8 name: each file gets
 * exactly its lines, and the good link never drops. Then the saves a user makes: a refused or malformed file fixed
 * applies at its next save, a refused change of the running link keeps it running on its previous configuration.
 */
class ConfCorpusIT {

    private static final long TIMEOUT_MILLIS = 25_000;
    private static final String EXPECT = "# expect: ";
    private static final String GOOD = "ünïcödé-good";

    @TempDir
    Path home;

    private Process gateway;
    private DemoDevice device;
    private int port;

    /** One expected line: its level, and its text after {@code conf/<file>: }, {@code *} standing for any text. */
    private record Expected(String level, String text) {

        static Expected of(String line) {
            int space = line.indexOf(' ');
            return new Expected(line.substring(0, space), line.substring(space + 1));
        }

        Predicate<String> in(String file) {
            Pattern pattern = Pattern.compile(" " + Pattern.quote(level) + " .*" + Pattern.quote("conf/" + file + ": ")
                    + Arrays.stream(text.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*")));
            return line -> pattern.matcher(line).find();
        }

        boolean isWarningOrWorse() {
            return level.equals("WARNING") || level.equals("ERROR");
        }
    }

    @BeforeEach
    void startGatewayWithAGoodLink() throws Exception {
        AssembledGateway.copyTo(home);
        port = LoopbackPorts.belowEphemeralRange();
        // an echo device that stays up for the whole test: the good link's pings are answered
        device = new DemoDevice(port, Duration.ofHours(1), Duration.ofSeconds(1));
        Files.writeString(conf("io.connback.tcp-good.cfg"), String.join("\n", "# a UTF-8 link name, read as UTF-8",
                "name = " + GOOD, "host = 127.0.0.1", "port = " + port, "framing = delimiter:hex:0a",
                "ping.frame = hex:50 49 4E 47 0A", "keepalive = 2", ""), StandardCharsets.UTF_8);
        gateway = AssembledGateway.start(home, home, "--no-console");
        awaitLine("the good link connected, its UTF-8 name intact", line -> line.contains("link " + GOOD
                + " CONNECTED via "));
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
        long copied = System.nanoTime();
        Map<String, List<Expected>> expected = dropCorpus();
        // a megabyte in one value: cut in its line, its length noted
        Files.writeString(conf("io.connback.tcp-huge.cfg"), "host = 127.0.0.1\nport = " + "7".repeat(1_048_576)
                + "\n");
        expected.put("io.connback.tcp-huge.cfg", List.of(new Expected("ERROR", "port: invalid value '"
                + "7".repeat(120) + "...' (1048576 characters): expected a whole number from 1 to 65535")));

        for (Map.Entry<String, List<Expected>> file : expected.entrySet()) {
            for (Expected line : file.getValue()) {
                awaitLine(file.getKey() + ": " + line, line.in(file.getKey()));
            }
        }
        System.out.printf("bad-conf corpus of %d files copied into conf/ -> every line in %d ms%n", expected.size(),
                Duration.ofNanos(System.nanoTime() - copied).toMillis());
        awaitLine("the link with a key typo connected", line -> line.contains("link typo CONNECTED via "));

        List<String> log = log();
        List<String> problems = new ArrayList<>();
        expected.forEach((file, lines) -> {
            for (Expected line : lines) {
                long seen = log.stream().filter(line.in(file)).count();
                if (seen != 1) {
                    problems.add(file + ": '" + line + "' logged " + seen + " times");
                }
            }
            long warnings = log.stream().filter(entry -> entry.contains("conf/" + file + ": ")
                    && (entry.contains(" WARNING ") || entry.contains(" ERROR "))).count();
            long expectedWarnings = lines.stream().filter(Expected::isWarningOrWorse).count();
            if (warnings != expectedWarnings) {
                problems.add(file + ": " + warnings + " warnings and errors, " + expectedWarnings + " expected");
            }
        });
        assertThat(problems).as("the lines of the corpus; the log:%n%s", String.join("\n", log)).isEmpty();
        assertThat(log).as("no line forged by a value").noneMatch(line -> line.startsWith("link " + GOOD + " ENDED"));
        assertThat(log).as("every line short: values are cut").allMatch(line -> line.length() < 1_000);
        assertThat(log).as("the good link never dropped")
                .noneMatch(line -> line.contains("link " + GOOD + " DISCONNECTED"))
                .filteredOn(line -> line.contains("link " + GOOD + " CONNECTED")).hasSize(1);
        assertThat(log).as("no stack trace").noneMatch(line -> line.matches("\\s+at .*|Caused by: .*"));
    }

    @Test
    void aRefusedOrMalformedFileFixedAppliesAtItsNextSaveAndARefusedChangeKeepsTheLinkRunning() throws Exception {
        Path fixed = conf("io.connback.tcp-fixed.cfg");
        Files.writeString(fixed, "host = 127.0.0.1\nport = abc\n");
        awaitLine("the bad file refused", new Expected("ERROR", "port: invalid value 'abc'").in(fixed.toFile()
                .getName()));
        long saved = System.nanoTime();
        Files.writeString(fixed, "host = 127.0.0.1\nport = " + port + "\n");
        awaitLine("the fixed file applied", line -> line.contains("link fixed CONNECTED via "));
        System.out.printf("fixed save -> link fixed CONNECTED in %d ms%n",
                Duration.ofNanos(System.nanoTime() - saved).toMillis());

        Path malformed = conf("io.connback.tcp-malformed.cfg");
        Files.writeString(malformed, "host = 127.0.0.1\nport = \\u70\n");
        awaitLine("the malformed file told", new Expected("WARNING", "line 2: cannot be read: malformed").in(
                malformed.toFile().getName()));
        Files.writeString(malformed, "host = 127.0.0.1\nport = " + port + "\n");
        awaitLine("the malformed file fixed", line -> line.contains("link malformed CONNECTED via "));

        Path good = conf("io.connback.tcp-good.cfg");
        String before = Files.readString(good);
        Files.writeString(good, before.replace("keepalive = 2", "keepalive = -1"));
        awaitLine("the bad change refused, the link kept", new Expected("ERROR",
                "keepalive: invalid value '-1': must not be negative (the link keeps its previous configuration)")
                .in("io.connback.tcp-good.cfg"));
        Files.writeString(good, before.replace("keepalive = 2", "keepalive = 3s"));
        awaitLine("the good change applied", line -> line.contains("link " + GOOD
                + " DISCONNECTED: configuration changed"));
        awaitLine("the good link back", line -> line.contains("link " + GOOD + " CONNECTED via ")
                && log().stream().filter(entry -> entry.contains("link " + GOOD + " CONNECTED")).count() == 2);
        assertThat(log()).as("the refused change did not drop the link")
                .filteredOn(line -> line.contains("link " + GOOD + " DISCONNECTED")).hasSize(1);
    }

    /** Copies the corpus into conf/, mode 0644, its placeholders replaced; returns each file's expected lines. */
    private Map<String, List<Expected>> dropCorpus() throws IOException, URISyntaxException {
        Path corpus = Path.of(ConfCorpusIT.class.getResource("/bad-conf").toURI());
        Map<String, List<Expected>> expected = new TreeMap<>();
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.equals("README.md")) {
                    continue;
                }
                // byte for byte: a file of the corpus may not be UTF-8; its expectations are
                String text = Files.readString(file, ISO_8859_1).replace("@PORT@", Integer.toString(port));
                List<Expected> lines = text.lines().filter(line -> line.startsWith(EXPECT))
                        .map(line -> Expected.of(new String(line.substring(EXPECT.length()).getBytes(ISO_8859_1),
                                StandardCharsets.UTF_8))).toList();
                assertThat(lines).as("the expectations of %s", name).isNotEmpty();
                expected.put(name, new ArrayList<>(lines));
                Path target = Files.writeString(conf(name), text, ISO_8859_1);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        return expected;
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
