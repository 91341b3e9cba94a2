package io.connback.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The assembled gateway ({@code target/connback-gateway}) as the process tests use it. */
final class AssembledGateway {

    /** What a gateway that ran in the assembly leaves there; not part of what ships. */
    private static final Set<String> RUNTIME_STATE = Set.of("log", "cache", "demo-conf", GatewayLock.FILE_NAME);

    private AssembledGateway() {}

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
        ProcessBuilder command = new ProcessBuilder(Stream.concat(Stream.of(home.resolve("bin/gateway").toString()),
                Stream.of(args)).toList()).directory(workingFolder.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("console.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        command.environment().put("JAVA_HOME", System.getProperty("java.home"));
        command.environment().remove(GatewayOptions.HOME_VARIABLE);
        return command.start();
    }

    /** The lines of a log file, none if it does not exist yet. */
    static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
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
}
