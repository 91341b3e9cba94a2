package io.connback.link;

import io.connback.ConnbackScheduler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Virtual time on the test's thread: tasks run inline, timers run when the test advances the clock. */
final class ManualScheduler implements ConnbackScheduler {
    private final List<Timer> timers = new ArrayList<>();
    private long now;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        Timer timer = new Timer(now + Math.max(0, delayNanos), task);
        timers.add(timer);
        return () -> timers.remove(timer);
    }

    /** Moves the clock to {@code seconds} after the start, running the timers that fall due on the way, in order. */
    void advanceToSeconds(double seconds) {
        long target = (long) (seconds * TimeUnit.SECONDS.toNanos(1));
        while (true) {
            Timer next = timers.stream().filter(t -> t.due <= target).min(Comparator.comparingLong(t -> t.due))
                    .orElse(null);
            if (next == null) {
                break;
            }
            timers.remove(next);
            now = next.due;
            next.task.run();
        }
        now = target;
    }

    private record Timer(long due, Runnable task) {}
}
