package io.connback.benchmarks;

import io.connback.ConnbackScheduler;
import java.util.concurrent.atomic.LongAdder;

/** Counts the timers and tasks that Connbacks hand to a scheduler, to show what an idle link costs in wake-ups. */
final class CountingScheduler implements ConnbackScheduler {

    private final ConnbackScheduler delegate;
    private final LongAdder timers = new LongAdder();
    private final LongAdder tasks = new LongAdder();

    CountingScheduler(ConnbackScheduler delegate) {
        this.delegate = delegate;
    }

    long timersScheduled() {
        return timers.sum();
    }

    long tasksExecuted() {
        return tasks.sum();
    }

    @Override
    public long nanoTime() {
        return delegate.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
        tasks.increment();
        delegate.execute(task);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        timers.increment();
        return delegate.schedule(task, delayNanos);
    }
}
