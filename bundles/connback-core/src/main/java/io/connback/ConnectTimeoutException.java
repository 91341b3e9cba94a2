package io.connback;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** A connection attempt took longer than {@link ConnbackOptions#connectTimeout()}; it counts as a failed attempt. */
public final class ConnectTimeoutException extends TimeoutException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param timeout the timeout that expired
     */
    public ConnectTimeoutException(Duration timeout) {
        super("connect timed out after " + timeout.toMillis() + " ms (connectTimeout)");
    }
}
