package io.connback.internal;

import io.connback.ConnbackScheduler;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default {@link ConnbackScheduler}: one small pool of daemon threads named {@code connback-N} for every
 * Connback's timers and event delivery. Threads end after a few idle seconds, so a JVM (or an OSGi framework) with no
 * Connback left runs no Connback thread; they come back when needed.
 *
 * <p>Timers are coalesced: a timer's due time is rounded up to the next tick of a {@value #TICK_MILLIS} ms grid. Ten
 * thousand links at keepalive 5 s make 4,000 timers a second; on the grid, a pool thread wakes once per tick and runs
 * the tick's timers one after the other instead of sleeping and waking for each (as Netty's hashed wheel does). No
 * timer runs early, and none more than a tick late.
 */
public final class SharedScheduler implements ConnbackScheduler {

    /** How many worker threads the shared pool runs at most. */
    public static final int THREADS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

    /** How long an idle worker thread lives. */
    public static final long IDLE_TIMEOUT_SECONDS = 5;

    /** The grid on which timers are due. */
    public static final long TICK_MILLIS = 10;

    /** The one instance behind {@link ConnbackScheduler#shared()}. */
    public static final ConnbackScheduler INSTANCE = new SharedScheduler();

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);

    private final ConnbackScheduler executor = new ExecutorScheduler(newExecutor());

    private SharedScheduler() {}

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        if (delayNanos <= 0) {
            return executor.schedule(task, 0);
        }
        long now = System.nanoTime();
        long due = now + delayNanos;
        long onGrid = Math.floorDiv(due + TICK_NANOS - 1, TICK_NANOS) * TICK_NANOS;
        return executor.schedule(task, onGrid - now);
    }

    @Override
    public String toString() {
        return "ConnbackScheduler.shared[" + THREADS + " threads, " + TICK_MILLIS + " ms ticks]";
    }

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
