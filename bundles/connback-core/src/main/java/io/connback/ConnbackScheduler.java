package io.connback;

import io.connback.internal.ExecutorScheduler;
import io.connback.internal.SharedScheduler;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The clock, timers and worker threads that Connbacks run on. All Connbacks share {@link #shared()} unless their
 * options name another one; tests inject a virtual-time implementation to run timing scenarios instantly and
 * deterministically.
 *
 * <p>Time is monotonic ({@link System#nanoTime()} for the real schedulers): gateways without a real-time clock jump by
 * years when NTP syncs after boot, and no Connback timer may follow that jump.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
public interface ConnbackScheduler {

    /**
     * The current monotonic time.
     *
     * @return nanoseconds from an arbitrary origin
     */
    long nanoTime();

    /**
     * Runs a task on a worker thread as soon as possible.
     *
     * @param task the task
     */
    void execute(Runnable task);

    /**
     * Runs a task on a worker thread after a delay.
     *
     * @param task the task
     * @param delayNanos the delay in nanoseconds; zero or less runs it as soon as possible
     * @return a handle that cancels the task if it has not started
     */
    Cancellable schedule(Runnable task, long delayNanos);

    /** A scheduled task that can be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not started; does nothing otherwise. */
        void cancel();
    }

    /**
     * The scheduler shared by all Connbacks of this class loader: a few daemon threads named {@code connback-N}, which
     * end by themselves a few seconds after the last timer is gone and come back when needed.
     *
     * @return the shared scheduler
     */
    static ConnbackScheduler shared() {
        return SharedScheduler.INSTANCE;
    }

    /**
     * Adapts an executor of the application's; its threads then run Connback timers and events.
     *
     * @param executor the executor; Connback does not shut it down
     * @return a scheduler over it, on {@link System#nanoTime()}
     */
    static ConnbackScheduler of(ScheduledExecutorService executor) {
        return new ExecutorScheduler(Objects.requireNonNull(executor, "executor"), 0);
    }
}
