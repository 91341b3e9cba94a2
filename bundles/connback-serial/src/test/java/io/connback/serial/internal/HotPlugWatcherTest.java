package io.connback.serial.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.Subscription;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HotPlugWatcherTest {

    @TempDir
    Path dev;

    private final HotPlugWatcher watcher = new HotPlugWatcher(Duration.ofMillis(20), Duration.ofSeconds(30));
    private final BlockingQueue<Long> appearances = new LinkedBlockingQueue<>();

    private final List<Subscription> subscriptions = new ArrayList<>();

    @AfterEach
    void closeWatches() {
        subscriptions.forEach(Subscription::close);
    }

    private Subscription watchFor(Path node) {
        return watch(watcher, node.getParent(), () -> Files.exists(node));
    }

    private Subscription watch(HotPlugWatcher on, Path folder, BooleanSupplier isPresent) {
        Subscription subscription = on.watch(folder, isPresent, () -> appearances.add(System.nanoTime()));
        subscriptions.add(subscription);
        return subscription;
    }

    private long millisUntilAppearance(long since) throws InterruptedException {
        Long at = appearances.poll(5, TimeUnit.SECONDS);
        assertThat(at).as("appearance reported").isNotNull();
        return TimeUnit.NANOSECONDS.toMillis(at - since);
    }

    @Test
    void reportsADeviceThatAppearsWellWithinHalfASecond() throws Exception {
        Path node = dev.resolve("ttyUSB1");
        Subscription waiting = watchFor(node);
        long plugged = System.nanoTime();
        Files.createFile(node);
        assertThat(millisUntilAppearance(plugged)).isLessThan(500);
        // as a link does: watch while waiting for the device, stop once connected, watch again after the next unplug
        waiting.close();
        Files.delete(node);
        watchFor(node);
        long replugged = System.nanoTime();
        Files.createFile(node);
        assertThat(millisUntilAppearance(replugged)).isLessThan(500);
        assertThat(appearances.poll(200, TimeUnit.MILLISECONDS)).as("each appearance is reported once").isNull();
    }

    @Test
    void aDeviceThatCameBetweenTheCallersLookAndTheWatchIsReportedAtOnceAndOnce() throws Exception {
        // the caller found no device, then it appeared, then the watch started: the rescan is 30 s away
        Path node = Files.createFile(dev.resolve("ttyUSB0"));
        long watched = System.nanoTime();
        watchFor(node);
        assertThat(millisUntilAppearance(watched)).isLessThan(100);
        Files.writeString(node, "an event in the folder");
        assertThat(appearances.poll(300, TimeUnit.MILLISECONDS)).as("reported once").isNull();
    }

    @Test
    void aBurstOfEventsIsReportedOnce() throws Exception {
        Path node = dev.resolve("ttyACM0");
        watchFor(node);
        Files.createFile(node);
        for (int i = 0; i < 20; i++) {
            Files.writeString(node, "udev touches it " + i);
            Files.createFile(dev.resolve("by-id-link-" + i));
        }
        millisUntilAppearance(System.nanoTime());
        assertThat(appearances.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aFolderThatDoesNotExistYetIsWatchedThroughItsParent() throws Exception {
        Path byId = dev.resolve("serial/by-id");
        Path node = byId.resolve("usb-FTDI_FT232R_A50285BI-if00-port0");
        watchFor(node);
        long plugged = System.nanoTime();
        Files.createDirectories(byId);
        Files.createFile(node);
        assertThat(millisUntilAppearance(plugged)).isLessThan(1000);
    }

    @Test
    void thePeriodicRescanFindsDevicesThatRaiseNoEvent() throws Exception {
        HotPlugWatcher rescanning = new HotPlugWatcher(Duration.ofMillis(20), Duration.ofMillis(100));
        AtomicBoolean present = new AtomicBoolean();
        watch(rescanning, dev, present::get);
        long plugged = System.nanoTime();
        present.set(true);
        assertThat(millisUntilAppearance(plugged)).isLessThan(1000);
    }

    @Test
    void theThreadRunsOnlyWhileSomethingIsWatched() throws IOException, InterruptedException {
        assertThat(watcher.isRunning()).isFalse();
        Subscription first = watchFor(dev.resolve("a"));
        Subscription second = watchFor(dev.resolve("b"));
        assertThat(hotplugThreads()).isEqualTo(1);
        first.close();
        assertThat(watcher.isRunning()).isTrue();
        second.close();
        second.close();
        assertThat(watcher.isRunning()).isFalse();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (hotplugThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(hotplugThreads()).isZero();
        // and it comes back with the next watch
        watchFor(dev.resolve("c"));
        long plugged = System.nanoTime();
        Files.createFile(dev.resolve("c"));
        assertThat(millisUntilAppearance(plugged)).isLessThan(500);
    }

    private static long hotplugThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("connback-serial-hotplug")).count();
    }
}
