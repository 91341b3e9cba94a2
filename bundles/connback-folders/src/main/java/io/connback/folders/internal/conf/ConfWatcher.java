package io.connback.folders.internal.conf;

import io.connback.config.ConfigValues;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Watches the {@code conf/} folders on one thread, {@value #THREAD_NAME}, and hands each file that changed to
 * {@link ConfFiles} once it has settled: once its size, modification time and inode stayed the same for the settle
 * time, so that a file being written is read whole. The JDK {@link WatchService} (inotify on Linux) tells of changes
 * at once; a periodic rescan catches what it misses (an overflow, file systems without events).
 *
 * <p>The PIDs that the installed components read are looked up on the same thread, once the framework has started
 * and the bundles have been quiet for a while: at the gateway's start, the connector bundles are still being
 * installed, and a file is not to be called unread for that.
 *
 * <p>{@link #frameworkStarted()} and {@link #componentsChanged()} may be called from any thread (the framework's
 * event threads); they only set flags. Everything else runs on the watcher's thread, which owns all the state.
 */
final class ConfWatcher {

    /** The watcher thread's name. */
    static final String THREAD_NAME = "connback-conf";

    /** A larger file is not read: it is no configuration, and reading it would hold much memory. */
    static final long MAX_SIZE = 16L << 20;

    /** The longest the thread sleeps, so that it sees the flags that other threads set. */
    private static final Duration TICK = Duration.ofMillis(200);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The watcher's times.
     *
     * @param settle how long a file must stay unchanged before it is read
     * @param rescan how often the folders are listed, in case an event was missed
     * @param componentsQuiet how long the bundles must be quiet before the components' PIDs are looked up
     */
    record Timing(Duration settle, Duration rescan, Duration componentsQuiet) {
        /** The gateway's: a save applies within about 0.2 s; the components are looked up 1 s after the last change. */
        static final Timing GATEWAY = new Timing(Duration.ofMillis(150), Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    /** What identifies a version of a file. */
    private record Stamp(long size, FileTime modified, Object fileKey, boolean directory) {}

    /** A file that changed, with its stamp when last seen and since when it has had it. */
    private record Pending(Stamp stamp, long sinceNanos) {}

    private final List<Path> folders;
    private final ConfFiles files;
    private final Supplier<Readers> readers;
    private final Timing timing;
    private final Logger log;
    private final WatchService service;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean frameworkStarted;
    private volatile long componentsChangedNanos = System.nanoTime();
    private final AtomicBoolean componentsChanged = new AtomicBoolean(true);

    // owned by the watcher thread
    private final Map<Path, Stamp> seen = new HashMap<>();
    private final Map<Path, Pending> settling = new LinkedHashMap<>();
    private final Map<Path, WatchKey> keys = new HashMap<>();
    private final Set<Path> missingFolders = new HashSet<>();
    private final Set<Path> unreadable = new HashSet<>();
    private boolean rescanNow;
    private boolean orphansDeleted;
    private String lastFailure;

    private ConfWatcher(List<Path> folders, ConfFiles files, Supplier<Readers> readers, Timing timing,
            Logger log) {
        this.folders = List.copyOf(folders);
        this.files = files;
        this.readers = readers;
        this.timing = timing;
        this.log = log;
        this.service = newWatchService(log);
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
    }

    /**
     * Starts watching.
     *
     * @param folders the absolute folders
     * @param files what to do with the files
     * @param readers the PIDs that the installed components read; called on the watcher thread
     * @param timing the times
     * @param log where the watcher's own lines go
     * @return the running watcher
     */
    static ConfWatcher start(List<Path> folders, ConfFiles files, Supplier<Readers> readers, Timing timing,
            Logger log) {
        ConfWatcher watcher = new ConfWatcher(folders, files, readers, timing, log);
        watcher.thread.start();
        return watcher;
    }

    private static WatchService newWatchService(Logger log) {
        try {
            return FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            log.log(Level.WARNING, "cannot watch the conf folders (" + e + "); they are listed every "
                    + TICK.toMillis() + " ms instead");
            return null;
        }
    }

    /** The framework has started: from now on, the components' PIDs are worth looking up. Any thread. */
    void frameworkStarted() {
        frameworkStarted = true;
        LockSupport.unpark(thread);
    }

    /** A bundle changed, and so may have the installed components. Any thread. */
    void componentsChanged() {
        componentsChangedNanos = System.nanoTime();
        componentsChanged.set(true);
    }

    /**
     * Stops the thread, and waits for it to end (it may be applying a file).
     *
     * @throws InterruptedException if interrupted while waiting
     */
    void stop() throws InterruptedException {
        stopping = true;
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                log.log(Level.DEBUG, "closing the conf watch service failed", e);
            }
        }
        LockSupport.unpark(thread);
        thread.join(STOP_TIMEOUT.toMillis());
        if (thread.isAlive()) {
            log.log(Level.WARNING, THREAD_NAME + " did not end within " + STOP_TIMEOUT.toSeconds() + " s");
        }
    }

    private void run() {
        files.start();
        long nextRescan = System.nanoTime();
        try {
            while (!stopping) {
                try {
                    if (rescanNow || System.nanoTime() - nextRescan >= 0) {
                        rescanNow = false;
                        rescan();
                        nextRescan = System.nanoTime() + (service == null ? TICK : timing.rescan()).toNanos();
                    }
                    lookUpReaders();
                    settle();
                    if (!orphansDeleted && settling.isEmpty()) {
                        orphansDeleted = true;
                        files.deleteOrphans(seen.keySet());
                    }
                    awaitEvents(Math.min(nextRescan, nextDeadline()) - System.nanoTime());
                } catch (ClosedWatchServiceException e) {
                    // stopped
                } catch (RuntimeException e) {
                    failed(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.log(Level.DEBUG, THREAD_NAME + " stopped");
    }

    /** A bug: told once with its stack trace, then at DEBUG while it repeats, so that it cannot flood the log. */
    private void failed(RuntimeException e) {
        if (stopping) {
            return;
        }
        String failure = e.toString();
        if (failure.equals(lastFailure)) {
            log.log(Level.DEBUG, THREAD_NAME + ": the same failure again: " + failure);
        } else {
            log.log(Level.WARNING, THREAD_NAME + ": unexpected failure; carrying on", e);
        }
        lastFailure = failure;
    }

    /** Waits for file events, at most until a deadline or the tick, and takes note of those that came. */
    private void awaitEvents(long timeoutNanos) throws InterruptedException {
        long timeout = Math.max(0, Math.min(timeoutNanos, TICK.toNanos()));
        if (service == null) {
            LockSupport.parkNanos(timeout);
            return;
        }
        WatchKey key = service.poll(timeout, TimeUnit.NANOSECONDS);
        while (key != null) {
            Path folder = (Path) key.watchable();
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    rescanNow = true;
                } else {
                    mark(folder.resolve((Path) event.context()));
                }
            }
            if (!key.reset()) {
                keys.remove(folder); // the folder is gone: the rescan tells
                rescanNow = true;
            }
            key = service.poll();
        }
    }

    /** The earliest time the thread has something to do, other than the rescan. */
    private long nextDeadline() {
        long deadline = System.nanoTime() + TICK.toNanos();
        for (Pending pending : settling.values()) {
            deadline = Math.min(deadline, pending.sinceNanos() + timing.settle().toNanos());
        }
        if (frameworkStarted && componentsChanged.get()) {
            deadline = Math.min(deadline, componentsChangedNanos + timing.componentsQuiet().toNanos());
        }
        return deadline;
    }

    /** Lists the folders, watching those that appeared, and marks every file that changed or went. */
    private void rescan() {
        Set<Path> present = new HashSet<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                keys.remove(folder);
                if (missingFolders.add(folder)) {
                    log.log(Level.WARNING, ConfFolder.FOLDERS_PROPERTY + ": " + ConfigValues.inLine(folder.toString())
                            + " is not a folder (yet); watching for it");
                }
                continue;
            }
            if (missingFolders.remove(folder)) {
                log.log(Level.INFO, ConfFolder.FOLDERS_PROPERTY + ": " + ConfigValues.inLine(folder.toString())
                        + " is there now");
            }
            watch(folder);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
                for (Path file : entries) {
                    present.add(file);
                    if (!settling.containsKey(file) && (!Objects.equals(stamp(file), seen.get(file))
                            || unreadable.contains(file) && Files.isReadable(file))) {
                        mark(file);
                    }
                }
            } catch (IOException e) {
                log.log(Level.DEBUG, "cannot list " + folder + "; next time", e);
                seen.keySet().stream().filter(file -> folder.equals(file.getParent())).forEach(present::add);
            }
        }
        List<Path> gone = new ArrayList<>(seen.keySet());
        gone.removeAll(present);
        gone.forEach(this::mark);
    }

    private void watch(Path folder) {
        WatchKey key = keys.get(folder);
        if (service == null || key != null && key.isValid()) {
            return;
        }
        try {
            keys.put(folder, folder.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY));
        } catch (IOException e) {
            log.log(Level.DEBUG, "cannot watch " + folder + "; relying on the rescan every "
                    + timing.rescan().toMillis() + " ms", e);
        }
    }

    /** Notes that a file may have changed: it is read once it has settled. */
    private void mark(Path file) {
        Stamp stamp = stamp(file);
        Pending pending = settling.get(file);
        if (pending == null || !Objects.equals(pending.stamp(), stamp)) {
            settling.put(file, new Pending(stamp, System.nanoTime()));
        }
    }

    /** Hands on each file that stayed unchanged for the settle time. */
    private void settle() {
        for (Map.Entry<Path, Pending> entry : List.copyOf(settling.entrySet())) {
            Path file = entry.getKey();
            Stamp stamp = stamp(file);
            long now = System.nanoTime();
            if (!Objects.equals(stamp, entry.getValue().stamp())) {
                settling.put(file, new Pending(stamp, now));
            } else if (now - entry.getValue().sinceNanos() >= timing.settle().toNanos()) {
                settling.remove(file);
                if (!stopping) {
                    changed(file, stamp);
                }
            }
        }
    }

    /** A file that settled: created, saved, or gone ({@code stamp} null). */
    private void changed(Path file, Stamp stamp) {
        Stamp before = seen.get(file);
        ConfFileName name = ConfFileName.of(file.getFileName().toString());
        boolean configuration = name.kind() == ConfFileName.Kind.CONFIGURATION;
        if (stamp == null) {
            if (seen.remove(file) != null && configuration && !before.directory()) {
                unreadable.remove(file);
                files.deleted(file);
            }
            return;
        }
        if (stamp.equals(before) && !unreadable.contains(file)) {
            return;
        }
        seen.put(file, stamp);
        if (stamp.directory() || !configuration) {
            if (before == null) {
                files.ignored(file, stamp.directory() ? ConfFileName.Kind.OTHER : name.kind());
            }
            return;
        }
        if (stamp.size() > MAX_SIZE) {
            unreadable.remove(file);
            files.unreadable(file, stamp.size() + " bytes, more than a configuration file may have ("
                    + (MAX_SIZE >> 20) + " MiB)");
            return;
        }
        try {
            byte[] content = Files.readAllBytes(file);
            unreadable.remove(file);
            files.saved(file, content, permissions(file));
        } catch (NoSuchFileException e) {
            mark(file); // gone meanwhile: its deletion settles next
        } catch (IOException e) {
            unreadable.add(file);
            files.unreadable(file, e instanceof AccessDeniedException ? "permission denied"
                    : ConfigValues.inLine(e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    /** Looks up the components' PIDs once the framework has started and the bundles have been quiet. */
    private void lookUpReaders() {
        if (!componentsChanged.get()) {
            return;
        }
        if (!frameworkStarted || System.nanoTime() - componentsChangedNanos < timing.componentsQuiet().toNanos()) {
            files.readersChanging();
            return;
        }
        componentsChanged.set(false);
        files.readersChanged(readers.get());
    }

    private static Stamp stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey(),
                    attributes.isDirectory());
        } catch (IOException e) {
            return null;
        }
    }

    private static Set<PosixFilePermission> permissions(Path file) {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }
}
