package io.connback.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.function.Consumer;

/** The byte layer of a TCP link: the socket itself, or TLS over it. Used on the selector thread only. */
interface Transport {

    /** How many reads one readiness event may do, so that a flooding peer cannot starve the other links. */
    int MAX_READS_PER_EVENT = 4;

    /**
     * Advances the opening handshake as far as the socket allows without blocking.
     *
     * @return 0 once the transport is ready for data, else the operations to wait for ({@code OP_READ},
     *     {@code OP_WRITE})
     * @throws IOException if the handshake failed
     */
    int handshake() throws IOException;

    /**
     * Reads what the socket holds now and hands the data to {@code sink}, which consumes each buffer before it
     * returns.
     *
     * @param sink takes the received data
     * @return {@code false} at the end of the stream
     * @throws IOException if reading failed
     */
    boolean read(Consumer<ByteBuffer> sink) throws IOException;

    /**
     * The channel that application data is written to; {@code write} returns 0 when the socket takes no more.
     *
     * @return the writer
     */
    WritableByteChannel writer();

    /**
     * Writes the bytes the transport produced itself and still holds (TLS records).
     *
     * @return {@code true} if none is left
     * @throws IOException if writing failed
     */
    boolean flushPending() throws IOException;

    /** Starts closing, best effort and without blocking: TLS sends its close_notify (or a pending alert). */
    void closeOutbound();
}
