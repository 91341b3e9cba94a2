package io.connback.serial.internal;

import io.connback.Subscription;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Tells waiting serial links that their device has (re)appeared, so that a replug is picked up at once instead of
 * after the backoff delay (which may be 30 s).
 *
 * <p>One watcher serves every serial link of the JVM with one thread, {@code connback-serial-hotplug}, started with
 * the first watch and stopped with the last. It watches the folders where device nodes appear with the JDK
 * {@link WatchService} (inotify on Linux), debounces bursts of events (udev creates a node, then its symlinks, then
 * changes permissions), and rescans every watch periodically as a fallback for file systems without events (sysfs,
 * some container mounts). A watch fires its callback on each transition from absent to present, on the watcher thread;
 * callbacks must be quick (post a message, e.g. {@code connback.retryNow()}).
 */
public final class HotPlugWatcher {

    private static final System.Logger LOG = System.getLogger(HotPlugWatcher.class.getName());

    private final Duration debounce;
    private final Duration rescanInterval;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final Object lifecycle = new Object();
    private Runner running; // guarded by lifecycle

    /**
     * Creates a watcher; no thread runs until the first watch.
     *
     * @param debounce how long to let a burst of events settle before checking
     * @param rescanInterval how often every watch is checked even without events
     */
    public HotPlugWatcher(Duration debounce, Duration rescanInterval) {
        this.debounce = debounce;
        this.rescanInterval = rescanInterval;
    }

    /**
     * Watches for a device to appear. The caller watches because it did not find the device: one that is there when
     * the watch starts came meanwhile, and is reported at once, on the calling thread. The folder is watched before
     * that look, so that a device cannot appear unseen between the two.
     *
     * @param folder the folder whose changes may mean the device appeared (created later if missing: its nearest
     *     existing ancestor is watched meanwhile)
     * @param isPresent whether the device is there now; must be quick and thread-safe
     * @param onAppear called on each transition from absent to present
     * @return the watch; closing it ends the watch (and the thread with the last watch)
     */
    public Watch watch(Path folder, BooleanSupplier isPresent, Runnable onAppear) {
        Watch watch = new Watch(folder.toAbsolutePath().normalize(), isPresent, onAppear);
        synchronized (lifecycle) {
            if (running == null) {
                running = start();
            }
            running.register(watch.folder);
            watches.add(watch);
        }
        if (watch.appearedSinceLastLook()) {
            watch.onAppear.run();
        }
        return watch;
    }

    private void end(Watch watch) {
        synchronized (lifecycle) {
            if (watches.remove(watch) && watches.isEmpty()) {
                running.stop();
                running = null;
            }
        }
    }

    /**
     * Whether the watcher thread runs.
     *
     * @return {@code true} while at least one watch exists
     */
    public boolean isRunning() {
        synchronized (lifecycle) {
            return running != null;
        }
    }

    private Runner start() {
        WatchService service;
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch for serial devices", e);
        }
        Runner runner = new Runner(service);
        SharedSerialThreads.start("connback-serial-hotplug", runner::run);
        return runner;
    }

    /** One run of the watcher thread, over one watch service; closing the service ends the thread. */
    private final class Runner {
        private final WatchService service;
        private final Map<Path, WatchKey> registered = new ConcurrentHashMap<>();

        Runner(WatchService service) {
            this.service = service;
        }

        void stop() {
            try {
                service.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing the watch service failed", e);
            }
        }

        /** Watches the folder, or its nearest existing ancestor until it exists. Thread-safe. */
        void register(Path folder) {
            Path existing = nearestExisting(folder);
            if (existing == null) {
                return;
            }
            WatchKey key = registered.get(existing);
            if (key != null && key.isValid()) {
                return;
            }
            try {
                registered.put(existing, existing.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY));
            } catch (ClosedWatchServiceException e) {
                // stopped meanwhile
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "cannot watch " + existing + "; relying on the periodic rescan", e);
            }
        }

        void run() {
            long nextRescan = System.nanoTime() + rescanInterval.toNanos();
            try {
                while (true) {
                    WatchKey key = service.poll(Math.max(0, nextRescan - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (key != null) {
                        settle(key);
                    } else {
                        nextRescan = System.nanoTime() + rescanInterval.toNanos();
                    }
                    for (Watch watch : watches) {
                        register(watch.folder); // a missing folder may have appeared
                    }
                    checkAll();
                }
            } catch (ClosedWatchServiceException e) {
                LOG.log(Level.DEBUG, "hot-plug watcher stopped");
            } catch (InterruptedException e) {
                LOG.log(Level.DEBUG, "hot-plug watcher interrupted");
            }
        }

        /** Drains the burst that {@code first} starts, until no event arrived for the debounce time. */
        private void settle(WatchKey first) throws InterruptedException {
            WatchKey key = first;
            while (key != null) {
                key.pollEvents();
                key.reset();
                key = service.poll(debounce.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    private void checkAll() {
        List<Runnable> appeared = new ArrayList<>();
        for (Watch watch : watches) {
            if (watch.appearedSinceLastLook()) {
                appeared.add(watch.onAppear);
            }
        }
        for (Runnable callback : appeared) {
            try {
                callback.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "hot-plug callback failed", e);
            }
        }
    }

    private static Path nearestExisting(Path folder) {
        Path candidate = folder;
        while (candidate != null && !Files.isDirectory(candidate)) {
            candidate = candidate.getParent();
        }
        return candidate;
    }

    /** One watch of a device; closing it ends the watch. */
    public final class Watch implements Subscription {
        final Path folder;
        final BooleanSupplier isPresent;
        final Runnable onAppear;
        private boolean present; // guarded by this: at the last look; false at the start, and after expectAppearance

        Watch(Path folder, BooleanSupplier isPresent, Runnable onAppear) {
            this.folder = folder;
            this.isPresent = isPresent;
            this.onAppear = onAppear;
        }

        /**
         * Takes the device for absent again, so that the next check that finds it fires the callback again: for a
         * device that appeared but could not be used yet (udev sets a new node's permissions a moment after creating
         * it, and changing them is an event of the folder).
         */
        public synchronized void expectAppearance() {
            present = false;
        }

        /** Looks for the device: whether it is there and was not at the last look (the first look included). */
        synchronized boolean appearedSinceLastLook() {
            boolean now;
            try {
                now = isPresent.getAsBoolean();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> "checking for a device in " + folder + " failed", e);
                return false;
            }
            boolean appeared = now && !present;
            present = now;
            return appeared;
        }

        @Override
        public void close() {
            end(this);
        }

    }
}
