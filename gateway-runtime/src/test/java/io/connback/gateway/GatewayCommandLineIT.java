package io.connback.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line of the assembled gateway, run as an operator runs it: {@code --help}, the exit statuses, one
 * gateway per data folder, a demo that leaves nothing in {@code conf/}, and a console without a network shell.
 */
class GatewayCommandLineIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(25);
    private static final List<String> OPTIONS = List.of("--conf", "--deploy", "--data", "--log", "--log-level",
            "--log-size", "--log-files", "--demo", "--no-console", "--help");

    @TempDir
    Path home;

    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void copyAssembly() throws IOException {
        AssembledGateway.copyTo(home);
    }

    @AfterEach
    void killGateways() {
        // script(1)'s gateway is its child: killed first, so that none outlives a failed test
        processes.stream().filter(Process::isAlive).forEach(process -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        });
    }

    @Test
    void helpPrintsTheUsageAndOneLinePerOptionToStandardOutputAndExitsWithZero() throws Exception {
        Run help = run(Map.of(), "--help");

        assertThat(help.status()).isZero();
        assertThat(help.stderr()).isEmpty();
        assertThat(help.stdout().get(0)).startsWith("usage: gateway");
        for (String option : OPTIONS) {
            assertThat(help.stdout()).as("the line of %s", option)
                    .filteredOn(line -> line.startsWith("  " + option + " "))
                    .hasSize(1).allMatch(line -> line.length() > 25, "describes it");
        }
        assertThat(home.resolve("log")).as("--help starts nothing").doesNotExist();
    }

    @Test
    void aBadOptionPrintsOneLineAndTheUsageToStandardErrorAndExitsWithTwo() throws Exception {
        Run unknown = run(Map.of(), "--bogus");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.stdout()).isEmpty();
        assertThat(unknown.stderr().get(0)).isEqualTo("gateway: unknown option: --bogus");
        assertThat(unknown.stderr().subList(1, unknown.stderr().size()))
                .isEqualTo(GatewayOptions.USAGE.lines().toList());

        Run missingValue = run(Map.of(), "--no-console", "--conf");
        assertThat(missingValue.status()).isEqualTo(2);
        assertThat(missingValue.stderr().get(0)).isEqualTo("gateway: option --conf needs a value");
    }

    @Test
    void aBadLogLevelPrintsOneLineListingTheLevelsAndExitsWithTwo() throws Exception {
        Run property = run(Map.of("JAVA_OPTS", "-Dconnback.log.level=VERBOSE"), "--no-console");
        assertThat(property.status()).isEqualTo(2);
        assertThat(property.stderr()).containsExactly("gateway: bad log level 'VERBOSE' (-Dconnback.log.level): "
                + "one of ALL, TRACE, DEBUG, INFO, WARNING, ERROR, OFF");

        Run option = run(Map.of(), "--log-level", "loud");
        assertThat(option.status()).isEqualTo(2);
        assertThat(option.stderr()).singleElement().asString()
                .startsWith("gateway: bad log level 'loud' (--log-level)");
    }

    @Test
    void theLogLevelIsAlsoTheOsgiLogServicesSoThatTheBundlesDebugLinesReachTheLog() throws Exception {
        Process gateway = start("--no-console", "--log-level", "DEBUG");
        Path log = home.resolve("log/gateway.log");
        AssembledGateway.awaitLine(log, gateway, "the start", 0, TIMEOUT.toMillis(),
                line -> line.contains("gateway started"));
        assertThat(AssembledGateway.lines(log)).as("DEBUG lines of SCR, through the OSGi log service")
                .anyMatch(line -> line.contains(" DEBUG   org.apache.felix.scr: "));
        gateway.destroy();
        assertThat(gateway.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aDataFolderThatCannotBeMadeIsOneLineAndExitStatusOne() throws Exception {
        Path underAFile = home.resolve("bin/gateway/data");
        Run run = run(Map.of(), "--no-console", "--data", underAFile.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.stderr()).singleElement().asString().startsWith("gateway: cannot start: ")
                .contains(home.resolve("bin/gateway").toString());
    }

    @Test
    void aSecondGatewayInTheSameDataFolderExitsWithOneWithinTwoSecondsAndLeavesTheFirstRunning() throws Exception {
        Process first = start("--demo", "--no-console");
        Path log = home.resolve("log/gateway.log");
        AssembledGateway.awaitLine(log, first, "the demo link connected", 0, TIMEOUT.toMillis(),
                line -> line.contains("link demo CONNECTED via "));
        List<Path> storage = list(home.resolve("cache"));
        assertThat(Files.getPosixFilePermissions(home.resolve("cache"))).as("the framework storage")
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));

        long started = System.nanoTime();
        Run second = run(Map.of(), "--no-console");
        long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        System.out.printf("a second gateway in the same data folder exited in %d ms%n", tookMillis);

        assertThat(second.status()).isEqualTo(1);
        assertThat(tookMillis).isLessThan(2000);
        assertThat(second.stderr()).containsExactly("gateway: another gateway (pid " + first.pid() + ") is running in "
                + home.toRealPath());
        assertThat(first.isAlive()).as("the first gateway runs on").isTrue();
        assertThat(list(home.resolve("cache"))).as("the first gateway's storage").isEqualTo(storage);
        assertThat(AssembledGateway.lines(log)).as("one gateway started in this data folder")
                .filteredOn(line -> line.contains("gateway started")).hasSize(1);

        first.destroy();
        assertThat(first.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isZero();
    }

    @Test
    void theDemoWritesNothingIntoConfAndItsLinkEndsWithIt() throws Exception {
        List<Path> shipped = list(home.resolve("conf"));
        Path data = home.resolve("state/gateway");
        Process demo = start("--demo", "--no-console", "--data", data.toString());
        Path log = home.resolve("log/gateway.log");
        AssembledGateway.awaitLine(log, demo, "the demo link connected", 0, TIMEOUT.toMillis(),
                line -> line.contains("link demo CONNECTED via "));
        assertThat(list(home.resolve("conf"))).as("conf/ while the demo runs").isEqualTo(shipped);
        assertThat(data.resolve("demo-conf/io.connback.tcp-demo.cfg")).as("the demo's link").exists();
        assertThat(Files.getPosixFilePermissions(data)).as("the data folder the gateway made")
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));

        demo.destroy();
        assertThat(demo.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(demo.exitValue()).isZero();
        assertThat(list(home.resolve("conf"))).as("conf/ after the demo").isEqualTo(shipped);
        assertThat(data.resolve("demo-conf")).as("the demo's own configuration folder").doesNotExist();
        assertThat(AssembledGateway.lines(log)).as("the demo link ended with the gateway")
                .anyMatch(line -> line.endsWith("link demo ENDED"));
    }

    @Test
    void theConsoleHasNoNetworkShellDescribesTheCommandsAndShowsWarningsOnlyWhileTheLogKeepsEverything()
            throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")),
                "util-linux script(1) is needed to give the gateway a terminal");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path console = home.resolve("console.txt");
        ProcessBuilder command = new ProcessBuilder("/usr/bin/script", "-qfc", home.resolve("bin/gateway") + " --demo",
                "/dev/null").redirectErrorStream(true).redirectOutput(console.toFile());
        command.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process terminal = command.start();
        processes.add(terminal);
        Path log = home.resolve("log/gateway.log");
        AssembledGateway.awaitLine(log, terminal, "the demo link connected", 0, TIMEOUT.toMillis(),
                line -> line.contains("link demo CONNECTED via "));
        AssembledGateway.awaitLine(console, terminal, "the prompt", 0, TIMEOUT.toMillis(),
                line -> line.contains("g! "));

        OutputStream keyboard = terminal.getOutputStream();
        type(keyboard, "telnetd -p " + port + " start");
        AssembledGateway.awaitLine(console, terminal, "the answer to telnetd", 0, TIMEOUT.toMillis(),
                line -> line.contains("telnetd") && line.contains("Command not found"));
        try (Socket telnet = new Socket(InetAddress.getLoopbackAddress(), port)) {
            throw new AssertionError("something listens on the telnetd port " + port + ": " + telnet);
        } catch (IOException refused) {
            // nothing listens: the expected outcome
        }

        type(keyboard, "help connback:ports");
        AssembledGateway.awaitLine(console, terminal, "the description of connback:ports", 0, TIMEOUT.toMillis(),
                line -> line.contains("lists the serial devices present"));

        type(keyboard, "stop 0");
        assertThat(terminal.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("stopped from the console").isTrue();
        assertThat(AssembledGateway.lines(console)).as("the console while interactive")
                .noneMatch(line -> line.contains(" INFO ") || line.contains(" DEBUG "));
        assertThat(AssembledGateway.lines(log)).as("the log keeps INFO")
                .anyMatch(line -> line.contains(" INFO ") && line.contains("link demo CONNECTED via "));
    }

    private static void type(OutputStream keyboard, String line) throws IOException {
        keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    private Process start(String... args) throws IOException {
        Process process = AssembledGateway.start(home, args);
        processes.add(process);
        return process;
    }

    /** A finished run of {@code bin/gateway}: its status and output lines. */
    private record Run(int status, List<String> stdout, List<String> stderr) {}

    private Run run(Map<String, String> environment, String... args) throws Exception {
        Path out = Files.createTempFile(home, "stdout", ".txt");
        Path err = Files.createTempFile(home, "stderr", ".txt");
        ProcessBuilder command = new ProcessBuilder(Stream.concat(Stream.of(home.resolve("bin/gateway").toString()),
                Stream.of(args)).toList()).redirectOutput(out.toFile()).redirectError(err.toFile());
        command.environment().put("JAVA_HOME", System.getProperty("java.home"));
        command.environment().remove(GatewayOptions.HOME_VARIABLE);
        command.environment().remove("JAVA_OPTS");
        command.environment().putAll(environment);
        Process process = command.start();
        processes.add(process);
        assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("bin/gateway %s exited", List.of(args))
                .isTrue();
        return new Run(process.exitValue(), AssembledGateway.lines(out), AssembledGateway.lines(err));
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(Path::getFileName).sorted().toList();
        }
    }
}
