package io.connback.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A server process started by the cold-start run, timed from just before it is started, and stopped as an operator
 * stops it, with SIGTERM. A start script may run the JVM as its child (Karaf's {@code bin/karaf} does), so the CPU
 * time, the memory and the stop cover the process and its descendants.
 */
final class BootedProcess {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    /** Linux's USER_HZ: /proc counts CPU time in hundredths of a second. */
    private static final long TICK_NANOS = 10_000_000;

    private final String name;
    private final long startNanos;
    private final Process process;
    private final TimedOutput output;

    private BootedProcess(String name, long startNanos, Process process) {
        this.name = name;
        this.startNanos = startNanos;
        this.process = process;
        this.output = new TimedOutput(process.getInputStream(), startNanos, "coldstart-output-" + name);
    }

    /**
     * Starts a process with its standard error merged into its standard output; its standard input is a pipe that
     * stays open and empty (not a terminal, so no console starts).
     *
     * @param name names the process in messages
     * @param command the command line
     * @param directory its working directory
     * @return the process, started
     * @throws IOException if it cannot be started
     */
    static BootedProcess start(String name, List<String> command, Path directory) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        // every child runs on the JVM that runs this
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        long startNanos = System.nanoTime();
        return new BootedProcess(name, startNanos, builder.start());
    }

    /**
     * Its output, lines timed from the start.
     *
     * @return the output
     */
    TimedOutput output() {
        return output;
    }

    /**
     * The time since the start.
     *
     * @return nanoseconds
     */
    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /**
     * Whether the process started still runs.
     *
     * @return true while it runs
     */
    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The CPU time used so far by the process and its descendants, user and system.
     *
     * @return nanoseconds
     */
    long cpuNanos() {
        return tree().mapToLong(handle -> handle.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }

    /**
     * The CPU time used so far by the threads of the process and its descendants whose names start with one of
     * these prefixes, user and system, from Linux {@code /proc/<pid>/task/<tid>/stat} (in clock ticks of 10 ms;
     * Linux cuts a thread's name to 15 characters).
     *
     * @param prefixes the beginnings of the threads' names
     * @return nanoseconds
     */
    long threadCpuNanos(List<String> prefixes) {
        return tree().mapToLong(handle -> threadCpuNanos(handle.pid(), prefixes)).sum();
    }

    /**
     * The resident memory of the process and its descendants now, from Linux {@code /proc/<pid>/status}.
     *
     * @return bytes
     */
    long residentBytes() {
        return tree().mapToLong(handle -> residentBytes(handle.pid())).sum();
    }

    /**
     * Sends SIGTERM to the process and its descendants and waits until all have exited.
     *
     * @return how long they took to exit, nanoseconds
     * @throws IllegalStateException if they have not exited after 60 s; they are then killed
     * @throws InterruptedException if interrupted while waiting
     */
    long stop() throws InterruptedException {
        List<ProcessHandle> handles = tree().toList();
        long stopNanos = System.nanoTime();
        handles.forEach(ProcessHandle::destroy);
        try {
            CompletableFuture.allOf(handles.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                    .get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return System.nanoTime() - stopNanos;
        } catch (TimeoutException | ExecutionException e) {
            handles.forEach(ProcessHandle::destroyForcibly);
            throw new IllegalStateException(name + " did not stop within " + STOP_TIMEOUT.toSeconds()
                    + " s of SIGTERM; killed. Last lines: " + output.tail(), e);
        }
    }

    /**
     * Kills the process and its descendants at once, after a failure, and waits a little for them to go, so that
     * their folder can be deleted.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    void kill() throws InterruptedException {
        List<ProcessHandle> handles = tree().toList();
        handles.forEach(ProcessHandle::destroyForcibly);
        try {
            CompletableFuture.allOf(handles.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                    .get(KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException(name + " did not exit within " + KILL_TIMEOUT.toSeconds()
                    + " s of SIGKILL", e);
        }
    }

    private Stream<ProcessHandle> tree() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants()).filter(ProcessHandle::isAlive);
    }

    private static long threadCpuNanos(long pid, List<String> prefixes) {
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    if (prefixes.stream().anyMatch(name::startsWith)) {
                        // after the name in parentheses: field 3 is the state, 14 and 15 utime and stime
                        String stat = Files.readString(task.resolve("stat"));
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    }
                } catch (NoSuchFileException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (NoSuchFileException e) {
            return 0; // exited meanwhile
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the threads of process " + pid + " (the run needs Linux)",
                    e);
        }
        return ticks * TICK_NANOS;
    }

    private static long residentBytes(long pid) {
        try (Stream<String> status = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
            return status.filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim()))
                    .findFirst().orElse(0) * 1024;
        } catch (NoSuchFileException e) {
            return 0; // exited meanwhile
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the memory of process " + pid + " (the run needs Linux)",
                    e);
        }
    }
}
