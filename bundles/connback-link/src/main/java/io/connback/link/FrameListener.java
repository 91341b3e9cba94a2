package io.connback.link;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the frames of a {@link Link} (or of a {@link FrameDecoder}).
 *
 * <p>It is called on a delivery thread of the link, never on the thread that reads it, one call at a time per link,
 * in the order the bytes arrived; frames that arrived before the link had any listener are held and handed to the
 * first one. A listener that blocks holds up its own link only: the link's frames queue meanwhile (within its
 * {@link LinkSettings#maxQueuedBytes()}, then they are dropped and counted), a call stuck for more than 5 s is logged
 * with its stack, and the other links go on. Still, hand long work to an executor of your own.
 * A listener that throws is logged and does not prevent other listeners from being called.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
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
