package io.connback.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An emulated serial device of hardware-tests ({@code io.connback.hardware.DeviceProcess}) in a child JVM: the probe
 * runs inside the framework, where neither the devices nor JNA are bundles. The device appears as a symbolic link to a
 * pseudo-terminal in a temporary folder of its own. {@link #close()} closes the child's standard input, on which the
 * device closes and the child exits; a child that does not is killed. A child whose parent dies exits too.
 */
final class DeviceJvm implements AutoCloseable {

    /** A JVM start on a loaded machine, and JNA's first call. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path folder;
    private final Path link;
    private final Writer commands;
    private final BlockingQueue<String> output = new LinkedBlockingQueue<>();

    private DeviceJvm(Process process, Path folder, Path link) {
        this.process = process;
        this.folder = folder;
        this.link = link;
        this.commands = process.outputWriter(StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readOutput, "connback-it-device-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a device process and waits until the device is plugged in.
     *
     * @param program the device program: {@code echo}, {@code modbus} or {@code sensor}
     * @return the running device
     * @throws IOException if the process cannot start or does not report the device ready
     */
    static DeviceJvm start(String program) throws IOException, InterruptedException {
        Path folder = Files.createTempDirectory("connback-it-dev-");
        Path link = folder.resolve("ttyUSB0");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = Gateway.property("connback.devices.jar") + File.pathSeparator + Gateway.property("jna.jar");
        Process process = new ProcessBuilder(java, "-cp", classPath, "io.connback.hardware.DeviceProcess", program,
                link.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        DeviceJvm device = new DeviceJvm(process, folder, link);
        try {
            device.expect("READY " + link, START_TIMEOUT);
        } catch (IOException | InterruptedException | RuntimeException e) {
            device.close();
            throw e;
        }
        return device;
    }

    /**
     * Where the device appears.
     *
     * @return the symbolic link to the device's pty
     */
    Path link() {
        return link;
    }

    /** Pulls the plug: the pty and the link disappear. */
    void unplug() throws IOException, InterruptedException {
        command("unplug", "UNPLUGGED");
    }

    /** Plugs the device in again, on a new pty, under the same link. */
    void replug() throws IOException, InterruptedException {
        command("replug", "REPLUGGED " + link);
    }

    /**
     * Ends the device process, killing it if it does not exit in time (or at once if interrupted), and removes its
     * folder.
     */
    @Override
    public void close() throws IOException {
        try {
            commands.close();
        } catch (IOException alreadyGone) {
            // the process has exited: nothing left to tell it
        }
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // a killed device leaves its link behind
        Files.deleteIfExists(link);
        Files.delete(folder);
    }

    private void command(String command, String answer) throws IOException, InterruptedException {
        commands.write(command + "\n");
        commands.flush();
        expect(answer, ANSWER_TIMEOUT);
    }

    private void expect(String expected, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String line = null;
        // in steps, so that a process that died says so at once
        while (line == null && System.nanoTime() - deadline < 0 && (process.isAlive() || !output.isEmpty())) {
            line = output.poll(100, TimeUnit.MILLISECONDS);
        }
        if (!expected.equals(line)) {
            throw new IOException("the device process said " + (line == null ? "nothing" : "'" + line + "'")
                    + " within " + timeout.toMillis() + " ms instead of '" + expected + "'"
                    + (process.isAlive() ? "" : "; it exited with status " + process.exitValue()));
        }
    }

    private void readOutput() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.add(line);
            }
        } catch (IOException e) {
            // the process is gone; expect() reports the missing answer
        }
    }
}
