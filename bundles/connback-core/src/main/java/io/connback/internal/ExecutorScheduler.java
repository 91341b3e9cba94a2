package io.connback.internal;

import io.connback.ConnbackScheduler;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ConnbackScheduler} over a {@link ScheduledExecutorService}, on {@link System#nanoTime()}.
 *
 * <p>With a tick, timers are coalesced: a timer's due time is rounded up to the next tick of that grid, so that a
 * pool thread wakes once per tick and runs the tick's timers one after the other, instead of sleeping and waking for
 * each (as Netty's hashed wheel does). No timer runs early, and none more than a tick late.
 *
 * @param executor runs the timers and the event delivery
 * @param tickNanos the grid on which timers are due; zero for none
 */
public record ExecutorScheduler(ScheduledExecutorService executor, long tickNanos) implements ConnbackScheduler {

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
        long delay = delayNanos;
        if (tickNanos > 0 && delayNanos > 0) {
            long now = System.nanoTime();
            delay = Math.floorDiv(now + delayNanos + tickNanos - 1, tickNanos) * tickNanos - now;
        }
        ScheduledFuture<?> future = executor.schedule(task, delay, TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }
}
