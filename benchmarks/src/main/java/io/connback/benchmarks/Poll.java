package io.connback.benchmarks;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, so that a benchmark that cannot start says why instead of hanging. */
final class Poll {

    private static final long INTERVAL_MILLIS = 10;

    private Poll() {}

    /**
     * Returns once {@code condition} holds.
     *
     * @param condition what to wait for
     * @param timeout how long to wait at most
     * @param what describes the condition, for the failure message
     * @throws IllegalStateException if the condition still does not hold at the deadline
     * @throws InterruptedException if interrupted while waiting
     */
    static void until(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("gave up after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(INTERVAL_MILLIS);
        }
    }
}
