package io.connback.link;

import java.nio.ByteBuffer;

/**
 * Receives the frames of a {@link Link} (or of a {@link FrameDecoder}).
 *
 * <p>It is called on the thread that reads the link (a serial port's reader thread, a TCP connector's selector
 * thread), one call at a time per link, in the order the bytes arrived; frames that arrived before the link had any
 * listener are held and handed to the first one on the thread that adds it. It must return quickly: a slow listener holds
 * up the link's reading, and with a TCP connector the reading of other links too. Hand long work to an executor.
 * A listener that throws is logged and does not prevent other listeners from being called.
 */
@FunctionalInterface
public interface FrameListener {

    /**
     * A frame arrived. The buffer is read-only and holds exactly the frame between its position and its limit; it is
     * the listener's own (not reused for later frames), so it may be kept.
     *
     * @param frame the frame
     */
    void onFrame(ByteBuffer frame);

    /**
     * The inbound bytes broke the framing: a frame exceeded the maximum frame size ({@link FrameTooLongException}) or
     * a length field was impossible. The bytes in question were discarded and decoding goes on from the next point
     * where it can resynchronize; the link stays open. Does nothing by default.
     *
     * @param error what was wrong with the bytes
     */
    default void onFramingError(FramingException error) {}
}
