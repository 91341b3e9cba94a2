package io.connback.link;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Cuts the inbound byte stream of one connection into frames, as its {@link Framing} says, and hands them to a
 * {@link FrameListener}. Feed it the chunks exactly as they are read: frames may be split across chunks, a chunk may
 * hold several frames, empty chunks are ignored.
 *
 * <p>Memory is bounded: the decoder buffers at most {@code maxFrameSize} bytes (a fixed-length framing: the frame
 * length), allocated as needed. A frame that would exceed it is reported as a {@link FrameTooLongException} and
 * discarded up to the next point where decoding can resynchronize; then decoding goes on. A stream of garbage without
 * any delimiter costs no more memory than a frame.
 *
 * <p>A decoder is stateful and not thread-safe: use one per connection, fed by one thread at a time (the link's
 * reader). It calls the listener on that thread, from inside {@link #feed(ByteBuffer)}; a listener that throws is
 * logged and decoding goes on.
 */
public final class FrameDecoder {

    private static final System.Logger LOG = System.getLogger(FrameDecoder.class.getName());

    private final Framing framing;
    private final int maxFrameSize;
    private final FrameListener output;
    private final Splitter splitter;
    private final int bufferLimit;
    private byte[] buffer = new byte[0];
    private int buffered;

    /**
     * Creates a decoder.
     *
     * @param framing how frames are delimited
     * @param maxFrameSize the largest frame on the wire, in bytes, including its delimiter or header
     * @param output receives the frames and the framing errors
     * @throws IllegalArgumentException if {@code maxFrameSize} is too small for the framing (e.g. smaller than a
     *     fixed frame length, or not larger than the delimiter)
     */
    public FrameDecoder(Framing framing, int maxFrameSize, FrameListener output) {
        this.framing = Objects.requireNonNull(framing, "framing");
        this.output = Objects.requireNonNull(output, "output");
        framing.checkFits(maxFrameSize);
        this.maxFrameSize = maxFrameSize;
        this.splitter = framing.newSplitter(maxFrameSize);
        this.bufferLimit = splitter.bufferLimit();
    }

    /**
     * Decodes a chunk of received bytes: consumes all its remaining bytes and calls the listener for each frame
     * completed and each framing error found.
     *
     * @param chunk the bytes just read; its position is moved to its limit
     */
    public void feed(ByteBuffer chunk) {
        while (chunk.hasRemaining()) {
            ensureRoom(chunk.remaining());
            int n = Math.min(chunk.remaining(), buffer.length - buffered);
            chunk.get(buffer, buffered, n);
            buffered += n;
            int consumed = splitter.split(buffer, buffered, this);
            if (consumed > 0) {
                buffered -= consumed;
                System.arraycopy(buffer, consumed, buffer, 0, buffered);
            }
        }
    }

    /**
     * How many bytes of an incomplete frame are held.
     *
     * @return the buffered byte count, at most the maximum frame size
     */
    public int buffered() {
        return buffered;
    }

    /** The size of the buffer now allocated, never more than the maximum frame size. */
    int capacity() {
        return buffer.length;
    }

    @Override
    public String toString() {
        return "FrameDecoder[" + framing + ", maxFrameSize=" + maxFrameSize + ", buffered=" + buffered + "]";
    }

    /** Grows the buffer towards the limit so that it can take {@code incoming} more bytes, if the limit allows. */
    private void ensureRoom(int incoming) {
        long needed = (long) buffered + incoming;
        if (needed > buffer.length && buffer.length < bufferLimit) {
            int grown = (int) Math.min(bufferLimit, Math.max(needed, 2L * buffer.length));
            buffer = Arrays.copyOf(buffer, grown);
        }
    }

    /** Hands a frame, copied out of {@code bytes}, to the listener. Called by the splitter. */
    void emit(byte[] bytes, int offset, int length) {
        ByteBuffer frame = ByteBuffer.wrap(Arrays.copyOfRange(bytes, offset, offset + length)).asReadOnlyBuffer();
        try {
            output.onFrame(frame);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, () -> "frame listener " + output + " failed", e);
        }
    }

    /** Hands a framing error to the listener. Called by the splitter. */
    void report(FramingException error) {
        try {
            output.onFramingError(error);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, () -> "frame listener " + output + " failed on a framing error", e);
        }
    }

    /** The framing-specific part of decoding; one per decoder, holding the state kept between chunks. */
    interface Splitter {

        /**
         * The most bytes the decoder needs to buffer.
         *
         * @return the buffer limit
         */
        int bufferLimit();

        /**
         * Finds the frames at the start of {@code bytes[0, length)} and emits them through the decoder. When
         * {@code length} reaches the buffer limit, it must consume at least one byte (report an overflow and
         * discard), so that the decoder can always take more.
         *
         * @param bytes the buffered bytes, from index 0
         * @param length how many bytes are buffered
         * @param decoder receives frames and errors
         * @return how many leading bytes were consumed (emitted or discarded)
         */
        int split(byte[] bytes, int length, FrameDecoder decoder);
    }
}
