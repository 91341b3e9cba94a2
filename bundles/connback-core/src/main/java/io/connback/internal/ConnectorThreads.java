package io.connback.internal;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that call the connectors of every Connback of the JVM on the shared scheduler, named
 * {@code connback-connector-N}: {@code connect}, {@code close} and {@code ping} run here, one call at a time per
 * Connback, never on the scheduler's threads, so a connector that blocks holds up its own Connback only.
 *
 * <p>A call goes to an idle thread if there is one, else to a new thread, up to {@value #MAX_THREADS}; only when that
 * many connectors are inside a call at once do further calls wait. Threads idle for {@value #IDLE_SECONDS} s end, so
 * a JVM with nothing to call runs none. (A plain {@link ThreadPoolExecutor} either queues before it grows, and a
 * blocked call then holds up the calls queued behind it, or starts a thread per task below its core size.)
 */
public final class ConnectorThreads {

    /** How many connector calls can run (or hang) at once before others wait. */
    public static final int MAX_THREADS = 64;

    /** How long an idle thread lives. */
    public static final long IDLE_SECONDS = 5;

    /** The pool of every Connback on the shared scheduler. */
    public static final ThreadPoolExecutor SHARED = create("connback-connector");

    private ConnectorThreads() {}

    /**
     * Creates a pool that grows rather than queue.
     *
     * @param name the prefix of its threads' names
     * @return the pool
     */
    public static ThreadPoolExecutor create(String name) {
        HandOff queue = new HandOff();
        AtomicInteger threads = new AtomicInteger();
        return new ThreadPoolExecutor(0, MAX_THREADS, IDLE_SECONDS, TimeUnit.SECONDS, queue, task -> {
            Thread thread = new Thread(task, name + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, (task, full) -> queue.put(task)); // every thread busy: wait for the first one free
    }

    /** Accepts a task only for a thread that waits for one, so that the pool starts a thread rather than queue it. */
    private static final class HandOff extends LinkedTransferQueue<Runnable> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean offer(Runnable task) {
            return tryTransfer(task);
        }
    }
}
