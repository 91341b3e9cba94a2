package io.connback.it;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The assembled gateway in its own process, as an operator runs it ({@code bin/gateway} in a copy of
 * {@code gateway-runtime/target/connback-gateway}), and its {@code conf/} as an operator edits it: a UTF-8 value
 * arrives intact, each file of the bad-file corpus ({@code src/test/resources/bad-conf/}) gets exactly its one line,
 * a file created malformed applies at its fixed save, and a good link runs on through it all.
 *
 * <p>Each corpus file says what it must get in a line {@code # expect: LEVEL text}: the log must hold exactly one
 * line naming the file at WARNING or above (or, for an INFO expectation, exactly one line naming it), with that
 * level and text after {@code conf/<file>: }.
 */
public class GatewayConfIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(25);
    private static final String EXPECT = "# expect: ";
    private static final String GOOD_LINK = "ünïcödé-good";
    /** The time at the start of each line of the gateway log. */
    private static final String LOG_TIME = "yyyy-MM-dd HH:mm:ss.SSS";

    @Rule
    public TemporaryFolder temporary = new TemporaryFolder();

    private Path home;
    private Process gateway;
    private EchoServer echo;

    @Before
    public void copyAssembly() throws IOException {
        home = temporary.getRoot().toPath();
        Path assembly = Path.of(Gateway.property("connback.gateway.assembly"));
        try (Stream<Path> files = Files.walk(assembly)) {
            for (Path file : files.toList()) {
                Path relative = assembly.relativize(file);
                Path target = home.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!List.of("log", "cache").contains(relative.getName(0).toString())) {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        echo = new EchoServer();
    }

    @After
    public void stop() throws Exception {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroy();
            if (!gateway.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
        echo.close();
    }

    @Test
    public void eachBadFileGetsItsOneLineAFixedFileAppliesAndTheGoodLinkRunsOn() throws Exception {
        Files.writeString(home.resolve("conf/io.connback.tcp-good.cfg"), "# a UTF-8 link name, read as UTF-8\n"
                + "name = " + GOOD_LINK + "\nhost = 127.0.0.1\nport = " + echo.port() + "\n", UTF_8);
        startGateway();
        int connected = awaitLine("the good link connected, its UTF-8 name intact", 0,
                line -> line.contains("link " + GOOD_LINK + " CONNECTED via "));

        LocalDateTime copied = LocalDateTime.now();
        Map<String, String> expected = dropCorpus();
        long slowest = 0;
        for (Map.Entry<String, String> file : expected.entrySet()) {
            awaitLine(file.getKey() + "'s line", connected, expectation(file.getKey(), file.getValue()));
            // applied or refused: the first line that names the file
            String first = logLines().stream().filter(line -> line.contains(" conf/" + file.getKey() + ": "))
                    .findFirst().orElseThrow();
            slowest = Math.max(slowest, Duration.between(copied, LocalDateTime.parse(first.substring(0,
                    LOG_TIME.length()), DateTimeFormatter.ofPattern(LOG_TIME))).toMillis());
        }
        System.out.printf("bad-conf corpus of %d files copied into conf/ -> each applied or refused within %d ms%n",
                expected.size(), slowest);
        assertTrue("applied or refused within 5 s (1 s on a quiet machine): " + slowest + " ms", slowest < 5000);

        // created malformed, then fixed: applies at its next save
        Path fixed = home.resolve("conf/io.connback.tcp-fixed.cfg");
        Files.writeString(fixed, "host = 127.0.0.1\nport = \\u70\n");
        awaitLine("the malformed file told", connected, line -> line.contains(" WARNING ")
                && line.endsWith(": conf/io.connback.tcp-fixed.cfg: line 2: cannot be read: malformed \\uXXXX "
                        + "escape '\\u70': \\u takes 4 hexadecimal digits (write \\\\ for a backslash); not applied"));
        long saved = System.nanoTime();
        Files.writeString(fixed, "host = 127.0.0.1\nport = " + echo.port() + "\n");
        awaitLine("the fixed file's link connected", connected, line -> line.contains("link fixed CONNECTED via "));
        System.out.printf("fixed save -> link fixed CONNECTED in %d ms%n",
                Duration.ofNanos(System.nanoTime() - saved).toMillis());

        List<String> log = logLines();
        System.out.println("The lines of conf/:\n" + String.join("\n", log.stream()
                .filter(line -> line.contains(": conf/")).toList()));
        for (Map.Entry<String, String> file : expected.entrySet()) {
            boolean info = file.getValue().startsWith("INFO ");
            List<String> told = log.stream().filter(line -> line.contains(" conf/" + file.getKey() + ": "))
                    .filter(line -> info || isWarningOrWorse(line)).toList();
            assertEquals(file.getKey() + " gets exactly its line", 1, told.size());
        }
        assertEquals("the fixed file's lines at WARNING or above", 1, log.stream()
                .filter(line -> line.contains("conf/io.connback.tcp-fixed.cfg") && isWarningOrWorse(line)).count());
        List<String> goodLink = log.subList(connected + 1, log.size()).stream()
                .filter(line -> line.contains("link " + GOOD_LINK + " ")).toList();
        assertEquals("the good link's state lines after it connected", List.of(), goodLink);
        assertTrue("no stack trace", log.stream().noneMatch(line -> line.matches("\\s+at .*|Caused by: .*")));
    }

    /** Copies the corpus into conf/, mode 0644 (a umask of 022); returns each file's expectation. */
    private Map<String, String> dropCorpus() throws IOException, URISyntaxException {
        Path corpus = Path.of(GatewayConfIT.class.getResource("/bad-conf").toURI());
        Map<String, String> expected = new TreeMap<>();
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                // the expectation is ASCII, in a file that may not be UTF-8
                String expectation = Files.readAllLines(file, ISO_8859_1).stream()
                        .filter(line -> line.startsWith(EXPECT)).findFirst()
                        .orElseThrow(() -> new AssertionError(file + " has no line " + EXPECT + "LEVEL text"));
                expected.put(name, expectation.substring(EXPECT.length()));
                Path target = Files.copy(file, home.resolve("conf").resolve(name));
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        return expected;
    }

    /** A log line {@code ... LEVEL source: conf/<file>: text}. */
    private static Predicate<String> expectation(String file, String expected) {
        int space = expected.indexOf(' ');
        String level = expected.substring(0, space);
        String text = expected.substring(space + 1);
        return line -> line.contains(" " + level + " ") && line.endsWith(": conf/" + file + ": " + text);
    }

    private static boolean isWarningOrWorse(String line) {
        return line.contains(" WARNING ") || line.contains(" ERROR ");
    }

    private void startGateway() throws IOException {
        // run from its folder, as an operator does: the lines name the files relative to it, conf/<file>
        ProcessBuilder command = new ProcessBuilder(home.resolve("bin/gateway").toString(), "--no-console")
                .directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(home.resolve("console.txt").toFile());
        command.environment().put("JAVA_HOME", System.getProperty("java.home"));
        gateway = command.start();
    }

    /** Waits for a line of the log at or after an index, and returns its index. */
    private int awaitLine(String what, int from, Predicate<String> matcher) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            List<String> log = logLines();
            for (int i = from; i < log.size(); i++) {
                if (matcher.test(log.get(i))) {
                    return i;
                }
            }
            if (System.nanoTime() - deadline > 0 || !gateway.isAlive()) {
                throw new AssertionError("waited " + TIMEOUT.toSeconds() + " s for " + what + " (gateway alive: "
                        + gateway.isAlive() + "); the log:\n" + String.join("\n", log));
            }
            Thread.sleep(50);
        }
    }

    private List<String> logLines() {
        Path file = home.resolve("log/gateway.log");
        try {
            return Files.exists(file) ? Files.readAllLines(file, UTF_8) : new ArrayList<>();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
