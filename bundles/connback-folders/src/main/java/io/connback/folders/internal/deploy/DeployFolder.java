package io.connback.folders.internal.deploy;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Watches the gateway's {@code deploy/}, the folder named by the framework property {@value #FOLDER_PROPERTY}:
 * a jar dropped there is installed and started, a jar replaced is updated in place, a jar removed is uninstalled;
 * every other file, and every jar that is not a valid bundle, gets one line that says why (see {@link Deployer}).
 * Without the property, nothing is watched.
 *
 * <p>One thread, {@value #THREAD_NAME}, does it all: it waits for the folder's file system events, and scans the
 * folder after each of them, when a file's settle or incomplete time is over, and every
 * {@link #RESCAN_INTERVAL} in case events were lost (or the file system sends none). Deactivation stops it and
 * waits for it to end.
 */
@Component(service = {}, immediate = true)
public final class DeployFolder {

    /** The framework property that names the folder, an absolute path. */
    public static final String FOLDER_PROPERTY = "connback.deploy";

    static final String THREAD_NAME = "connback-deploy";
    /** How long a file must stay unchanged before it is looked at: a file copied in place is then complete. */
    static final Duration SETTLE = Duration.ofMillis(100);
    /** How long a jar may stay an incomplete zip file (still being written, or paused) before it is reported. */
    static final Duration INCOMPLETE = Duration.ofSeconds(2);
    /** The scan that runs without an event: a fallback for lost events and file systems that send none. */
    static final Duration RESCAN_INTERVAL = Duration.ofSeconds(5);

    private static final Logger LOG = System.getLogger("io.connback.folders.deploy");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Path folder;
    private final Deployer deployer;
    private final WatchService watcher;
    private final Thread thread;
    private volatile boolean stopping;

    /**
     * Starts watching the folder of {@value #FOLDER_PROPERTY}, if the property is set.
     *
     * @param context the context that installs the folder's bundles
     * @throws IOException if the file system's watch service cannot be had
     */
    @Activate
    public DeployFolder(BundleContext context) throws IOException {
        String value = context.getProperty(FOLDER_PROPERTY);
        Path path = value == null || value.isBlank() ? null : Path.of(value.trim());
        if (path == null || !path.isAbsolute()) {
            LOG.log(value == null ? Level.DEBUG : Level.WARNING, FOLDER_PROPERTY + " = '" + value + "': "
                    + (value == null ? "not set" : "not an absolute path") + ": no deploy folder is watched");
            folder = null;
            deployer = null;
            watcher = null;
            thread = null;
            return;
        }
        folder = path.normalize();
        deployer = new Deployer(context, folder, SETTLE, INCOMPLETE, LOG::log);
        watcher = folder.getFileSystem().newWatchService();
        thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
        LOG.log(Level.DEBUG, "watching " + folder);
    }

    /** Stops the thread and waits for it to end: it ends after the file it is acting on, if any. */
    @Deactivate
    void stop() {
        if (thread == null) {
            return;
        }
        stopping = true;
        try {
            watcher.close(); // wakes the thread up if it waits for an event
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot close the watch service of " + folder + ": " + e);
        }
        try {
            thread.join(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(Level.WARNING, THREAD_NAME + " did not end within " + STOP_TIMEOUT.toSeconds() + " s");
        }
    }

    private void run() {
        WatchKey key = null;
        while (!stopping) {
            try {
                if (key == null || !key.isValid()) {
                    key = register();
                }
                long next = deployer.scan(System.nanoTime());
                long rescan = RESCAN_INTERVAL.toNanos();
                long wait = next == Deployer.NO_DEADLINE ? rescan : Math.min(rescan, next - System.nanoTime());
                WatchKey signalled = wait > 0 ? watcher.poll(wait, TimeUnit.NANOSECONDS) : watcher.poll();
                // what changed is in the next scan; the events only wake the thread up
                for (; signalled != null; signalled = watcher.poll()) {
                    signalled.pollEvents();
                    signalled.reset();
                }
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return; // deactivated
            } catch (IllegalStateException e) {
                if (stopping) {
                    return; // the bundle context became invalid as the bundle stopped
                }
                fail(e);
            } catch (RuntimeException e) {
                fail(e);
            }
        }
    }

    /** A scan failed on a defect: said with its stack; the next scan is a rescan interval later. */
    private void fail(RuntimeException e) {
        LOG.log(Level.ERROR, "the scan of " + folder + " failed: " + e, e);
        try {
            Thread.sleep(RESCAN_INTERVAL.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    /**
     * Registers the folder with the watch service, or returns null if it cannot be watched (not there yet, or
     * gone): then the rescans find its files, and the scan has said what is wrong with the folder.
     */
    private WatchKey register() {
        try {
            return folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            return null;
        }
    }
}
