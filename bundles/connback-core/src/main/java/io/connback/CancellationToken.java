package io.connback;

import org.osgi.annotation.versioning.ProviderType;

/** Tells a long-running operation, such as a connection attempt, that it should stop. Thread-safe. */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ProviderType
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
