package io.connback.internal;

import io.connback.ConnbackScheduler;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ConnbackScheduler} over a {@link ScheduledExecutorService}, on {@link System#nanoTime()}.
 *
 * @param executor runs the timers and the event delivery
 */
public record ExecutorScheduler(ScheduledExecutorService executor) implements ConnbackScheduler {

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
        ScheduledFuture<?> future = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }
}
