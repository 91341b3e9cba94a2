package io.connback;

/** Tells a long-running operation, such as a connection attempt, that it should stop. Thread-safe. */
public interface CancellationToken {

    /** A token that is never cancelled. */
    CancellationToken NONE = CancellationTokenSource.NEVER_CANCELLED;

    /**
     * Whether cancellation was requested.
     *
     * @return {@code true} once cancelled
     */
    boolean isCancellationRequested();

    /**
     * Registers a callback run once when cancellation is requested, on the thread that cancels; at once, on the
     * calling thread, if the token is already cancelled.
     *
     * @param callback the callback; it must not block
     * @return a subscription that removes the callback
     */
    Subscription onCancellationRequested(Runnable callback);
}
