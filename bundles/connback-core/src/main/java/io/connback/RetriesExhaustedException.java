package io.connback;

/**
 * Connback stopped retrying: the maximum number of attempts was reached, or the retry predicate declined. The
 * Connback is then {@link ConnectionState#OFFLINE} until {@link Connback#reconnect()}.
 */
public final class RetriesExhaustedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final long attempts;

    /**
     * Creates the exception.
     *
     * @param reason why retrying stopped
     * @param attempts how many attempts were made since the last stable connection
     * @param lastError the error of the last attempt, or {@code null}
     */
    public RetriesExhaustedException(String reason, long attempts, Throwable lastError) {
        super("gave up after " + attempts + (attempts == 1 ? " attempt: " : " attempts: ") + reason, lastError);
        this.attempts = attempts;
    }

    /**
     * How many attempts were made since the last stable connection.
     *
     * @return the number of attempts
     */
    public long attempts() {
        return attempts;
    }
}
