package io.connback.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the assembled gateway as an operator does, {@code bin/gateway --demo} ({@link AssembledGateway}). */
class GatewayDemoIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(25);

    @TempDir
    Path home;

    private AssembledGateway assembled;
    private Process gateway;

    @BeforeEach
    void copyAssembly() throws IOException {
        assembled = new AssembledGateway(home);
    }

    @AfterEach
    void killGateway() {
        assembled.close();
    }

    @Test
    void demoLinkConnectsSurvivesABadConfigurationAndABundleUpdateReconnectsAndStopsOnSigterm() throws Exception {
        long start = System.nanoTime();
        startGateway();

        int connected = awaitLine("the demo link connected", 0, line -> line.contains("link demo CONNECTED via "));
        System.out.printf("bin/gateway --demo: start to link demo CONNECTED in %d ms%n",
                Duration.ofNanos(System.nanoTime() - start).toMillis());

        Files.writeString(home.resolve("conf/io.connback.tcp-bad.cfg"), "host = 127.0.0.1\nport = 99999\n");
        awaitLine("the bad configuration rejected", 0, line -> line.contains("port: invalid value '99999'"));

        // a replaced connector jar is updated in place: the link closes and reconnects through the new bundle
        Path tcpBundle = tcpBundle();
        Files.setLastModifiedTime(tcpBundle, FileTime.from(Instant.now().plusSeconds(1)));
        int updated = awaitLine("the TCP bundle updated", connected + 1,
                line -> line.contains(".jar: updated bundle io.connback.tcp "));
        int swapped = awaitLine("the demo link back through the updated bundle", updated + 1,
                line -> line.contains("link demo CONNECTED via "));

        int dropped = awaitLine("the demo device dropped the link", swapped + 1,
                line -> line.contains("link demo DISCONNECTED"));
        awaitLine("the demo link reconnected", dropped + 1,
                line -> line.matches(".*link demo CONNECTED via 127\\.0\\.0\\.1:\\d+ after \\d+ attempts?"));

        gateway.destroy(); // SIGTERM
        assertThat(gateway.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("stopped within %s", TIMEOUT).isTrue();
        assertThat(gateway.exitValue()).as("exit status after SIGTERM").isZero();
        List<String> log = logLines();
        int reconnected = lastIndexOf(log, line -> line.contains("link demo CONNECTED"));
        List<String> stopping = log.subList(reconnected, log.size());
        assertThat(stopping).as("the link closed, then ended, once, when the gateway stopped")
                .anyMatch(line -> line.contains("link demo DISCONNECTED"))
                .filteredOn(line -> line.contains("link demo ENDED")).hasSize(1);
        assertThat(stopping).last().asString().endsWith("gateway stopped");
        assertThat(lastIndexOf(stopping, line -> line.contains("link demo ENDED")))
                .as("ENDED after DISCONNECTED").isGreaterThan(lastIndexOf(stopping,
                        line -> line.contains("link demo DISCONNECTED")));

        // one line at its creation, one when the updated TCP bundle read it again: each names the file and the key
        assertThat(log).as("the ERROR lines of the bad configuration")
                .filteredOn(line -> line.contains(" ERROR ") && line.contains("99999")).isNotEmpty()
                .allMatch(line -> line.endsWith("conf/io.connback.tcp-bad.cfg: port: invalid value '99999': expected a "
                        + "whole number from 1 to 65535"));
        assertThat(log).as("no stack trace in the log").noneMatch(line -> line.matches("\\s+at .*|Caused by: .*"));
    }

    @Test
    void removingTheTcpJarUninstallsTheBundleItsLinkWaitsAndReconnectsWhenTheJarIsBack() throws Exception {
        startGateway();
        int connected = awaitLine("the demo link connected", 0, line -> line.contains("link demo CONNECTED via "));

        Path tcpBundle = tcpBundle();
        Path aside = home.resolve(tcpBundle.getFileName());
        Files.move(tcpBundle, aside);
        int uninstalled = awaitLine("the TCP bundle uninstalled", connected + 1,
                line -> line.contains(".jar: uninstalled bundle io.connback.tcp "));
        int waiting = awaitLine("the demo link waiting for its connector", uninstalled + 1,
                line -> line.matches(
                        ".*link demo RECONNECTING attempt \\d+: connector io.connback.tcp unavailable; next in .*"));

        Files.move(aside, tcpBundle);
        int installed = awaitLine("the TCP bundle installed again", waiting + 1,
                line -> line.contains(".jar: installed bundle io.connback.tcp "));
        awaitLine("the demo link back through the new bundle", installed + 1,
                line -> line.contains("link demo CONNECTED via "));
        assertThat(logLines().subList(connected, logLines().size())).as("the link kept its ManagedConnection")
                .noneMatch(line -> line.contains("link demo ENDED"));
    }

    private void startGateway() throws IOException {
        assembled.start(Map.of(), home.resolve("bin/gateway").toString(), "--demo");
        gateway = assembled.process();
    }

    private Path tcpBundle() throws IOException {
        try (Stream<Path> jars = Files.list(home.resolve("deploy"))) {
            return jars.filter(jar -> jar.getFileName().toString().startsWith("connback-tcp-")).findFirst()
                    .orElseThrow();
        }
    }

    private int awaitLine(String what, int from, Predicate<String> matcher) throws InterruptedException {
        return AssembledGateway.awaitLine(home.resolve("log/gateway.log"), gateway, what, from, TIMEOUT.toMillis(),
                matcher);
    }

    private List<String> logLines() {
        return AssembledGateway.lines(home.resolve("log/gateway.log"));
    }

    private static int lastIndexOf(List<String> lines, Predicate<String> matcher) {
        return AssembledGateway.lastIndexOf(lines, matcher);
    }
}
