package io.connback.folders.internal.conf;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.testing.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher thread on a real folder: saves applied within a second, whole, once; deletions; the components. */
class ConfWatcherTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final ConfWatcher.Timing TIMING =
            new ConfWatcher.Timing(Duration.ofMillis(150), Duration.ofSeconds(2), QUIET);

    @TempDir
    Path home;

    private Path conf;
    private final RecordingLogger log = new RecordingLogger();
    private final MapConfigurations configurations = new MapConfigurations();
    private final AtomicInteger lookups = new AtomicInteger();
    private volatile Readers readers = new Readers(Set.of("io.connback.tcp"), Set.of("io.connback.tcp"));
    private ConfWatcher watcher;

    @BeforeEach
    void createFolder() throws IOException {
        conf = Files.createDirectory(home.resolve("conf"));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (watcher != null) {
            watcher.stop();
        }
    }

    @Test
    void aSaveIsAppliedWithinOneSecond() throws Exception {
        start();
        awaitStarted();

        long saved = System.nanoTime();
        Files.writeString(conf.resolve("io.connback.tcp-x.cfg"), "port = 1\n");
        Await.until("the configuration", TIMEOUT, () -> configurations.byPid.containsKey("io.connback.tcp~x"));
        long createdMillis = Duration.ofNanos(System.nanoTime() - saved).toMillis();

        saved = System.nanoTime();
        Files.writeString(conf.resolve("io.connback.tcp-x.cfg"), "port = 2\n");
        Await.until("the changed configuration", TIMEOUT,
                () -> "2".equals(configurations.byPid.get("io.connback.tcp~x").get("port")));
        long updatedMillis = Duration.ofNanos(System.nanoTime() - saved).toMillis();

        System.out.printf("conf/ save -> configuration: created in %d ms, updated in %d ms%n", createdMillis,
                updatedMillis);
        assertThat(createdMillis).isLessThan(1000);
        assertThat(updatedMillis).isLessThan(1000);
    }

    @Test
    void aFileWrittenInPiecesIsAppliedOnlyWhole() throws Exception {
        start();
        awaitStarted();

        try (OutputStream out = Files.newOutputStream(conf.resolve("io.connback.tcp-slow.cfg"))) {
            for (int i = 0; i < 10; i++) {
                out.write(("key" + i + " = " + i + "\n").getBytes(UTF_8));
                out.flush();
                Thread.sleep(30); // a slow writer: each piece well inside the settle time
            }
        }

        Await.until("the configuration", TIMEOUT, () -> configurations.byPid.containsKey("io.connback.tcp~slow"));
        assertThat(configurations.applied).singleElement().satisfies(version -> assertThat(version).hasSize(11));
    }

    @Test
    void aFileMovedOverAnotherReplacesItAndTheTemporaryFileSaysNothing() throws Exception {
        Files.writeString(conf.resolve("io.connback.tcp-x.cfg"), "port = 1\n");
        start();
        Await.until("the first version", TIMEOUT, () -> configurations.byPid.containsKey("io.connback.tcp~x"));

        Path temporary = Files.writeString(conf.resolve(".io.connback.tcp-x.cfg.tmp"), "port = 2\n");
        Files.move(temporary, conf.resolve("io.connback.tcp-x.cfg"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);

        Await.until("the moved version", TIMEOUT,
                () -> "2".equals(configurations.byPid.get("io.connback.tcp~x").get("port")));
        assertThat(log.about(".tmp")).isEmpty();
    }

    @Test
    void aDeletedFileDeletesItsConfiguration() throws Exception {
        Path file = Files.writeString(conf.resolve("io.connback.tcp-x.cfg"), "port = 1\n");
        start();
        Await.until("the configuration", TIMEOUT, () -> configurations.byPid.containsKey("io.connback.tcp~x"));

        Files.delete(file);

        Await.until("the configuration deleted", TIMEOUT, () -> configurations.byPid.isEmpty());
    }

    @Test
    void configurationsOfFilesGoneWhileTheFrameworkWasDownAreDeletedAtTheStart() throws Exception {
        configurations.byPid.put("io.connback.tcp~gone", Map.of("connback.file", "conf/io.connback.tcp-gone.cfg"));
        Files.writeString(conf.resolve("io.connback.tcp-kept.cfg"), "port = 1\n");

        start();

        Await.until("the gone file's configuration deleted", TIMEOUT,
                () -> !configurations.byPid.containsKey("io.connback.tcp~gone"));
        assertThat(configurations.byPid).containsOnlyKeys("io.connback.tcp~kept");
    }

    @Test
    void noFileIsCalledUnreadBeforeTheFrameworkHasStarted() throws Exception {
        Files.writeString(conf.resolve("tcp-x.cfg"), "port = 1\n");
        start();
        Await.until("the configuration", TIMEOUT, () -> configurations.byPid.containsKey("tcp~x"));
        Thread.sleep(QUIET.multipliedBy(2).toMillis()); // an absence: time enough for a lookup, were it allowed
        assertThat(lookups).hasValue(0);
        assertThat(log.warnings()).isEmpty();

        watcher.frameworkStarted();

        Await.until("the unread file told", TIMEOUT, () -> log.warnings().size() == 1);
        assertThat(log.warnings().get(0)).contains("tcp-x.cfg: no installed connector or component reads 'tcp'");
    }

    @Test
    void theComponentsAreLookedUpOnceTheBundlesHaveBeenQuiet() throws Exception {
        start();
        watcher.frameworkStarted();
        awaitStarted();
        int before = lookups.get();

        long changed = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            watcher.componentsChanged(); // a burst of bundle events
        }
        Await.until("the lookup", TIMEOUT, () -> lookups.get() > before);
        long waitedMillis = Duration.ofNanos(System.nanoTime() - changed).toMillis();

        assertThat(lookups).hasValue(before + 1);
        assertThat(waitedMillis).isGreaterThanOrEqualTo(QUIET.toMillis()).isLessThan(QUIET.toMillis() + 1000);
    }

    @Test
    void aConnectorInstalledLaterIsToldOnce() throws Exception {
        start();
        watcher.frameworkStarted();
        awaitStarted();
        Files.writeString(conf.resolve("io.connback.zigbee-x.cfg"), "port = 1\n");
        Await.until("the unread file told", TIMEOUT, () -> log.warnings().size() == 1);

        readers = new Readers(Set.of("io.connback.tcp", "io.connback.zigbee"), Set.of());
        watcher.componentsChanged();

        Await.until("the reader told", TIMEOUT, () -> !log.about("is installed now").isEmpty());
        assertThat(log.warnings()).hasSize(1);
    }

    @Test
    void otherFilesAreToldOnceNotesAndEditorFilesNot() throws Exception {
        start();
        awaitStarted();

        Files.writeString(conf.resolve("links.json"), "{}");
        Files.writeString(conf.resolve("links.json"), "{ }");
        Files.writeString(conf.resolve("README.txt"), "notes");
        Files.writeString(conf.resolve("io.connback.tcp-x.cfg.swp"), "swap");
        Files.createDirectory(conf.resolve("old"));
        Files.writeString(conf.resolve("io.connback.tcp-x.cfg"), "port = 1\n");

        Await.until("the marker configuration", TIMEOUT, () -> configurations.byPid.containsKey("io.connback.tcp~x"));
        assertThat(log.lines()).filteredOn(line -> !line.contains("io.connback.tcp~x")).containsExactlyInAnyOrder(
                "INFO conf/links.json: ignored: only *.cfg files are read",
                "INFO conf/old: ignored: only *.cfg files are read",
                "DEBUG conf/README.txt: a note, not read");
    }

    @Test
    void aFolderCreatedLaterIsWatchedOnceThere() throws Exception {
        Path later = home.resolve("later");
        watcher = ConfWatcher.start(List.of(later), files(), this::readers, TIMING, log);
        Await.until("the missing folder told", TIMEOUT, () -> !log.about("is not a folder").isEmpty());

        Files.createDirectory(later);
        Files.writeString(later.resolve("io.connback.tcp-x.cfg"), "port = 1\n");

        Await.until("the configuration", TIMEOUT, () -> configurations.byPid.containsKey("io.connback.tcp~x"));
        assertThat(log.warnings()).singleElement().asString().endsWith("later is not a folder (yet); watching for it");
    }

    @Test
    void stoppingEndsTheThread() throws Exception {
        start();
        awaitStarted();
        assertThat(threads()).containsExactly(ConfWatcher.THREAD_NAME);

        watcher.stop();
        watcher = null;

        assertThat(threads()).isEmpty();
    }

    private void start() {
        watcher = ConfWatcher.start(List.of(conf), files(), this::readers, TIMING, log);
    }

    private ConfFiles files() {
        return new ConfFiles(configurations, home, log);
    }

    private Readers readers() {
        lookups.incrementAndGet();
        return readers;
    }

    /** Waits until the watcher has read the folder once: a file there is applied. */
    private void awaitStarted() throws IOException {
        Path probe = Files.writeString(conf.resolve("io.connback.tcp-probe.cfg"), "probe = 1\n");
        Await.until("the probe applied", TIMEOUT, () -> configurations.byPid.containsKey("io.connback.tcp~probe"));
        Files.delete(probe);
        Await.until("the probe deleted", TIMEOUT, () -> !configurations.byPid.containsKey("io.connback.tcp~probe"));
        log.clear();
        configurations.applied.clear();
    }

    private static List<String> threads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(ConfWatcher.THREAD_NAME::equals).toList();
    }
}
