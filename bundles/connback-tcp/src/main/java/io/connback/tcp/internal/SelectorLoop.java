package io.connback.tcp.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * One selector thread for every TCP link of the JVM. The thread, {@code connback-tcp-selector}, starts with the first
 * task and ends once no channel is registered and nothing happened for a {@linkplain #SelectorLoop(String, long)
 * linger time}, so a JVM (or an OSGi framework) without TCP links runs no such thread; it comes back when needed.
 *
 * <p>Channels are registered, read, written and closed on this thread only; other threads hand it work with
 * {@link #execute(Runnable)}. Handlers must never block: every TCP link of the JVM waits for them.
 *
 * <p>In an OSGi framework the connector's components hold a {@linkplain #retain() lease} on the loop. When the last
 * one is released (the bundle stops, is updated or uninstalled), the thread ends as soon as its channels are closed,
 * and the release waits for it: no code of a stopped bundle runs on afterwards, when its class loader is gone.
 */
final class SelectorLoop {

    /** The loop of every TCP link. */
    static final SelectorLoop SHARED = new SelectorLoop("connback-tcp-selector", TimeUnit.SECONDS.toNanos(1));

    /** The size of the buffer that plain reads go through; one per loop, as reads are consumed at once. */
    static final int READ_BUFFER_SIZE = 16 * 1024;

    private static final System.Logger LOG = System.getLogger(SelectorLoop.class.getName());

    /** How often a loop whose last lease is gone looks whether its channels are all closed. */
    private static final long STOPPING_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String threadName;
    private final long lingerNanos;
    private final Object lifecycle = new Object();
    private Worker running; // guarded by lifecycle
    private int leases; // guarded by lifecycle

    /**
     * Creates a loop; no thread runs until the first task.
     *
     * @param threadName the name of the loop's thread
     * @param lingerNanos how long the thread waits, idle and without channels, before it ends
     */
    SelectorLoop(String threadName, long lingerNanos) {
        this.threadName = threadName;
        this.lingerNanos = lingerNanos;
    }

    /** Reacts to the readiness of a registered channel; called on the loop's thread. */
    interface Handler {

        /**
         * The channel is ready for some of the operations of its key's interest set.
         *
         * @param key the channel's key, valid
         */
        void ready(SelectionKey key);

        /**
         * The loop failed and stops: the channel must be closed and its owner told.
         *
         * @param cause why the loop stopped
         */
        void abort(IOException cause);
    }

    /**
     * Runs a task on the loop's thread, after the tasks queued before it; starts the thread if none runs. Never blocks
     * for long: it queues the task and wakes the selector up.
     *
     * @param task the task; must not block
     * @throws UncheckedIOException if no selector could be opened
     */
    void execute(Runnable task) {
        synchronized (lifecycle) {
            if (running == null) {
                running = new Worker();
            }
            running.tasks.add(task);
            running.selector.wakeup();
        }
    }

    /**
     * Takes a lease on the loop, for the lifetime of a component that makes links.
     *
     * @return the lease, to {@linkplain Lease#release(long) release} when the component stops
     */
    Lease retain() {
        synchronized (lifecycle) {
            leases++;
        }
        return new Lease();
    }

    /**
     * Registers a channel with the loop's selector; only from a task or a handler, on the loop's thread.
     *
     * @param channel the channel, in non-blocking mode
     * @param ops the first interest set
     * @param handler called when the channel is ready
     * @return the channel's key, whose interest set may be changed on the loop's thread only
     * @throws ClosedChannelException if the channel is closed
     */
    SelectionKey register(SelectableChannel channel, int ops, Handler handler) throws ClosedChannelException {
        return channel.register(current().selector, ops, handler);
    }

    /**
     * Runs a task after a delay, on the loop's thread; only from a task or a handler. Pending timers keep the thread
     * alive.
     *
     * @param delayNanos the delay
     * @param task the task
     * @return the timer, to cancel it (on the loop's thread too)
     */
    Timer schedule(long delayNanos, Runnable task) {
        Worker worker = current();
        Timer timer = new Timer(worker, System.nanoTime() + delayNanos, worker.timerSequence++, task);
        worker.timers.add(timer);
        return timer;
    }

    /**
     * A buffer to read into, empty; only on the loop's thread, and to be consumed before the handler returns.
     *
     * @return the loop's read buffer, cleared
     */
    ByteBuffer readBuffer() {
        return current().readBuffer.clear();
    }

    private Worker current() {
        synchronized (lifecycle) {
            if (running == null || running.thread != Thread.currentThread()) {
                throw new IllegalStateException("not on the thread of " + threadName);
            }
            return running;
        }
    }

    @Override
    public String toString() {
        return "SelectorLoop[" + threadName + "]";
    }

    /** A component's hold on the loop; see {@link #retain()}. */
    final class Lease {
        private boolean released; // guarded by lifecycle

        private Lease() {}

        /**
         * Ends the lease. The last one makes the thread end as soon as no channel and no timer is left, skipping the
         * linger time, and waits for it; the channels still open at the timeout are closed as failed, so that the
         * thread ends anyway.
         *
         * @param timeoutNanos how long the channels may take to close (graceful closes drain their sends)
         * @throws InterruptedException if interrupted while waiting; the thread still ends once idle
         */
        void release(long timeoutNanos) throws InterruptedException {
            Worker worker;
            synchronized (lifecycle) {
                if (released) {
                    return;
                }
                released = true;
                if (--leases > 0 || running == null) {
                    return;
                }
                worker = running;
                worker.stopWhenIdle = true;
                worker.selector.wakeup();
            }
            worker.thread.join(TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + 1);
            synchronized (lifecycle) {
                if (running != worker) {
                    return;
                }
                LOG.log(Level.WARNING, () -> threadName + ": channels still open after the connector stopped; "
                        + "closing them");
                worker.tasks.add(() -> worker.abortAll(new IOException("the TCP connector stopped")));
                worker.selector.wakeup();
            }
            worker.thread.join(TimeUnit.SECONDS.toMillis(1));
        }
    }

    /** A delayed task; ties are broken by order of scheduling. */
    static final class Timer implements Comparable<Timer> {
        private final Worker worker;
        private final long deadline;
        private final long sequence;
        private final Runnable task;

        private Timer(Worker worker, long deadline, long sequence, Runnable task) {
            this.worker = worker;
            this.deadline = deadline;
            this.sequence = sequence;
            this.task = task;
        }

        /** Drops the timer if it has not run; on the loop's thread only. */
        void cancel() {
            worker.timers.remove(this);
        }

        @Override
        public int compareTo(Timer other) {
            int byDeadline = Long.compare(deadline - other.deadline, 0); // nanoTime values may wrap
            return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
        }
    }

    /** One run of the loop's thread, with its own selector: from the first task until idle. */
    private final class Worker implements Runnable {
        final Selector selector;
        final Thread thread;
        final Queue<Runnable> tasks = new ArrayDeque<>(); // guarded by lifecycle
        final PriorityQueue<Timer> timers = new PriorityQueue<>(); // loop thread only
        final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_SIZE);
        long timerSequence;
        boolean stopWhenIdle; // guarded by lifecycle: the last lease is gone, so the thread skips its linger time

        /** Opens the selector and starts the thread; called under the lifecycle lock. */
        Worker() {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a selector for " + threadName, e);
            }
            thread = new Thread(this, threadName);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            try {
                long idleSince = System.nanoTime();
                while (true) {
                    runTasks();
                    selector.select(this::dispatch, selectTimeoutMillis(idleSince));
                    runDueTimers();
                    if (!isIdle()) {
                        idleSince = System.nanoTime();
                    } else if ((stopWhenIdle() || System.nanoTime() - idleSince >= lingerNanos) && stopIfIdle()) {
                        return;
                    }
                }
            } catch (IOException | RuntimeException | Error e) {
                LOG.log(Level.ERROR, () -> threadName + " failed; closing its channels", e);
                stop(e instanceof IOException io ? io : new IOException(threadName + " failed", e));
            }
        }

        private void runTasks() {
            for (Runnable task = nextTask(); task != null; task = nextTask()) {
                run(task, "task");
            }
        }

        private Runnable nextTask() {
            synchronized (lifecycle) {
                return tasks.poll();
            }
        }

        private void dispatch(SelectionKey key) {
            Handler handler = (Handler) key.attachment();
            try {
                handler.ready(key);
            } catch (CancelledKeyException e) {
                LOG.log(Level.DEBUG, () -> threadName + ": " + handler + " closed while handling readiness");
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> threadName + ": handler " + handler + " failed", e);
            }
        }

        /**
         * Until the next timer, and at most the linger time: keys of closed channels leave the key set only during a
         * select, so an idle loop must wake up to notice that it has become idle.
         */
        private long selectTimeoutMillis(long idleSince) {
            long now = System.nanoTime();
            long wait = isIdle() ? lingerNanos - (now - idleSince) : lingerNanos;
            if (stopWhenIdle()) {
                wait = Math.min(wait, STOPPING_POLL_NANOS); // the last channels' keys leave only during a select
            }
            Timer next = timers.peek();
            if (next != null) {
                wait = Math.min(wait, next.deadline - now);
            }
            // select(0) would wait forever: round up, so that a due timer never spins the loop
            return Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait) + 1);
        }

        private void runDueTimers() {
            long now = System.nanoTime();
            for (Timer next = timers.peek(); next != null && next.deadline - now <= 0; next = timers.peek()) {
                timers.poll();
                run(next.task, "timer task");
            }
        }

        private void run(Runnable task, String what) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> threadName + ": " + what + " " + task + " failed", e);
            }
        }

        /** No channel (cancelled keys leave the key set at the next select), no timer. */
        private boolean isIdle() {
            return selector.keys().isEmpty() && timers.isEmpty();
        }

        private boolean stopWhenIdle() {
            synchronized (lifecycle) {
                return stopWhenIdle;
            }
        }

        /** Ends this worker unless a task arrived meanwhile; a later task starts a new worker. */
        private boolean stopIfIdle() throws IOException {
            synchronized (lifecycle) {
                if (!tasks.isEmpty() || !isIdle()) {
                    return false;
                }
                running = null;
            }
            selector.close();
            return true;
        }

        /** Closes every channel as failed, telling its owner; on the loop's thread. */
        void abortAll(IOException cause) {
            for (SelectionKey key : selector.keys()) {
                ((Handler) key.attachment()).abort(cause);
            }
        }

        /** After a failure of the selector itself: every channel's owner is told, and the next task starts afresh. */
        private void stop(IOException cause) {
            synchronized (lifecycle) {
                if (running == this) {
                    running = null;
                }
            }
            try {
                abortAll(cause);
                selector.close();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, () -> threadName + ": closing the failed selector failed", e);
            }
            runTasks(); // tasks that arrived meanwhile see closed channels and fail their work
        }
    }
}
