package io.connback.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.connback.hardware.EchoDevice;
import io.connback.hardware.EmulatedDevice;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package: its contents and metadata, read with {@code dpkg-deb}, and, as root on a machine that may be
 * changed ({@code -Dconnback.deb.install=true}, which {@code .ci/run} sets), its life on the machine: installed with
 * {@code dpkg -i}, its unit checked with {@code systemd-analyze verify} (systemd is not PID 1 on CI machines, so the
 * unit is not started), the installed gateway run as the unit's {@code User=} exactly as its {@code ExecStart=}
 * says, with a TCP link and a serial link (a pseudo-terminal owned by root:dialout, as a USB adapter's node) from
 * {@code /etc/connback/conf}, stopped by SIGTERM, then upgraded (to the package rebuilt with a later version and a
 * renamed connector jar), removed (the link files stay) and purged.
 */
class DebianPackageIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String PACKAGE = "connback-gateway";
    private static final Path UNIT = Path.of("/lib/systemd/system/connback-gateway.service");
    private static final Path CONF = Path.of("/etc/connback/conf");
    private static final Path LOG = Path.of("/var/log/connback/gateway.log");
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @TempDir
    Path scratch;

    private boolean installedHere;
    private Process gateway;

    @AfterEach
    void leaveTheMachineAsItWas() throws Exception {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroyForcibly().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        if (installedHere) {
            run("dpkg", "--purge", PACKAGE);
        }
    }

    @Test
    void thePackageHoldsTheRuntimeTheUnitAndTheLinkFolderAndDependsOnJava17() throws Exception {
        assumeTrue(onPath("dpkg-deb"), "dpkg-deb is not installed: the package's contents cannot be read");
        Path deb = deb();

        Result info = run("dpkg-deb", "-I", deb.toString());
        assertThat(info.status()).as(info.output()).isZero();
        assertThat(info.output()).contains("Package: connback-gateway", "Architecture: all",
                "Depends: openjdk-17-jre-headless | java17-runtime-headless, adduser");
        Result conffiles = run("dpkg-deb", "-I", deb.toString(), "conffiles");
        assertThat(conffiles.output().strip()).isEqualTo("/etc/connback/conf/README.txt");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(run("dpkg-deb", "-I", deb.toString(), script).output()).as(script).startsWith("#!/bin/sh");
        }

        Result contents = run("dpkg-deb", "-c", deb.toString());
        assertThat(contents.status()).as(contents.output()).isZero();
        List<String[]> entries = contents.output().lines().map(line -> line.trim().split("\\s+")).toList();
        assertThat(entries).as("everything belongs to root").allMatch(entry -> entry[1].equals("root/root"));
        List<String> paths = entries.stream().map(entry -> entry[entry.length - 1]).toList();
        assertThat(paths).contains("./opt/connback/LICENSE", "./opt/connback/NOTICE",
                "./etc/connback/conf/README.txt", "./lib/systemd/system/connback-gateway.service");
        assertThat(entries).filteredOn(entry -> entry[entry.length - 1].equals("./opt/connback/bin/gateway"))
                .singleElement().satisfies(entry -> assertThat(entry[0]).isEqualTo("-rwxr-xr-x"));
        for (String folder : List.of("lib", "bundle", "deploy")) {
            try (Stream<Path> jars = Files.list(AssembledGateway.assembly().resolve(folder))) {
                for (Path jar : jars.toList()) {
                    assertThat(paths).contains("./opt/connback/" + folder + "/" + jar.getFileName());
                }
            }
        }
        assertThat(paths).as("state is made by the package scripts, not shipped")
                .noneMatch(path -> path.startsWith("./var/") || path.contains("/cache/") || path.contains("/log/")
                        || path.startsWith("./opt/connback/conf"));
    }

    @Test
    void installedItRunsAsConnbackWithLinksFromEtcStopsOnSigtermAndUpgradingOrRemovingKeepsTheLinkFiles()
            throws Exception {
        assumeTrue(Boolean.getBoolean("connback.deb.install"), "the package is installed on this machine only with "
                + "-Dconnback.deb.install=true (as .ci/run does, as root on a clean machine)");
        assumeTrue(isRoot(), "not root: dpkg -i needs root");
        assumeTrue(onPath("dpkg") && onPath("systemd-analyze") && onPath("setpriv"),
                "dpkg, systemd-analyze and setpriv are needed");
        assumeFalse(run("dpkg", "-s", PACKAGE).status() == 0, PACKAGE + " is installed on this machine already: "
                + "the test would replace it");
        long started = System.nanoTime();

        installedHere = true;
        Result install = run("dpkg", "-i", deb().toString());
        assertThat(install.status()).as(install.output()).isZero();
        assertThat(run("id", "-nG", "connback").output().split("\\s+")).as("the groups of connback")
                .contains("dialout");
        assertThat(Files.getPosixFilePermissions(Path.of("/var/lib/connback")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getOwner(Path.of("/var/lib/connback")).getName()).isEqualTo("connback");

        Result verify = run("systemd-analyze", "verify", UNIT.toString());
        assertThat(verify.status()).as(verify.output()).isZero();
        assertThat(verify.output()).as("what systemd-analyze says of the unit").doesNotContain(UNIT.getFileName()
                .toString());
        List<String> unit = Files.readAllLines(UNIT, StandardCharsets.UTF_8);
        String user = unitValue(unit, "User");
        List<String> execStart = Arrays.asList(unitValue(unit, "ExecStart").split("\\s+"));

        try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                EmulatedDevice meter = serialDeviceForDialout()) {
            Thread echo = new Thread(() -> echo(peer), "deb-test-tcp-echo");
            echo.setDaemon(true);
            echo.start();
            Files.writeString(CONF.resolve("io.connback.tcp-pkgtcp.cfg"),
                    "host = 127.0.0.1\nport = " + peer.getLocalPort() + "\n", StandardCharsets.ISO_8859_1);
            Files.writeString(CONF.resolve("io.connback.serial-pkgpty.cfg"), "port = " + meter.link() + "\n",
                    StandardCharsets.ISO_8859_1);

            // as systemd runs ExecStart: the unit's user with its groups, a bare environment, in /
            List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + user,
                    "--init-groups", "--"));
            command.addAll(execStart);
            ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of("/").toFile())
                    .redirectErrorStream(true).redirectOutput(scratch.resolve("journal.txt").toFile());
            builder.environment().clear();
            builder.environment().putAll(Map.of("PATH", PATH, "HOME", "/var/lib/connback", "USER", user,
                    "LOGNAME", user, "LANG", "C.UTF-8"));
            gateway = builder.start();

            int tcp = awaitLog("the TCP link connected", 0, "link pkgtcp CONNECTED via 127.0.0.1:");
            int serial = awaitLog("the serial link connected", 0, "link pkgpty CONNECTED via ");
            assertThat(gateway.info().user()).hasValue(user);
            System.out.printf("installed gateway: dpkg -i to both links connected in %d ms%n",
                    Duration.ofNanos(System.nanoTime() - started).toMillis());

            gateway.destroy(); // SIGTERM
            assertThat(gateway.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("stopped by SIGTERM").isTrue();
            assertThat(gateway.exitValue()).as("exit status after SIGTERM").isZero();
            List<String> log = AssembledGateway.lines(LOG).subList(Math.max(tcp, serial), AssembledGateway.lines(LOG)
                    .size());
            assertThat(log).anyMatch(line -> line.endsWith("link pkgtcp ENDED"))
                    .anyMatch(line -> line.endsWith("link pkgpty ENDED"));
            assertThat(log).last().asString().endsWith("gateway stopped");
        }

        // an upgrade replaces the shipped connector jars and keeps the operator's files
        Files.writeString(CONF.resolve("README.txt"), "# edited by the operator\n", StandardOpenOption.APPEND);
        String tcpJar = tcpJar();
        Path upgrade = upgradeOf(deb(), tcpJar, tcpJar.replace("connback-tcp-", "connback-tcp-9-"));
        Result upgraded = run("dpkg", "-i", upgrade.toString());
        assertThat(upgraded.status()).as(upgraded.output()).isZero();
        assertThat(tcpJar()).as("the TCP connector after the upgrade").startsWith("connback-tcp-9-");
        assertThat(Files.readString(CONF.resolve("README.txt"))).as("the changed conffile after the upgrade")
                .endsWith("# edited by the operator\n");
        assertThat(CONF.resolve("io.connback.tcp-pkgtcp.cfg")).as("the operator's link file after the upgrade")
                .exists();

        Result remove = run("dpkg", "-r", PACKAGE);
        assertThat(remove.status()).as(remove.output()).isZero();
        assertThat(Path.of("/opt/connback/bin/gateway")).doesNotExist();
        assertThat(UNIT).doesNotExist();
        assertThat(CONF.resolve("io.connback.tcp-pkgtcp.cfg")).as("the operator's link file after remove").exists();
        assertThat(CONF.resolve("README.txt")).as("the conffile after remove").exists();

        Result purge = run("dpkg", "--purge", PACKAGE);
        assertThat(purge.status()).as(purge.output()).isZero();
        installedHere = false;
        assertThat(Path.of("/etc/connback")).as("after purge").doesNotExist();
        assertThat(Path.of("/var/lib/connback")).as("after purge").doesNotExist();
        assertThat(Path.of("/var/log/connback")).as("after purge").doesNotExist();
        System.out.printf("installed gateway: the whole life of the package in %d ms%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    /** The TCP connector's jar in the installed deploy folder. */
    private static String tcpJar() throws IOException {
        try (Stream<Path> jars = Files.list(Path.of("/opt/connback/deploy"))) {
            List<String> tcp = jars.map(jar -> jar.getFileName().toString())
                    .filter(name -> name.startsWith("connback-tcp-")).toList();
            assertThat(tcp).as("the TCP connector in /opt/connback/deploy").hasSize(1);
            return tcp.get(0);
        }
    }

    /** The package again, as its next version would be: a later version number, a TCP connector jar renamed. */
    private Path upgradeOf(Path deb, String jar, String newJar) throws Exception {
        Path tree = scratch.resolve("upgrade");
        assertThat(run("dpkg-deb", "-R", deb.toString(), tree.toString()).status()).isZero();
        Path control = tree.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replaceFirst("(?m)^(Version: .*)$", "$1+1"));
        Path md5sums = tree.resolve("DEBIAN/md5sums");
        Files.writeString(md5sums, Files.readString(md5sums).replace(jar, newJar));
        Path deploy = tree.resolve("opt/connback/deploy");
        Files.move(deploy.resolve(jar), deploy.resolve(newJar));
        Path upgrade = scratch.resolve("upgrade.deb");
        Result build = run("dpkg-deb", "--root-owner-group", "-b", tree.toString(), upgrade.toString());
        assertThat(build.status()).as(build.output()).isZero();
        return upgrade;
    }

    /** An echo device on a pseudo-terminal whose node is root:dialout 0660, as udev makes a USB adapter's. */
    private EmulatedDevice serialDeviceForDialout() throws IOException {
        Path devices = Files.createDirectory(scratch.resolve("devices"));
        // the test's folders are private to root: the gateway's user must reach the link
        Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(devices, PosixFilePermissions.fromString("rwxr-xr-x"));
        EmulatedDevice device = EmulatedDevice.plugIn("pkgpty", new EchoDevice(), devices.resolve("ttyPKG0"));
        UserPrincipalLookupService names = devices.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView node = Files.getFileAttributeView(device.slavePath(), PosixFileAttributeView.class);
        node.setOwner(names.lookupPrincipalByName("root"));
        node.setGroup(names.lookupPrincipalByGroupName("dialout"));
        node.setPermissions(PosixFilePermissions.fromString("rw-rw----"));
        return device;
    }

    private static void echo(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket connection = server.accept(); InputStream in = connection.getInputStream();
                    OutputStream out = connection.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private int awaitLog(String what, int from, String text) throws InterruptedException {
        return AssembledGateway.awaitLine(LOG, gateway, what, from, TIMEOUT.toMillis(), line -> line.contains(text));
    }

    private static String unitValue(List<String> unit, String key) {
        return unit.stream().filter(line -> line.startsWith(key + "=")).map(line -> line.substring(key.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + "= in " + UNIT));
    }

    private static Path deb() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("connback.gateway.target")))) {
            List<Path> debs = files
                    .filter(file -> file.getFileName().toString().matches("connback-gateway_.+_all\\.deb")).toList();
            assertThat(debs).as("the package built").hasSize(1);
            return debs.get(0);
        }
    }

    private static boolean isRoot() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    private static boolean onPath(String program) {
        return Stream.of(PATH.split(":")).anyMatch(folder -> Files.isExecutable(Path.of(folder, program)));
    }

    private record Result(int status, String output) {}

    private Result run(String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(scratch, "command", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within " + TIMEOUT);
        }
        return new Result(process.exitValue(), Files.readString(output));
    }
}
