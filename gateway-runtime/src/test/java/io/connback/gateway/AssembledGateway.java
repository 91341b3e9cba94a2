package io.connback.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A copy of the assembled gateway ({@code target/connback-gateway}) in a folder of a test, run as an operator runs
 * it, {@code bin/gateway}, in its own process; the test reads what it logs to {@code log/gateway.log}.
 */
final class AssembledGateway implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(25);
    private static final Set<String> RUNTIME_STATE = Set.of("log", "cache");

    private final Path home;
    private Process process;

    /**
     * Copies what the assembly ships; not the state of a gateway that ran in it (a log whose old lines the test
     * would read as its own, the framework's cache).
     *
     * @param home an empty folder
     * @throws IOException if the assembly cannot be copied
     */
    AssembledGateway(Path home) throws IOException {
        this.home = home;
        Path assembly = Path.of(System.getProperty("connback.gateway.assembly"));
        try (Stream<Path> files = Files.walk(assembly)) {
            for (Path file : files.toList()) {
                Path relative = assembly.relativize(file);
                Path target = home.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!RUNTIME_STATE.contains(relative.getName(0).toString())) {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    Path home() {
        return home;
    }

    Process process() {
        return process;
    }

    /**
     * Starts {@code bin/gateway}; its console goes to {@code console.txt}, its standard input is a pipe.
     *
     * @param environment more environment variables (JAVA_HOME is this JVM's)
     * @param command the command line: {@code bin/gateway}'s absolute path and its options, or a command that runs
     *     it
     * @throws IOException if it cannot be started
     */
    void start(Map<String, String> environment, String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("console.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(environment);
        process = builder.start();
    }

    /**
     * Waits for a line of the log at or after an index.
     *
     * @param what what is awaited, for the failure message
     * @param from the index of the first line to look at
     * @param matcher the line awaited
     * @return its index
     * @throws InterruptedException if interrupted while waiting
     */
    int awaitLine(String what, int from, Predicate<String> matcher) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            List<String> log = logLines();
            for (int i = from; i < log.size(); i++) {
                if (matcher.test(log.get(i))) {
                    return i;
                }
            }
            if (System.nanoTime() - deadline > 0 || !process.isAlive()) {
                throw new AssertionError("waited " + TIMEOUT.toSeconds() + " s for " + what + " (gateway alive: "
                        + process.isAlive() + "); the log:\n" + String.join("\n", log));
            }
            Thread.sleep(50);
        }
    }

    /**
     * The lines of {@code log/gateway.log} so far.
     *
     * @return them, none before the gateway made the file
     */
    List<String> logLines() {
        return lines(home.resolve("log/gateway.log"));
    }

    /**
     * The lines of {@code console.txt} so far: the console, a terminal's screen when the gateway runs under
     * {@code script}.
     *
     * @return them
     */
    List<String> consoleLines() {
        return lines(home.resolve("console.txt"));
    }

    static int lastIndexOf(List<String> lines, Predicate<String> matcher) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (matcher.test(lines.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such line");
    }

    /** Kills the gateway and what it started (a JVM under {@code script}), if they still run. */
    @Override
    public void close() {
        if (process != null) {
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            tree.add(process.toHandle());
            tree.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static List<String> lines(Path file) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            // a terminal's screen may hold bytes that are no UTF-8: read leniently
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
