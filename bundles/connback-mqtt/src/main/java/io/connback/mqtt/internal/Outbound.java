package io.connback.mqtt.internal;

import java.util.concurrent.CompletableFuture;

/**
 * A published message until the broker acknowledged it: waiting in the session's queue, or sent on one connection.
 * The mutable fields are guarded by the session's lock.
 */
final class Outbound {
    final long sequence;
    final String topic;
    final byte[] payload;
    final int qos;
    final boolean retained;
    final CompletableFuture<Void> delivered = new CompletableFuture<>();

    /** The connection it was last sent on; {@code null} while it waits in the queue. */
    PahoLink sentOn;
    /** In the session's queue. */
    boolean queued;
    /** Delivered, dropped or cancelled: nothing more happens to it. */
    boolean done;
    /** The bytes its record takes in the durable store; 0 if it is not there (QoS 0, no store, or done). */
    int storedBytes;
    /** Handed to the broker at least once, and so marked in the durable store. */
    boolean sentBefore;

    Outbound(long sequence, String topic, byte[] payload, int qos, boolean retained) {
        this.sequence = sequence;
        this.topic = topic;
        this.payload = payload;
        this.qos = qos;
        this.retained = retained;
    }

    @Override
    public String toString() {
        return "message #" + sequence + " to '" + topic + "' (QoS " + qos + ", " + payload.length + " bytes)";
    }
}
