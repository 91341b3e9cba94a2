package io.connback.internal;

import io.connback.ConnbackScheduler;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds the default {@link ConnbackScheduler}: one small pool of daemon threads named {@code connback-N} for every
 * Connback's timers and event delivery. Threads end after a few idle seconds, so a JVM (or an OSGi framework) with no
 * Connback left runs no Connback thread; they come back when needed. Timers are coalesced on a
 * {@value #TICK_MILLIS} ms grid: ten thousand links at keepalive 5 s make 4,000 timers a second, and on the grid a
 * pool thread wakes once per tick for them.
 */
public final class SharedScheduler {

    /** How many worker threads the shared pool runs at most. */
    public static final int THREADS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

    /** How long an idle worker thread lives. */
    public static final long IDLE_TIMEOUT_SECONDS = 5;

    /** The grid on which timers are due. */
    public static final long TICK_MILLIS = 10;

    /** The one instance behind {@link ConnbackScheduler#shared()}. */
    public static final ConnbackScheduler INSTANCE =
            new ExecutorScheduler(newExecutor(), TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));

    private SharedScheduler() {}

    private static ScheduledThreadPoolExecutor newExecutor() {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = task -> {
            Thread thread = new Thread(task, "connback-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(THREADS, threads);
        executor.setRemoveOnCancelPolicy(true);
        executor.setKeepAliveTime(IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
