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
 * The assembled gateway ({@code target/connback-gateway}) as the process tests use it: copied into a folder of a
 * test, run as an operator runs it, {@code bin/gateway}, in its own process, and read through what it logs to
 * {@code log/gateway.log}. The static methods serve tests that run the gateway their own way; an instance is one copy
 * and its process.
 */
final class AssembledGateway implements AutoCloseable {

    /** How long a test waits for a line. */
    static final Duration TIMEOUT = Duration.ofSeconds(25);
    /** What a gateway that ran in the assembly leaves there; not part of what ships. */
    private static final Set<String> RUNTIME_STATE = Set.of("log", "cache", "demo-conf", GatewayLock.FILE_NAME);

    private final Path home;
    private Process process;

    /**
     * Copies the assembly into a folder.
     *
     * @param home an empty folder
     * @throws IOException if the assembly cannot be copied
     */
    AssembledGateway(Path home) throws IOException {
        this.home = home;
        copyTo(home);
    }

    /** The assembly folder, from the build. */
    static Path assembly() {
        return Path.of(System.getProperty("connback.gateway.assembly"));
    }

    /**
     * Copies what the assembly ships; not the state of a gateway that ran in it (a log whose old lines a test would
     * read as its own, the framework's cache).
     *
     * @param home the folder to copy it to
     */
    static void copyTo(Path home) throws IOException {
        Path assembly = assembly();
        try (Stream<Path> files = Files.walk(assembly)) {
            for (Path file : files.toList()) {
                Path relative = assembly.relativize(file);
                if (!relative.toString().isEmpty() && RUNTIME_STATE.contains(relative.getName(0).toString())) {
                    continue;
                }
                Path target = home.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /**
     * Starts {@code bin/gateway} of a copy, its output in {@code console.txt} of the copy's folder.
     *
     * @param home the copy
     * @param args the options
     * @return the process
     */
    static Process start(Path home, String... args) throws IOException {
        return start(home, Path.of("").toAbsolutePath(), args);
    }

    /**
     * Starts {@code bin/gateway} of a copy from a working folder, as an operator does in the gateway's folder: the
     * lines then name its files as {@code conf/<file>}.
     *
     * @param home the copy
     * @param workingFolder the folder it runs in
     * @param args the options
     * @return the process
     */
    static Process start(Path home, Path workingFolder, String... args) throws IOException {
        return start(home, workingFolder, Map.of(), Stream.concat(Stream.of(home.resolve("bin/gateway").toString()),
                Stream.of(args)).toArray(String[]::new));
    }

    private static Process start(Path home, Path workingFolder, Map<String, String> environment, String... command)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingFolder.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("console.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove(GatewayOptions.HOME_VARIABLE);
        builder.environment().putAll(environment);
        return builder.start();
    }

    /**
     * Starts this copy's gateway from its folder; its console goes to {@code console.txt}, its standard input is a
     * pipe.
     *
     * @param environment more environment variables (JAVA_HOME is this JVM's)
     * @param command the command line: {@code bin/gateway}'s absolute path and its options, or a command that runs
     *     it
     * @throws IOException if it cannot be started
     */
    void start(Map<String, String> environment, String... command) throws IOException {
        process = start(home, home, environment, command);
    }

    Path home() {
        return home;
    }

    Process process() {
        return process;
    }

    /**
     * Waits for a line of this copy's log at or after an index.
     *
     * @param what what is awaited, for the failure message
     * @param from the index of the first line to look at
     * @param matcher the line awaited
     * @return its index
     * @throws InterruptedException if interrupted while waiting
     */
    int awaitLine(String what, int from, Predicate<String> matcher) throws InterruptedException {
        return awaitLine(home.resolve("log/gateway.log"), process, what, from, TIMEOUT.toMillis(), matcher);
    }

    /**
     * The lines of this copy's {@code log/gateway.log} so far.
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

    /** Kills the gateway and what it started (a JVM under {@code script}), if they still run. */
    @Override
    public void close() {
        if (process != null) {
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            tree.add(process.toHandle());
            tree.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The lines of a file, none if it does not exist yet; read leniently, as a terminal's screen may not be UTF-8. */
    static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList()
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits for a line of a log at or after an index, and returns its index.
     *
     * @param log the log file
     * @param process the process writing it: the wait ends early if it dies
     * @param what what the line tells, for the failure message
     * @param from the first index to look at
     * @param timeoutMillis how long to wait
     * @param matcher the line looked for
     * @return the index of the first matching line
     */
    static int awaitLine(Path log, Process process, String what, int from, long timeoutMillis,
            Predicate<String> matcher) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            List<String> lines = lines(log);
            for (int i = from; i < lines.size(); i++) {
                if (matcher.test(lines.get(i))) {
                    return i;
                }
            }
            if (System.nanoTime() - deadline > 0 || !process.isAlive()) {
                throw new AssertionError("waited " + timeoutMillis + " ms for " + what + " in " + log
                        + " (process alive: " + process.isAlive() + "); the log:\n" + String.join("\n", lines));
            }
            Thread.sleep(50);
        }
    }

    /** The index of the last line that matches. */
    static int lastIndexOf(List<String> lines, Predicate<String> matcher) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (matcher.test(lines.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such line");
    }
}
