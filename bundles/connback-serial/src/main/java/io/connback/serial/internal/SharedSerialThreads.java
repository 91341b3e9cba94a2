package io.connback.serial.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that all serial links of the JVM share, besides one reader per open port: opening a port (jSerialComm
 * blocks while it configures the line) and writing (blocking writes with a timeout). Each pool holds at most one task
 * per link at a time (an attempt in flight, a pending flush), so its queue is bounded by the number of links. Idle
 * threads end after a few seconds; the hot-plug watcher runs only while a link waits for its device.
 *
 * <p>In an OSGi framework the connector's components hold a {@linkplain #retain() lease}. Releasing the last one (the
 * bundle stops, is updated or uninstalled) waits for the readers and the hot-plug watcher to end, and for the pools'
 * tasks to be done, so that no code of a stopped bundle runs on once its class loader is gone.
 */
public final class SharedSerialThreads {

    private static final System.Logger LOG = System.getLogger(SharedSerialThreads.class.getName());

    private static final int THREADS = 2;
    private static final long IDLE_SECONDS = 5;
    private static final long POOL_POLL_MILLIS = 10;

    /** Opens ports. */
    public static final ThreadPoolExecutor OPENER = pool("connback-serial-open");
    /** Writes to ports. */
    public static final ThreadPoolExecutor WRITER = pool("connback-serial-writer");
    /** Tells waiting links that their device is back: inotify events, debounced, and a rescan every 2 s. */
    public static final HotPlugWatcher HOT_PLUG = new HotPlugWatcher(Duration.ofMillis(20), Duration.ofSeconds(2));

    private static final Set<Thread> RUNNING = ConcurrentHashMap.newKeySet(); // readers and the hot-plug watcher
    private static final Object LEASES = new Object();
    private static int leases; // guarded by LEASES

    private SharedSerialThreads() {}

    /**
     * Starts a daemon thread that the release of the last lease waits for.
     *
     * @param name the thread's name
     * @param task what it runs
     * @return the started thread
     */
    static Thread start(String name, Runnable task) {
        Thread thread = new Thread(() -> {
            try {
                task.run();
            } finally {
                RUNNING.remove(Thread.currentThread());
            }
        }, name);
        thread.setDaemon(true);
        RUNNING.add(thread);
        thread.start();
        return thread;
    }

    /**
     * Takes a lease, for the lifetime of a component that makes links.
     *
     * @return the lease, to {@linkplain Lease#release(Duration) release} when the component stops
     */
    public static Lease retain() {
        synchronized (LEASES) {
            leases++;
        }
        return new Lease();
    }

    /** A component's hold on the serial threads; see {@link #retain()}. */
    public static final class Lease {
        private boolean released; // guarded by LEASES

        private Lease() {}

        /**
         * Ends the lease; the last one waits for the readers (whose links are closing) and the hot-plug watcher to end,
         * and for the pools' tasks to be done.
         *
         * @param timeout the longest wait
         * @throws InterruptedException if interrupted while waiting
         */
        public void release(Duration timeout) throws InterruptedException {
            synchronized (LEASES) {
                if (released) {
                    return;
                }
                released = true;
                if (--leases > 0) {
                    return;
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Thread thread : List.copyOf(RUNNING)) {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            // a last flush or connection attempt of the stopping bundle may still be queued on the pools
            while ((busy(OPENER) || busy(WRITER)) && System.nanoTime() - deadline < 0) {
                Thread.sleep(POOL_POLL_MILLIS);
            }
            List<Thread> left = List.copyOf(RUNNING);
            if (!left.isEmpty() || busy(OPENER) || busy(WRITER)) {
                LOG.log(Level.WARNING, () -> "serial threads still at work after the connector stopped: " + left
                        + ", opener tasks " + (OPENER.getActiveCount() + OPENER.getQueue().size())
                        + ", writer tasks " + (WRITER.getActiveCount() + WRITER.getQueue().size()));
            }
        }
    }

    private static boolean busy(ThreadPoolExecutor pool) {
        return pool.getActiveCount() > 0 || !pool.getQueue().isEmpty();
    }

    private static ThreadPoolExecutor pool(String name) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
