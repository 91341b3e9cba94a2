package io.connback;

import org.osgi.annotation.versioning.ConsumerType;

/** Decides, after a failed attempt, whether Connback should try again. */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
@FunctionalInterface
public interface RetryPredicate {

    /** Always retry (the default). */
    RetryPredicate ALWAYS = (error, attempt) -> true;

    /**
     * Whether to try again.
     *
     * @param error why the attempt failed
     * @param attempt how many attempts have failed since the last stable connection (1 after the first failure)
     * @return {@code false} to stop retrying: the Connback goes {@link ConnectionState#OFFLINE}
     */
    boolean shouldRetry(Throwable error, long attempt);
}
