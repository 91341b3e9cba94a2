package io.connback.link;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that deliver the frames of every {@link AbstractLink} of the JVM to their listeners, named
 * {@code connback-link-delivery-N}. Each link runs at most one task here at a time (its frames in order), so a link
 * whose listener blocks holds one thread and no other link waits for it.
 *
 * <p>A task goes to an idle thread if there is one, else to a new thread, up to {@value #MAX_THREADS}; only when that
 * many links are delivering at once do further tasks wait for a thread. Threads idle for {@value #IDLE_SECONDS} s end,
 * so a JVM without traffic runs none. (A plain {@link ThreadPoolExecutor} either queues before it grows, and one
 * blocked task then holds up the queue behind it, or starts a thread per task below its core size.)
 */
final class DeliveryThreads {

    /** How many links can deliver (or be stuck in a listener) at once before other links' frames wait. */
    static final int MAX_THREADS = 64;
    static final long IDLE_SECONDS = 5;

    /** The pool of every link. */
    static final ThreadPoolExecutor SHARED = create("connback-link-delivery");

    private DeliveryThreads() {}

    static ThreadPoolExecutor create(String name) {
        HandOff queue = new HandOff();
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, MAX_THREADS, IDLE_SECONDS, TimeUnit.SECONDS, queue,
                task -> {
                    Thread thread = new Thread(task, name + "-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                (task, full) -> queue.put(task)); // every thread busy: wait for the first one free
        return pool;
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
