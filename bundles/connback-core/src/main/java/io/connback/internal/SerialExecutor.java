package io.connback.internal;

import java.lang.System.Logger.Level;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: an actor's mailbox without a thread of its own.
 * Each task sees the effects of the previous ones (the hand-over goes through {@link AtomicBoolean} and the queue).
 * After a batch it yields its pool thread, so one busy actor does not starve the others.
 */
public final class SerialExecutor implements Executor {

    private static final System.Logger LOG = System.getLogger(SerialExecutor.class.getName());
    private static final int BATCH = 64;

    private final Executor pool;
    private final Queue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /**
     * Creates an actor on a pool.
     *
     * @param pool runs the drains
     */
    public SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        mailbox.add(task);
        scheduleDrain();
    }

    /**
     * Like {@link #execute(Runnable)}, but when no drain is running or scheduled, drains right here on the calling
     * thread instead of handing the drain to the pool. For callers that already run on a pool thread and hold no lock
     * (timer tasks), it saves a hand-off.
     *
     * @param task the task
     */
    public void executeHere(Runnable task) {
        mailbox.add(task);
        if (scheduled.compareAndSet(false, true)) {
            drain();
        }
    }

    private void scheduleDrain() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                LOG.log(Level.ERROR, "executor rejected a Connback task; " + mailbox.size() + " tasks wait", e);
            }
        }
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            Runnable task = mailbox.poll();
            if (task == null) {
                break;
            }
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "Connback task failed", e);
            }
        }
        scheduled.set(false);
        if (!mailbox.isEmpty()) {
            scheduleDrain();
        }
    }
}
