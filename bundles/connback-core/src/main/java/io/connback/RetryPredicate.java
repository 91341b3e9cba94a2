package io.connback;

/** Decides, after a failed attempt, whether Connback should try again. */
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
