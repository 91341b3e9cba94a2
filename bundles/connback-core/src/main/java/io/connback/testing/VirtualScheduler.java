package io.connback.testing;

import io.connback.ConnbackScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * A {@link ConnbackScheduler} on virtual time, driven by the test thread: nothing runs until the test calls
 * {@link #runReady()} or {@link #advance(Duration)}. Tasks posted from other threads queue up until then.
 */
public final class VirtualScheduler implements ConnbackScheduler {

    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private static final long ORIGIN = 1_000_000_000L; // arbitrary, not zero, as with System.nanoTime

    private long now = ORIGIN;
    private long sequence;

    /** Creates a scheduler whose clock stands still until advanced. */
    public VirtualScheduler() {}

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized void execute(Runnable task) {
        ready.add(task);
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Timer timer = new Timer(now + Math.max(0, delayNanos), sequence++, task);
        timers.add(timer);
        return () -> {
            synchronized (this) {
                timers.remove(timer);
            }
        };
    }

    /** Runs every task that is ready now, including those they post. */
    public void runReady() {
        Runnable task;
        while ((task = pollReady()) != null) {
            task.run();
        }
    }

    /**
     * Moves the clock forward by {@code duration}, running timers at their due times.
     *
     * @param duration how far to move
     */
    public void advance(Duration duration) {
        long target;
        synchronized (this) {
            target = now + duration.toNanos();
        }
        runReady();
        Timer due;
        while ((due = pollTimerDueBy(target)) != null) {
            due.task.run();
            runReady();
        }
        synchronized (this) {
            now = target;
        }
        runReady();
    }

    /**
     * Advances in small steps until {@code condition} holds.
     *
     * @param condition what to wait for
     * @param limit the most virtual time to spend
     * @return the virtual time it took
     * @throws AssertionError if it does not hold within {@code limit}
     */
    public Duration advanceUntil(BooleanSupplier condition, Duration limit) {
        long start = nanoTime();
        Duration step = Duration.ofMillis(1);
        runReady();
        while (!condition.getAsBoolean()) {
            if (nanoTime() - start > limit.toNanos()) {
                throw new AssertionError("condition not met within " + limit + " of virtual time");
            }
            advance(step);
        }
        return Duration.ofNanos(nanoTime() - start);
    }

    /**
     * Moves the clock to {@code sinceStart} after this scheduler's creation, running timers on the way.
     *
     * @param sinceStart the virtual time to reach; no earlier than now
     */
    public void advanceTo(Duration sinceStart) {
        advance(Duration.ofNanos(ORIGIN + sinceStart.toNanos() - nanoTime()));
    }

    /**
     * How many timers wait.
     *
     * @return the number of scheduled, not yet run and not cancelled tasks
     */
    public synchronized int pendingTimers() {
        return timers.size();
    }

    private synchronized Runnable pollReady() {
        return ready.poll();
    }

    private synchronized Timer pollTimerDueBy(long target) {
        Timer first = timers.peek();
        if (first == null || first.due > target) {
            return null;
        }
        timers.poll();
        now = Math.max(now, first.due);
        return first;
    }

    private record Timer(long due, long sequence, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer other) {
            int byDue = Long.compare(due, other.due);
            return byDue != 0 ? byDue : Long.compare(sequence, other.sequence);
        }
    }
}
