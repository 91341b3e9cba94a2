package io.connback.mqtt;

import io.connback.link.mqtt.MqttConnectionRefusedException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Mosquitto broker in a process of its own, started with a configuration generated into a temporary folder. Stopping
 * it ends the process (SIGTERM); starting it again starts a new one on the same ports. Needs {@code mosquitto} on the
 * {@code PATH} or in {@code /usr/sbin} (Debian's place for it, not on the {@code PATH} of other users than root);
 * {@code .ci/install-test-tools} installs it.
 */
final class MosquittoBroker extends TestBroker {

    private static final Optional<Path> EXECUTABLE = executable("mosquitto");
    /** The dynamic security plugin of Mosquitto 2.x, where Linux distributions install it (Debian's first). */
    private static final Optional<Path> DYNAMIC_SECURITY = Stream.of("/usr/lib/x86_64-linux-gnu",
                    "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib")
            .map(folder -> Path.of(folder, "mosquitto_dynamic_security.so")).filter(Files::isRegularFile).findFirst();
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Processes still running when the JVM exits (a test run that was cut short) are ended by a shutdown hook. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "connback-test-mosquitto-reaper"));
    }

    private final Path folder;
    private Path passwords;
    private String readableLevel;
    private TlsIdentity tls;
    private boolean clientCertificatesRequired;
    private Process process;

    MosquittoBroker() {
        try {
            folder = Files.createTempDirectory("connback-mosquitto-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether Mosquitto is installed; otherwise the tests against it are skipped. */
    static boolean installed() {
        return EXECUTABLE.isPresent();
    }

    @Override
    MosquittoBroker credentials(String username, String password) {
        passwords = folder.resolve("passwords");
        // mosquitto_passwd (same package) hashes the password the way this Mosquitto version reads it
        run(executable("mosquitto_passwd").orElseThrow(() -> new IllegalStateException("no mosquitto_passwd")),
                "-c", "-b", passwords.toString(), username, password);
        return this;
    }

    /**
     * With the dynamic security plugin, for anonymous clients: Mosquitto 2.0 answers a SUBSCRIBE that the plugin denies
     * with SUBACK's failure code. An {@code acl_file} would not do: Mosquitto grants every subscription, and checks
     * its read rules only when it delivers a message, dropping those denied without a word.
     */
    @Override
    MosquittoBroker readableOnlyUnder(String topicLevel) {
        assumeTrue(DYNAMIC_SECURITY.isPresent(), "Mosquitto's dynamic security plugin is not installed: "
                + "the test of refused subscriptions against Mosquitto is skipped");
        readableLevel = topicLevel;
        return this;
    }

    /** The plugin's configuration: anonymous clients may subscribe to {@code topicLevel/#} only. */
    private static String dynamicSecurity(String topicLevel) {
        return """
                {
                  "defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true,
                                       "subscribe": false, "unsubscribe": true},
                  "clients": [],
                  "groups": [{"groupname": "anonymous", "roles": [{"rolename": "reader"}]}],
                  "roles": [{"rolename": "reader",
                             "acls": [{"acltype": "subscribePattern", "topic": "%s/#", "allow": true}]}],
                  "anonymousGroup": "anonymous"
                }
                """.formatted(topicLevel);
    }

    @Override
    void listenWithTls(TlsIdentity identity, int tlsPort) {
        tls = identity;
    }

    @Override
    MosquittoBroker requireClientCertificates() {
        clientCertificatesRequired = true;
        return this;
    }

    /** Mosquitto answers a wrong password of MQTT 3.1.1 with "not authorized". */
    @Override
    int badCredentialsReturnCode() {
        return MqttConnectionRefusedException.NOT_AUTHORIZED;
    }

    @Override
    synchronized MosquittoBroker start() {
        Path configuration = folder.resolve("mosquitto.conf");
        Path log = folder.resolve("mosquitto.log");
        List<String> lines = new ArrayList<>(List.of("persistence false", "log_type error", "log_type warning",
                // started by root, Mosquitto would become the user 'mosquitto', who cannot read this private folder
                "user " + System.getProperty("user.name"),
                "allow_anonymous " + (passwords == null)));
        if (passwords != null) {
            lines.add("password_file " + passwords);
        }
        Path security = folder.resolve("dynamic-security.json");
        if (readableLevel != null) {
            lines.addAll(List.of("plugin " + DYNAMIC_SECURITY.orElseThrow(),
                    "plugin_opt_config_file " + security));
        }
        lines.add("listener " + port + " 127.0.0.1");
        if (tls != null) { // the options after a listener line are that listener's
            lines.addAll(List.of("listener " + tlsPort() + " 127.0.0.1", "certfile " + tls.certificate(),
                    "keyfile " + tls.privateKey(), "cafile " + tls.clientCertificates(),
                    "require_certificate " + clientCertificatesRequired));
        }
        try {
            if (readableLevel != null) {
                Files.writeString(security, dynamicSecurity(readableLevel));
            }
            Files.write(configuration, lines);
            process = new ProcessBuilder(EXECUTABLE.orElseThrow().toString(), "-c", configuration.toString())
                    .redirectErrorStream(true).redirectOutput(Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RUNNING.add(process);
        try {
            awaitListening(port, log);
            if (tlsPort() != 0) {
                awaitListening(tlsPort(), log);
            }
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
        return this;
    }

    /** Connects until the port accepts; a process that exits or a deadline that passes fails, with the log. */
    private void awaitListening(int listening, Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ": " + read(log));
            }
            try {
                new Socket(InetAddress.getLoopbackAddress(), listening).close();
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("mosquitto not listening on " + listening + ": " + read(log));
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while mosquitto started", e);
            }
        }
    }

    @Override
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(process);
        process = null;
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "Mosquitto on " + uri();
    }

    private static Optional<Path> executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin";
        return Stream.of(path.split(File.pathSeparator)).filter(folder -> !folder.isEmpty())
                .map(folder -> Path.of(folder, name)).filter(Files::isExecutable).findFirst();
    }

    private static void run(Path executable, String... arguments) {
        List<String> command = new ArrayList<>(List.of(executable.toString()));
        command.addAll(List.of(arguments));
        try {
            Process tool = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(tool.getInputStream().readAllBytes());
            if (!tool.waitFor(10, TimeUnit.SECONDS) || tool.exitValue() != 0) {
                tool.destroyForcibly();
                throw new IllegalStateException(executable.getFileName() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
