package io.connback.link;

import io.connback.Subscription;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A connected byte-stream link to a device: a serial port, a TCP socket. Connectors implement it (usually on
 * {@link AbstractLink}); applications use only this interface, so a connector can be replaced without them noticing.
 *
 * <p>A link is produced by a connector for one connection and is never reopened: after a reconnection the
 * {@link io.connback.Connback} hands out a new link. Its life cycle belongs to the Connback: to drop a link, call
 * {@link io.connback.Connback#reconnect()} or {@link io.connback.Connback#end()}.
 *
 * <p>Outbound bytes are written as given: the {@link Framing} applies to inbound bytes only, so a frame to send
 * carries its own delimiter or length field. All methods are safe from any thread and never block.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ProviderType
public interface Link {

    /**
     * Queues bytes for sending. The remaining bytes of {@code data} are copied before this method returns; its
     * position is not changed, so the caller may reuse the buffer at once.
     *
     * <p>The returned stage completes once the bytes were handed to the operating system or the driver (which says
     * nothing of whether the device received them), on the connector's I/O thread: run anything slow with an
     * {@code ...Async} method. It completes exceptionally, and nothing is sent, with a
     * {@link java.nio.channels.ClosedChannelException} if the link is or gets closed before the bytes are written,
     * and with a {@link SendQueueFullException} if the bytes do not fit in the outbound queue
     * ({@link LinkSettings#maxQueuedBytes()}). Sends are written in the order of the calls.
     *
     * @param data the bytes to send
     * @return a stage completed when the bytes are written
     */
    CompletionStage<Void> send(ByteBuffer data);

    /**
     * Queues bytes for sending; same as {@code send(ByteBuffer.wrap(data))}.
     *
     * @param data the bytes to send, copied before this method returns
     * @return a stage completed when the bytes are written
     * @see #send(ByteBuffer)
     */
    default CompletionStage<Void> send(byte[] data) {
        return send(ByteBuffer.wrap(data));
    }

    /**
     * Describes the device end of the link for logs and status pages, e.g. {@code /dev/ttyUSB1} or
     * {@code 127.0.0.1:5020}.
     *
     * @return the description of the remote end
     */
    String remote();

    /**
     * Whether the link is open. Once closed, a link stays closed.
     *
     * @return {@code true} until the link is closed
     */
    boolean isOpen();

    /**
     * Registers a listener for the frames received from now on. Listeners are called in the order they were added.
     *
     * @param listener the listener
     * @return a subscription that removes it
     */
    Subscription addFrameListener(FrameListener listener);
}
