package io.connback.benchmarks;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Mosquitto broker in a process of its own on a loopback port, so that the broker's CPU is not the measured JVM's.
 * It keeps nothing across restarts (no persistence), as a broker that crashed. Needs {@code mosquitto} on the
 * {@code PATH} or in {@code /usr/sbin}; {@code .ci/install-test-tools} installs it.
 */
final class MosquittoProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Path executable;
    private final Path configuration;
    private final Path log;
    private final int port;
    private Process process;

    /**
     * Writes the configuration; {@link #start()} starts the broker.
     *
     * @param port the loopback port to listen on
     * @param folder where the configuration and the log go
     * @throws IOException if the configuration cannot be written
     * @throws IllegalStateException if Mosquitto is not installed
     */
    MosquittoProcess(int port, Path folder) throws IOException {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin";
        this.executable = Stream.of(path.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "mosquitto")).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("mosquitto is not installed (neither on the PATH nor in "
                        + "/usr/sbin); .ci/install-test-tools installs it"));
        this.port = port;
        this.configuration = folder.resolve("mosquitto.conf");
        this.log = folder.resolve("mosquitto.log");
        Files.write(configuration, List.of(
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "persistence false",
                // the counting subscriber receives every client's queued messages at once
                "max_queued_messages 100000",
                // started by root, Mosquitto would become the user 'mosquitto', who may not read the folder
                "user " + System.getProperty("user.name"),
                "log_type error",
                "log_type warning"));
    }

    /**
     * Starts the broker and returns once it accepts connections.
     *
     * @throws IOException if it cannot be started
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if it exits or does not listen in time; with its log
     */
    void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(executable.toString(), "-c", configuration.toString()).redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ": "
                        + Files.readString(log));
            }
            try {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    stop();
                    throw new IllegalStateException("mosquitto not listening on " + port + ": "
                            + Files.readString(log));
                }
            }
            Thread.sleep(5);
        }
    }

    /** Kills the broker (SIGKILL, as a crash: the kernel closes its connections) and waits until it is gone. */
    void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
