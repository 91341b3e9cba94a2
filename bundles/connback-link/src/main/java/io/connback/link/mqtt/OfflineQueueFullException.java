package io.connback.link.mqtt;

import java.io.IOException;

/**
 * A published message was not sent because the queue of messages waiting to be sent was full: it was refused, or it
 * was the oldest waiting message and was dropped to make room for a newer one, as the connector is configured.
 */
public final class OfflineQueueFullException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which message was lost, and the size of the queue
     */
    public OfflineQueueFullException(String message) {
        super(message);
    }
}
