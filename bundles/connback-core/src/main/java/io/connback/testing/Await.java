package io.connback.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits in a test for a condition that another thread makes true: polls it every few milliseconds until it holds,
 * and fails with what was awaited once the timeout is over. Timing assertions measure; they never sleep and hope.
 */
public final class Await {

    private static final long POLL_MILLIS = 5;

    private Await() {}

    /**
     * Returns once the condition holds.
     *
     * @param what what is awaited, for the failure message
     * @param timeout how long to wait at most
     * @param condition the condition; polled on the calling thread
     * @throws AssertionError naming {@code what}, if the condition does not hold within the timeout, or if the thread
     *     is interrupted (its interrupt flag is then set again)
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        Objects.requireNonNull(what, "what");
        until(() -> what, timeout, condition);
    }

    /**
     * Returns once the condition holds.
     *
     * @param what describes what is awaited, for the failure message; asked only on failure, so it may tell the
     *     state seen at that moment
     * @param timeout how long to wait at most
     * @param condition the condition; polled on the calling thread
     * @throws AssertionError with that description, if the condition does not hold within the timeout, or if the
     *     thread is interrupted (its interrupt flag is then set again)
     */
    public static void until(Supplier<String> what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what.get());
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what.get(), e);
            }
        }
    }
}
