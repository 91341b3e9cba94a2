package io.connback.link;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How the inbound byte stream of a {@link Link} is cut into frames; applied by a {@link FrameDecoder}. Immutable;
 * {@link #toString()} gives the configuration syntax that {@link #parse(String)} reads.
 *
 * <h2>Configuration syntax</h2>
 * <table>
 *   <caption>Framings</caption>
 *   <tr><th>value</th><th>frames</th></tr>
 *   <tr><td>{@code none}</td><td>{@link #none()}</td></tr>
 *   <tr><td>{@code delimiter:\r\n}, {@code delimiter:hex:0d0a}, {@code delimiter:text:;}</td>
 *       <td>{@link #delimiter(byte[])}; the delimiter is a byte string as {@link Frames} reads it, and text without
 *       a prefix is taken as {@code text:}</td></tr>
 *   <tr><td>{@code fixed:8}</td><td>{@link #fixedLength(int)}</td></tr>
 *   <tr><td>{@code length:offset=4,bytes=2}, {@code length:bytes=1,adjust=2,order=little}</td>
 *       <td>{@link #lengthField(int, int, ByteOrder, int)}, with the keys {@code bytes} (required, 1 to 4),
 *       {@code offset} (default 0), {@code adjust} (default 0) and {@code order} ({@code big}, the default, or
 *       {@code little}), in any order</td></tr>
 * </table>
 *
 * <h2>Maximum frame size</h2>
 * Every framing is decoded with a maximum frame size that bounds the memory used: the largest frame on the wire,
 * counting its delimiter or its header. What happens to a frame that exceeds it is told by each factory.
 */
public abstract class Framing {

    private static final String DELIMITER = "delimiter:";
    private static final String FIXED = "fixed:";
    private static final String LENGTH = "length:";
    private static final Set<String> LENGTH_KEYS = Set.of("bytes", "offset", "adjust", "order");
    private static final String SYNTAX = "expected none, delimiter:<bytes>, fixed:<length> or "
            + "length:bytes=<1-4>[,offset=<n>][,adjust=<n>][,order=big|little]";

    private static final Framing NONE = new None();

    private Framing() {}

    /**
     * No framing: each chunk of bytes is a frame as it was read, so frame boundaries depend on the timing of the
     * reads. A chunk longer than the maximum frame size is delivered in pieces of at most that size. Suits devices
     * that answer with small bursts, and applications that reassemble themselves.
     *
     * @return the framing
     */
    public static Framing none() {
        return NONE;
    }

    /**
     * Frames end with a delimiter, such as {@code \r\n} for line-oriented devices. The delimiter is not part of the
     * delivered frame, and empty frames (a delimiter right after another, e.g. the blank lines of AT command
     * answers) are skipped. A frame that reaches the maximum frame size (delimiter included) without a delimiter is
     * reported once as a {@link FrameTooLongException}, and everything up to and including the next delimiter is
     * discarded; the frames after it arrive intact.
     *
     * @param delimiter the bytes that end a frame, not empty; copied
     * @return the framing
     * @throws IllegalArgumentException if the delimiter is empty
     */
    public static Framing delimiter(byte[] delimiter) {
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("empty delimiter");
        }
        return new Delimiter(delimiter.clone());
    }

    /**
     * Every frame has the same length. The maximum frame size must be at least that length; no frame can exceed it.
     *
     * @param length the frame length in bytes, at least 1
     * @return the framing
     * @throws IllegalArgumentException if the length is less than 1
     */
    public static Framing fixedLength(int length) {
        if (length < 1) {
            throw new IllegalArgumentException("the frame length must be at least 1, not " + length);
        }
        return new FixedLength(length);
    }

    /**
     * Each frame starts with a header that holds its length: {@code offset} bytes, then an unsigned length field of
     * {@code bytes} bytes, then the rest of the frame. The frame, delivered whole (header included), takes
     * {@code offset + bytes + fieldValue + adjustment} bytes. With {@code adjustment} 0 the field counts the bytes that
     * follow it, as in Modbus TCP ({@code offset 4, bytes 2}); a field that counts the whole frame, header included,
     * takes an adjustment of {@code -(offset + bytes)}.
     *
     * <p>A field announcing a frame longer than the maximum frame size is reported as a {@link FrameTooLongException}
     * and the announced frame is skipped (counted, never buffered), so a sender that merely sent a frame too large
     * stays in step. A field announcing a frame shorter than its header is reported as a {@link FramingException}
     * and the header is skipped.
     *
     * @param offset how many bytes precede the length field, 0 to {@link LinkSettings#MAX_FRAME_SIZE_LIMIT}
     * @param bytes the size of the length field, 1 to 4 bytes
     * @param order the byte order of the length field
     * @param adjustment added to the field's value to give the number of bytes that follow the field
     * @return the framing
     * @throws IllegalArgumentException if a parameter is out of range
     */
    public static Framing lengthField(int offset, int bytes, ByteOrder order, int adjustment) {
        Objects.requireNonNull(order, "order");
        if (offset < 0 || offset > LinkSettings.MAX_FRAME_SIZE_LIMIT) {
            throw new IllegalArgumentException(
                    "the length field offset must be 0 to " + LinkSettings.MAX_FRAME_SIZE_LIMIT + ", not " + offset);
        }
        if (bytes < 1 || bytes > Integer.BYTES) {
            throw new IllegalArgumentException("the length field takes 1 to 4 bytes, not " + bytes);
        }
        return new LengthField(offset, bytes, order, adjustment);
    }

    /**
     * Reads a framing in the configuration syntax (see the class description).
     *
     * @param spec the configuration value
     * @return the framing
     * @throws IllegalArgumentException naming the value and what is wrong with it
     */
    public static Framing parse(String spec) {
        try {
            return parseSpec(spec);
        } catch (IllegalArgumentException e) {
            throw Frames.invalid("framing", spec, e);
        }
    }

    /** Parses the syntax of {@link #parse(String)}; the exception says only what is wrong. */
    static Framing parseSpec(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("no value");
        }
        if (spec.equals("none")) {
            return none();
        }
        if (spec.startsWith(DELIMITER)) {
            String delimiter = spec.substring(DELIMITER.length());
            boolean prefixed = delimiter.startsWith(Frames.HEX) || delimiter.startsWith(Frames.TEXT);
            return delimiter(prefixed ? Frames.bytes(delimiter) : Frames.text(delimiter));
        }
        if (spec.startsWith(FIXED)) {
            return fixedLength(parseInt("frame length", spec.substring(FIXED.length())));
        }
        if (spec.startsWith(LENGTH)) {
            return parseLengthField(spec.substring(LENGTH.length()));
        }
        throw new IllegalArgumentException(SYNTAX);
    }

    private static Framing parseLengthField(String parameters) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String parameter : parameters.split(",", -1)) {
            int equals = parameter.indexOf('=');
            String key = equals < 0 ? parameter.trim() : parameter.substring(0, equals).trim();
            if (equals < 0 || !LENGTH_KEYS.contains(key)) {
                throw new IllegalArgumentException("'" + parameter + "' is not one of bytes=<1-4>, offset=<n>, "
                        + "adjust=<n>, order=big|little");
            }
            if (values.put(key, parameter.substring(equals + 1).trim()) != null) {
                throw new IllegalArgumentException(key + " is given twice");
            }
        }
        String bytes = values.get("bytes");
        if (bytes == null) {
            throw new IllegalArgumentException("bytes=<1-4>, the size of the length field, is required");
        }
        String order = values.getOrDefault("order", "big");
        ByteOrder byteOrder = switch (order) {
            case "big" -> ByteOrder.BIG_ENDIAN;
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            default -> throw new IllegalArgumentException("order must be big or little, not '" + order + "'");
        };
        return lengthField(parseInt("offset", values.getOrDefault("offset", "0")), parseInt("bytes", bytes),
                byteOrder, parseInt("adjust", values.getOrDefault("adjust", "0")));
    }

    private static int parseInt(String what, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, not '" + text + "'");
        }
    }

    /**
     * Checks that frames of this framing can fit in a maximum frame size.
     *
     * @param maxFrameSize the maximum frame size
     * @throws IllegalArgumentException if they cannot
     */
    final void checkFits(int maxFrameSize) {
        int smallest = smallestFrame();
        if (maxFrameSize < smallest) {
            throw new IllegalArgumentException("maxFrameSize " + maxFrameSize + " is too small for framing '" + this
                    + "', which needs at least " + smallest);
        }
    }

    /**
     * The smallest maximum frame size with which this framing can deliver frames.
     *
     * @return a size in bytes
     */
    abstract int smallestFrame();

    /**
     * Starts decoding one stream.
     *
     * @param maxFrameSize the maximum frame size, already checked with {@link #checkFits(int)}
     * @return the stateful part of a decoder
     */
    abstract FrameDecoder.Splitter newSplitter(int maxFrameSize);

    /**
     * Compares framings by kind and parameters.
     *
     * @param other the object to compare with
     * @return whether {@code other} frames the same way
     */
    @Override
    public abstract boolean equals(Object other);

    /**
     * A hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public abstract int hashCode();

    /**
     * The configuration syntax of this framing, which {@link #parse(String)} reads back.
     *
     * @return e.g. {@code delimiter:text:\r\n}
     */
    @Override
    public abstract String toString();

    private static final class None extends Framing {
        @Override
        int smallestFrame() {
            return 1;
        }

        @Override
        FrameDecoder.Splitter newSplitter(int maxFrameSize) {
            return new FrameDecoder.Splitter() {
                @Override
                public int bufferLimit() {
                    return maxFrameSize;
                }

                @Override
                public int split(byte[] bytes, int length, FrameDecoder decoder) {
                    decoder.emit(bytes, 0, length);
                    return length;
                }
            };
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof None;
        }

        @Override
        public int hashCode() {
            return None.class.hashCode();
        }

        @Override
        public String toString() {
            return "none";
        }
    }

    private static final class Delimiter extends Framing {
        private final byte[] delimiter;

        Delimiter(byte[] delimiter) {
            this.delimiter = delimiter;
        }

        @Override
        int smallestFrame() {
            return delimiter.length + 1; // one byte and the delimiter: empty frames are skipped
        }

        @Override
        FrameDecoder.Splitter newSplitter(int maxFrameSize) {
            return new DelimiterSplitter(maxFrameSize);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Delimiter d && Arrays.equals(delimiter, d.delimiter);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(delimiter);
        }

        @Override
        public String toString() {
            return DELIMITER + Frames.format(delimiter);
        }

        private final class DelimiterSplitter implements FrameDecoder.Splitter {
            private final int maxFrameSize;
            /** Between an overflow and the next delimiter. */
            private boolean discarding;
            /** Where the next delimiter may start in the bytes left buffered: those before were searched. */
            private int searchFrom;

            DelimiterSplitter(int maxFrameSize) {
                this.maxFrameSize = maxFrameSize;
            }

            @Override
            public int bufferLimit() {
                return maxFrameSize;
            }

            @Override
            public int split(byte[] bytes, int length, FrameDecoder decoder) {
                int start = 0;
                for (int end = indexOf(bytes, searchFrom, length); end >= 0; end = indexOf(bytes, start, length)) {
                    if (discarding) {
                        discarding = false; // resynchronized: the bytes before were the rest of a frame too long
                    } else if (end > start) {
                        decoder.emit(bytes, start, end - start);
                    }
                    start = end + delimiter.length;
                }
                if (length - start == maxFrameSize) {
                    if (!discarding) {
                        discarding = true;
                        decoder.report(new FrameTooLongException("no delimiter " + Frames.format(delimiter)
                                + " within maxFrameSize (" + maxFrameSize + " bytes); discarding up to the next one"));
                    }
                    start = length - (delimiter.length - 1); // keep what may be the start of a delimiter
                }
                searchFrom = Math.max(0, length - start - (delimiter.length - 1));
                return start;
            }

            /** The index of the first delimiter that starts at or after {@code from} and ends by {@code to}. */
            private int indexOf(byte[] bytes, int from, int to) {
                int last = to - delimiter.length;
                for (int i = from; i <= last; i++) {
                    if (Arrays.equals(bytes, i, i + delimiter.length, delimiter, 0, delimiter.length)) {
                        return i;
                    }
                }
                return -1;
            }
        }
    }

    private static final class FixedLength extends Framing {
        private final int length;

        FixedLength(int length) {
            this.length = length;
        }

        @Override
        int smallestFrame() {
            return length;
        }

        @Override
        FrameDecoder.Splitter newSplitter(int maxFrameSize) {
            return new FrameDecoder.Splitter() {
                @Override
                public int bufferLimit() {
                    return length;
                }

                @Override
                public int split(byte[] bytes, int buffered, FrameDecoder decoder) {
                    int start = 0;
                    for (; buffered - start >= length; start += length) {
                        decoder.emit(bytes, start, length);
                    }
                    return start;
                }
            };
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof FixedLength f && length == f.length;
        }

        @Override
        public int hashCode() {
            return length;
        }

        @Override
        public String toString() {
            return FIXED + length;
        }
    }

    private static final class LengthField extends Framing {
        private final int offset;
        private final int bytes;
        private final ByteOrder order;
        private final int adjustment;
        private final int headerSize;

        LengthField(int offset, int bytes, ByteOrder order, int adjustment) {
            this.offset = offset;
            this.bytes = bytes;
            this.order = order;
            this.adjustment = adjustment;
            this.headerSize = offset + bytes;
        }

        @Override
        int smallestFrame() {
            return (int) Math.min(Integer.MAX_VALUE, (long) headerSize + Math.max(0, adjustment));
        }

        @Override
        FrameDecoder.Splitter newSplitter(int maxFrameSize) {
            return new LengthFieldSplitter(maxFrameSize);
        }

        /** The unsigned value of the length field of the frame that starts at {@code start}. */
        private long fieldValue(byte[] buffer, int start) {
            long value = 0;
            for (int i = 0; i < bytes; i++) {
                int index = order == ByteOrder.BIG_ENDIAN ? start + offset + i : start + offset + bytes - 1 - i;
                value = value << 8 | (buffer[index] & 0xFF);
            }
            return value;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof LengthField f && offset == f.offset && bytes == f.bytes && order == f.order
                    && adjustment == f.adjustment;
        }

        @Override
        public int hashCode() {
            return Objects.hash(offset, bytes, order, adjustment);
        }

        @Override
        public String toString() {
            return LENGTH + "offset=" + offset + ",bytes=" + bytes + ",adjust=" + adjustment + ",order="
                    + (order == ByteOrder.BIG_ENDIAN ? "big" : "little");
        }

        private final class LengthFieldSplitter implements FrameDecoder.Splitter {
            private final int maxFrameSize;
            /** Bytes of a frame too long still to skip. */
            private long toDiscard;

            LengthFieldSplitter(int maxFrameSize) {
                this.maxFrameSize = maxFrameSize;
            }

            @Override
            public int bufferLimit() {
                return maxFrameSize;
            }

            @Override
            public int split(byte[] buffer, int length, FrameDecoder decoder) {
                int start = 0;
                while (true) {
                    if (toDiscard > 0) {
                        int skipped = (int) Math.min(toDiscard, length - start);
                        start += skipped;
                        toDiscard -= skipped;
                        if (toDiscard > 0) {
                            return start;
                        }
                    }
                    if (length - start < headerSize) {
                        return start;
                    }
                    long value = fieldValue(buffer, start);
                    long frameSize = headerSize + value + adjustment;
                    if (frameSize < headerSize) {
                        decoder.report(new FramingException("length field " + value + " (adjusted by " + adjustment
                                + ") announces a frame shorter than its " + headerSize + "-byte header; skipping "
                                + "the header"));
                        start += headerSize;
                    } else if (frameSize > maxFrameSize) {
                        decoder.report(new FrameTooLongException("length field " + value + " announces a frame of "
                                + frameSize + " bytes, more than maxFrameSize (" + maxFrameSize + " bytes); "
                                + "skipping it"));
                        toDiscard = frameSize;
                    } else if (length - start >= frameSize) {
                        decoder.emit(buffer, start, (int) frameSize);
                        start += (int) frameSize;
                    } else {
                        return start;
                    }
                }
            }
        }
    }
}
