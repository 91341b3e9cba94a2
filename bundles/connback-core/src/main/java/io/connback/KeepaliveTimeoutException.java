package io.connback;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** A connected link fed no heartbeat for {@link ConnbackOptions#keepalive()}: it was force-closed. */
public final class KeepaliveTimeoutException extends TimeoutException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param silence how long the link was silent
     * @param keepalive the keepalive that was exceeded
     */
    public KeepaliveTimeoutException(Duration silence, Duration keepalive) {
        super("no heartbeat for " + silence.toMillis() + " ms (keepalive " + keepalive.toMillis() + " ms)");
    }
}
