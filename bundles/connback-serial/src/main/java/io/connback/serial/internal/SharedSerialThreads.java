package io.connback.serial.internal;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that all serial links of the JVM share, besides one reader per open port: opening a port (jSerialComm
 * blocks while it configures the line) and writing (blocking writes with a timeout). Each pool holds at most one task
 * per link at a time (an attempt in flight, a pending flush), so its queue is bounded by the number of links. Idle
 * threads end after a few seconds; the hot-plug watcher runs only while a link waits for its device.
 */
public final class SharedSerialThreads {

    private static final int THREADS = 2;
    private static final long IDLE_SECONDS = 5;

    /** Opens ports. */
    public static final ThreadPoolExecutor OPENER = pool("connback-serial-open");
    /** Writes to ports. */
    public static final ThreadPoolExecutor WRITER = pool("connback-serial-writer");
    /** Tells waiting links that their device is back: inotify events, debounced, and a rescan every 2 s. */
    public static final HotPlugWatcher HOT_PLUG = new HotPlugWatcher(Duration.ofMillis(20), Duration.ofSeconds(2));

    private SharedSerialThreads() {}

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
