package io.connback.folders.internal.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * The deployer against a real Felix framework, on a clock of the test's own: each scan is given its time, so that
 * the settle and incomplete times pass exactly when the test says.
 */
class DeployerTest {

    private static final Duration SETTLE = Duration.ofMillis(100);
    private static final Duration INCOMPLETE = Duration.ofSeconds(2);

    @TempDir
    Path work;

    private Path deploy;
    private Framework framework;
    private Deployer deployer;
    private final List<String> lines = new ArrayList<>();
    private long now = 1_000_000_000L;
    private Instant modified = Instant.parse("2026-12-01T00:00:00Z");

    @BeforeEach
    void startFramework() throws Exception {
        deploy = Files.createDirectory(work.resolve("deploy"));
        framework = startFramework(Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        deployer = newDeployer();
    }

    @AfterEach
    void stopFramework() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }

    @Test
    void aJarIsInstalledAndStartedUpdatedInPlaceAndUninstalledWhenRemoved() throws Exception {
        write("meter.jar", TestJars.bundle("com.example.meter", "1.0.0"));
        assertThat(scan()).as("not yet settled").isEqualTo(now + SETTLE.toNanos());
        assertThat(bundles()).isEmpty();
        settle();
        assertThat(notices()).containsExactly("INFO deploy/meter.jar: installed bundle com.example.meter 1.0.0");
        Bundle meter = bundle("com.example.meter");
        assertThat(meter.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(meter.getLocation()).isEqualTo(deploy.resolve("meter.jar").toUri().toString());

        write("meter.jar", TestJars.bundle("com.example.meter", "2.0.0"));
        settle();
        assertThat(notices()).containsExactly(
                "INFO deploy/meter.jar: updated bundle com.example.meter 2.0.0 (was com.example.meter 1.0.0)");
        assertThat(bundle("com.example.meter")).isSameAs(meter);
        assertThat(meter.getVersion().toString()).isEqualTo("2.0.0");
        assertThat(meter.getState()).isEqualTo(Bundle.ACTIVE);

        settle();
        assertThat(notices()).as("nothing changed, nothing to say").isEmpty();

        Files.delete(deploy.resolve("meter.jar"));
        scan();
        assertThat(notices()).containsExactly(
                "INFO deploy/meter.jar: uninstalled bundle com.example.meter 2.0.0 (its file was removed)");
        assertThat(meter.getState()).isEqualTo(Bundle.UNINSTALLED);
        assertThat(bundles()).isEmpty();
    }

    @Test
    void aFileThatIsNoJarGetsOneLineUntilItChanges() throws Exception {
        write("notes.txt", "a note".getBytes());
        settle();
        settle();
        assertThat(notices()).containsExactly("WARNING deploy/notes.txt: ignored: not a jar");
        write("notes.txt", "a longer note".getBytes());
        settle();
        assertThat(notices()).containsExactly("WARNING deploy/notes.txt: ignored: not a jar");

        Files.createDirectory(deploy.resolve("old"));
        settle();
        assertThat(notices()).containsExactly(
                "WARNING deploy/old: ignored: a folder (only the jar files directly in deploy/ are installed)");
    }

    @Test
    void randomBytesAreReportedOnceAfterTheIncompleteTimeAndAgainOnlyForNewContent() throws Exception {
        byte[] random = new byte[3000];
        new Random(7).nextBytes(random);
        write("x.jar", random);
        settle();
        assertThat(lines).containsExactly(
                "DEBUG deploy/x.jar: waiting for it to be complete: not a jar: it does not start as a zip file does");
        assertThat(notices()).as("it may still be being written").isEmpty();
        now += INCOMPLETE.toNanos();
        scan();
        assertThat(notices()).containsExactly(
                "WARNING deploy/x.jar: not installed: not a jar: it does not start as a zip file does");

        write("x.jar", random); // touched: the same content
        settle();
        now += INCOMPLETE.toNanos();
        scan();
        assertThat(notices()).isEmpty();

        random[0] = 1;
        write("x.jar", random);
        settle();
        now += INCOMPLETE.toNanos();
        scan();
        assertThat(notices()).containsExactly(
                "WARNING deploy/x.jar: not installed: not a jar: it does not start as a zip file does");
        assertThat(bundles()).isEmpty();
    }

    @Test
    void aJarThatIsNoBundleIsReportedAtOnce() throws Exception {
        write("plain.jar", TestJars.jar(Map.of("Main-Class", "com.example.Main")));
        settle();
        assertThat(notices()).containsExactly(
                "WARNING deploy/plain.jar: not installed: not a bundle (no Bundle-SymbolicName in its manifest)");
        assertThat(bundles()).isEmpty();
    }

    @Test
    void aTruncatedCopyOverARunningBundleLeavesItRunningAndAGoodCopyThenApplies() throws Exception {
        byte[] good = TestJars.bundle("com.example.meter", "1.0.0");
        write("meter.jar", good);
        settle();
        Bundle meter = bundle("com.example.meter");
        long installedAt = meter.getLastModified();
        notices();

        write("meter.jar", Arrays.copyOf(good, good.length / 2));
        settle();
        now += INCOMPLETE.toNanos();
        scan();
        assertThat(notices()).containsExactly("WARNING deploy/meter.jar: not updated: not a valid jar (truncated?): "
                + "no end record of a zip file; bundle com.example.meter 1.0.0 keeps running");
        assertThat(meter.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(meter.getLastModified()).as("never updated").isEqualTo(installedAt);

        write("meter.jar", TestJars.bundle("com.example.meter", "1.0.1"));
        settle();
        assertThat(notices()).containsExactly(
                "INFO deploy/meter.jar: updated bundle com.example.meter 1.0.1 (was com.example.meter 1.0.0)");
        assertThat(meter.getState()).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    void aJarStillBeingWrittenIsWaitedForWithoutALine() throws Exception {
        byte[] good = TestJars.bundle("com.example.meter", "1.0.0");
        write("meter.jar", Arrays.copyOf(good, good.length / 2));
        settle();
        now += INCOMPLETE.toNanos() / 2;
        scan();
        assertThat(bundles()).isEmpty();
        write("meter.jar", good);
        settle();
        assertThat(lines).as("the wait, at DEBUG").contains("DEBUG deploy/meter.jar: waiting for it to be complete: "
                + "not a valid jar (truncated?): no end record of a zip file");
        assertThat(notices()).containsExactly("INFO deploy/meter.jar: installed bundle com.example.meter 1.0.0");
    }

    @Test
    void temporaryNamesAreWaitedForSilently() throws Exception {
        byte[] good = TestJars.bundle("com.example.meter", "1.0.0");
        for (String name : List.of(".meter.jar", "meter.jar.tmp", "meter.jar.part", "meter.jar~")) {
            write(name, good);
        }
        settle();
        now += INCOMPLETE.toNanos();
        scan();
        assertThat(lines).hasSize(4).allMatch(line -> line.startsWith("DEBUG ") && line.endsWith(
                ": waiting: a temporary name"));
        assertThat(notices()).isEmpty();
        assertThat(bundles()).isEmpty();

        Files.move(deploy.resolve("meter.jar.part"), deploy.resolve("meter.jar"));
        settle();
        assertThat(notices()).containsExactly("INFO deploy/meter.jar: installed bundle com.example.meter 1.0.0");
    }

    @Test
    void aSecondJarOfTheSameBundleNamesBothFiles() throws Exception {
        write("meter.jar", TestJars.bundle("com.example.meter", "1.0.0"));
        settle();
        write("meter-copy.jar", TestJars.bundle("com.example.meter", "1.0.0"));
        settle();
        settle();
        assertThat(notices()).containsExactly("INFO deploy/meter.jar: installed bundle com.example.meter 1.0.0",
                "WARNING deploy/meter-copy.jar: not installed: bundle com.example.meter 1.0.0 is installed from "
                        + "deploy/meter.jar already");
        assertThat(bundles()).hasSize(1);
    }

    @Test
    void aBundleThatCannotResolveSaysWhatItMissesAndStartsOnceItIsThere() throws Exception {
        write("app.jar", TestJars.bundle("com.example.app", "1.0.0", "Import-Package", "com.example.api"));
        settle();
        List<String> installed = notices();
        assertThat(installed).hasSize(2).first().isEqualTo(
                "INFO deploy/app.jar: installed bundle com.example.app 1.0.0");
        assertThat(installed.get(1)).startsWith("WARNING deploy/app.jar: bundle com.example.app 1.0.0 installed but "
                + "not started: ").contains("missing requirement").contains("osgi.wiring.package=com.example.api")
                .doesNotContain("Unresolved requirements");
        Bundle app = bundle("com.example.app");
        assertThat(app.getState()).isEqualTo(Bundle.INSTALLED);

        write("other.jar", TestJars.bundle("com.example.other", "1.0.0"));
        settle();
        assertThat(notices()).as("tried again, the same reason: no new line")
                .containsExactly("INFO deploy/other.jar: installed bundle com.example.other 1.0.0");

        write("api.jar", TestJars.bundle("com.example.api", "1.0.0", "Export-Package", "com.example.api"));
        settle();
        assertThat(notices()).containsExactly("INFO deploy/api.jar: installed bundle com.example.api 1.0.0",
                "INFO deploy/app.jar: bundle com.example.app 1.0.0 started");
        assertThat(app.getState()).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    void aFragmentIsInstalledNotStarted() throws Exception {
        write("meter.jar", TestJars.bundle("com.example.meter", "1.0.0"));
        write("meter-nl.jar", TestJars.bundle("com.example.meter.nl", "1.0.0", "Fragment-Host", "com.example.meter"));
        settle();
        assertThat(notices()).containsExactlyInAnyOrder(
                "INFO deploy/meter.jar: installed bundle com.example.meter 1.0.0",
                "INFO deploy/meter-nl.jar: installed bundle com.example.meter.nl 1.0.0");
        assertThat(bundle("com.example.meter").getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(bundle("com.example.meter.nl").getState()).isEqualTo(Bundle.RESOLVED);
    }

    @Test
    void aJarTheFrameworkRefusesIsReportedAndTheRunningBundleStays() throws Exception {
        write("meter.jar", TestJars.bundle("com.example.meter", "1.0.0"));
        settle();
        notices();
        write("meter.jar", TestJars.bundle("com.example.meter", "1.0.1", "Import-Package", "a;b;;version=\"[1"));
        settle();
        assertThat(notices()).singleElement().asString()
                .startsWith("WARNING deploy/meter.jar: not updated: ")
                .endsWith("; bundle com.example.meter 1.0.0 keeps running");
        assertThat(bundle("com.example.meter").getState()).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    void aPersistedFrameworkKeepsTheBundlesOfItsFilesAndCatchesUpWithChangesMadeMeanwhile() throws Exception {
        write("meter.jar", TestJars.bundle("com.example.meter", "1.0.0"));
        write("modem.jar", TestJars.bundle("com.example.modem", "1.0.0"));
        write("gone.jar", TestJars.bundle("com.example.gone", "1.0.0"));
        settle();
        long meterId = bundle("com.example.meter").getBundleId();
        stopFramework();

        write("modem.jar", TestJars.bundle("com.example.modem", "1.1.0"));
        Files.delete(deploy.resolve("gone.jar"));
        framework = startFramework("none");
        deployer = newDeployer();
        lines.clear();
        settle();
        assertThat(notices()).containsExactlyInAnyOrder(
                "INFO deploy/gone.jar: uninstalled bundle com.example.gone 1.0.0 (its file was removed)",
                "INFO deploy/modem.jar: updated bundle com.example.modem 1.1.0 (was com.example.modem 1.0.0)");
        assertThat(bundle("com.example.meter").getBundleId()).as("not installed twice").isEqualTo(meterId);
        assertThat(bundles()).hasSize(2).allMatch(bundle -> bundle.getState() == Bundle.ACTIVE);
    }

    private Framework startFramework(String clean) throws BundleException {
        Framework started = new FrameworkFactory().newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, work.resolve("cache").toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, clean));
        started.start();
        return started;
    }

    private Deployer newDeployer() {
        return new Deployer(framework.getBundleContext(), deploy, SETTLE, INCOMPLETE,
                (level, line) -> lines.add(level.getName() + " " + line));
    }

    /** Writes a file with a modification time of its own: two writes in a row never share one. */
    private void write(String name, byte[] content) throws IOException {
        Path file = deploy.resolve(name);
        Files.write(file, content);
        modified = modified.plusSeconds(1);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    private long scan() {
        return deployer.scan(now);
    }

    /** A scan that sees the files as they are, then one when they have settled. */
    private void settle() {
        scan();
        now += SETTLE.toNanos();
        scan();
    }

    /** The INFO and WARNING lines since the last call. */
    private List<String> notices() {
        List<String> notices = lines.stream().filter(line -> !line.startsWith("DEBUG ")).toList();
        lines.clear();
        return notices;
    }

    private List<Bundle> bundles() {
        return Stream.of(framework.getBundleContext().getBundles())
                .filter(bundle -> bundle.getBundleId() != Constants.SYSTEM_BUNDLE_ID).toList();
    }

    private Bundle bundle(String symbolicName) {
        return bundles().stream().filter(bundle -> symbolicName.equals(bundle.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("no bundle " + symbolicName + " in " + bundles()));
    }
}
