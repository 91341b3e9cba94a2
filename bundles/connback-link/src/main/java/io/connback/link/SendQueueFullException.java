package io.connback.link;

import java.io.IOException;

/**
 * A send did not fit in the outbound queue of a {@link Link} ({@link LinkSettings#maxQueuedBytes()}): the device or
 * the line is slower than the application. Nothing of that send was queued; the link stays open.
 */
public final class SendQueueFullException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the size of the send and the queue's state
     */
    public SendQueueFullException(String message) {
        super(message);
    }
}
