package io.connback.link;

import static io.connback.link.Recorder.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.THROWABLE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    private static final Framing CRLF = Framing.delimiter(new byte[] {'\r', '\n'});

    private final Recorder out = new Recorder();

    /** Feeds a stream cut at the given positions and returns what came out. */
    private static Recorder decodeInChunks(Framing framing, int maxFrameSize, String stream, int... cuts) {
        Recorder recorder = new Recorder();
        FrameDecoder decoder = new FrameDecoder(framing, maxFrameSize, recorder);
        int from = 0;
        for (int cut : cuts) {
            decoder.feed(bytes(stream.substring(from, cut)));
            from = cut;
        }
        decoder.feed(bytes(stream.substring(from)));
        return recorder;
    }

    /** Decodes the stream whole, byte by byte, and cut in two at every position: frames must not depend on reads. */
    private static List<String> framesWhateverTheChunks(Framing framing, int maxFrameSize, String stream) {
        List<String> whole = decodeInChunks(framing, maxFrameSize, stream).frames;
        int[] everyByte = new int[stream.length()];
        Arrays.setAll(everyByte, i -> i);
        assertThat(decodeInChunks(framing, maxFrameSize, stream, everyByte).frames).isEqualTo(whole);
        for (int cut = 0; cut <= stream.length(); cut++) {
            assertThat(decodeInChunks(framing, maxFrameSize, stream, cut).frames).as("cut at %d", cut)
                    .isEqualTo(whole);
        }
        return whole;
    }

    @Nested
    class Delimiter {

        @Test
        void frames_are_cut_at_the_delimiter_whatever_the_chunks() {
            assertThat(framesWhateverTheChunks(CRLF, 64, "OK\r\n+CSQ: 21,99\r\nERROR\r\n"))
                    .containsExactly("OK", "+CSQ: 21,99", "ERROR");
        }

        @Test
        void several_frames_in_one_chunk_and_a_partial_one_kept_for_the_next() {
            FrameDecoder decoder = new FrameDecoder(CRLF, 64, out);

            decoder.feed(bytes("a\r\nb\r\nc"));
            assertThat(out.frames).containsExactly("a", "b");
            assertThat(decoder.buffered()).isEqualTo(1);

            decoder.feed(bytes("\r"));
            decoder.feed(bytes("\n"));
            assertThat(out.frames).containsExactly("a", "b", "c");
            assertThat(decoder.buffered()).isZero();
        }

        @Test
        void empty_chunks_change_nothing() {
            FrameDecoder decoder = new FrameDecoder(CRLF, 64, out);

            decoder.feed(ByteBuffer.allocate(0));
            decoder.feed(bytes("ab"));
            decoder.feed(ByteBuffer.allocate(0));
            decoder.feed(bytes("\r\n"));

            assertThat(out.frames).containsExactly("ab");
            assertThat(out.errors).isEmpty();
        }

        @Test
        void empty_frames_are_skipped() {
            assertThat(framesWhateverTheChunks(CRLF, 64, "\r\nOK\r\n\r\n\r\nx\r\n")).containsExactly("OK", "x");
        }

        @Test
        void a_delimiter_byte_alone_is_part_of_the_frame() {
            assertThat(framesWhateverTheChunks(CRLF, 64, "a\rb\nc\r\r\n")).containsExactly("a\rb\nc\r");
        }

        @Test
        void the_chunk_is_consumed_and_frames_are_read_only_copies() {
            FrameDecoder decoder = new FrameDecoder(CRLF, 64, out);
            List<ByteBuffer> kept = new ArrayList<>();
            FrameDecoder keeping = new FrameDecoder(CRLF, 64, kept::add);
            byte[] reused = "one\r\n".getBytes();
            ByteBuffer chunk = ByteBuffer.wrap(reused);

            decoder.feed(chunk);
            keeping.feed(ByteBuffer.wrap(reused));
            Arrays.fill(reused, (byte) 'x');

            assertThat(chunk.hasRemaining()).isFalse();
            assertThat(kept).singleElement().satisfies(frame -> {
                assertThat(frame.isReadOnly()).isTrue();
                assertThat(Recorder.text(frame)).isEqualTo("one");
            });
        }

        @Test
        void a_frame_too_long_is_reported_once_and_the_frames_after_the_next_delimiter_arrive_intact() {
            FrameDecoder decoder = new FrameDecoder(CRLF, 8, out);

            decoder.feed(bytes("ok\r\n0123456789"));
            assertThat(out.frames).containsExactly("ok");
            assertThat(out.errors).singleElement(THROWABLE).isInstanceOf(FrameTooLongException.class)
                    .hasMessageContaining("maxFrameSize (8 bytes)");

            decoder.feed(bytes("more garbage, still the same frame"));
            decoder.feed(bytes("\r"));
            decoder.feed(bytes("\nafter\r\nnext\r\n"));

            assertThat(out.frames).containsExactly("ok", "after", "next");
            assertThat(out.errors).hasSize(1);
        }

        @Test
        void the_largest_frame_fits_with_its_delimiter_and_one_byte_more_is_too_long() {
            assertThat(decodeInChunks(CRLF, 8, "123456\r\n").frames).containsExactly("123456");
            Recorder tooLong = decodeInChunks(CRLF, 8, "1234567\r\nnext\r\n");
            assertThat(tooLong.frames).containsExactly("next");
            assertThat(tooLong.errors).hasSize(1);
        }

        @Test
        void a_delimiter_cut_by_the_overflow_still_resynchronizes() {
            // the buffer fills up with "0123456\r": the "\r" may start the delimiter, so it is kept for the "\n"
            for (int cut : new int[] {7, 8, 9}) {
                Recorder recorder = decodeInChunks(CRLF, 8, "0123456\r\nafter\r\n", cut);
                assertThat(recorder.frames).as("cut at %d", cut).containsExactly("after");
                assertThat(recorder.errors).hasSize(1);
            }
        }

        @Test
        void ten_megabytes_of_garbage_without_a_delimiter_never_take_more_than_the_maximum_frame_size() {
            int maxFrameSize = 4096;
            FrameDecoder decoder = new FrameDecoder(CRLF, maxFrameSize, out);
            Random random = new Random(42);
            byte[] garbage = new byte[65_536];
            long fed = 0;
            int largestBuffer = 0;
            while (fed < 10L * 1024 * 1024) {
                random.nextBytes(garbage);
                for (int i = 0; i < garbage.length; i++) {
                    if (garbage[i] == '\n') {
                        garbage[i] = 'x'; // no delimiter can form
                    }
                }
                int chunkSize = 1 + random.nextInt(garbage.length);
                decoder.feed(ByteBuffer.wrap(garbage, 0, chunkSize));
                fed += chunkSize;
                largestBuffer = Math.max(largestBuffer, decoder.capacity());
                assertThat(decoder.buffered()).isLessThanOrEqualTo(maxFrameSize);
            }
            decoder.feed(bytes("\r\nalive\r\n"));

            assertThat(largestBuffer).isEqualTo(maxFrameSize);
            assertThat(out.errors).singleElement(THROWABLE).isInstanceOf(FrameTooLongException.class);
            assertThat(out.frames).containsExactly("alive");
        }

        @Test
        void a_single_byte_delimiter() {
            assertThat(framesWhateverTheChunks(Framing.delimiter(new byte[] {0x03}), 16, "\u0002a\u0003\u0002b\u0003"))
                    .containsExactly("\u0002a", "\u0002b");
        }
    }

    @Nested
    class None {

        @Test
        void each_chunk_is_a_frame() {
            FrameDecoder decoder = new FrameDecoder(Framing.none(), 64, out);

            decoder.feed(bytes("abc"));
            decoder.feed(ByteBuffer.allocate(0));
            decoder.feed(bytes("d\r\ne"));

            assertThat(out.frames).containsExactly("abc", "d\r\ne");
            assertThat(decoder.buffered()).isZero();
        }

        @Test
        void a_chunk_longer_than_the_maximum_is_delivered_in_pieces() {
            FrameDecoder decoder = new FrameDecoder(Framing.none(), 4, out);

            decoder.feed(bytes("0123456789"));

            assertThat(out.frames).containsExactly("0123", "4567", "89");
            assertThat(decoder.capacity()).isEqualTo(4);
            assertThat(out.errors).isEmpty();
        }
    }

    @Nested
    class FixedLength {

        @Test
        void frames_of_the_given_length_whatever_the_chunks() {
            assertThat(framesWhateverTheChunks(Framing.fixedLength(3), 16, "abcdefghi"))
                    .containsExactly("abc", "def", "ghi");
        }

        @Test
        void an_incomplete_frame_waits_and_the_buffer_never_exceeds_the_frame_length() {
            FrameDecoder decoder = new FrameDecoder(Framing.fixedLength(4), 4096, out);

            decoder.feed(bytes("abcdef"));
            decoder.feed(bytes("gh12345"));

            assertThat(out.frames).containsExactly("abcd", "efgh", "1234");
            assertThat(decoder.buffered()).isEqualTo(1);
            assertThat(decoder.capacity()).isEqualTo(4);
        }

        @Test
        void the_maximum_frame_size_must_hold_a_frame() {
            assertThatThrownBy(() -> new FrameDecoder(Framing.fixedLength(8), 7, out))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxFrameSize 7 is too small for framing 'fixed:8'");
        }
    }

    @Nested
    class LengthField {

        /** Modbus TCP: transaction id, protocol id, then a length that counts the bytes after it. */
        private final Framing modbusTcp = Framing.lengthField(4, 2, ByteOrder.BIG_ENDIAN, 0);

        private String modbusFrame(int transaction, String unitAndPdu) {
            return "\u0000" + (char) transaction + "\u0000\u0000\u0000" + (char) unitAndPdu.length() + unitAndPdu;
        }

        @Test
        void frames_are_delivered_whole_with_their_header_whatever_the_chunks() {
            String first = modbusFrame(1, "\u0001\u0003\u0002\u0000\u0007");
            String second = modbusFrame(2, "\u0001\u0006");
            assertThat(framesWhateverTheChunks(modbusTcp, 260, first + second)).containsExactly(first, second);
        }

        @Test
        void a_header_only_frame_is_a_frame() {
            Framing oneByte = Framing.lengthField(0, 1, ByteOrder.BIG_ENDIAN, 0);
            assertThat(framesWhateverTheChunks(oneByte, 16, "\u0000\u0002ab\u0000")).containsExactly("\u0000",
                    "\u0002ab", "\u0000");
        }

        @Test
        void little_endian_three_byte_field_counting_the_whole_frame() {
            Framing framing = Framing.lengthField(1, 3, ByteOrder.LITTLE_ENDIAN, -4);
            String frame = "S\u0006\u0000\u0000xy";
            assertThat(framesWhateverTheChunks(framing, 16, frame + frame)).containsExactly(frame, frame);
        }

        @Test
        void four_byte_field_values_are_unsigned() {
            Framing framing = Framing.lengthField(0, 4, ByteOrder.BIG_ENDIAN, 0);
            Recorder recorder = decodeInChunks(framing, 64, "\u00ff\u00ff\u00ff\u00ffgarbage");
            assertThat(recorder.errors).singleElement(THROWABLE).isInstanceOf(FrameTooLongException.class)
                    .hasMessageContaining("length field 4294967295 announces a frame of 4294967299 bytes");
        }

        @Test
        void a_frame_announced_too_long_is_reported_and_skipped_without_being_buffered() {
            Framing framing = Framing.lengthField(0, 2, ByteOrder.BIG_ENDIAN, 0);
            FrameDecoder decoder = new FrameDecoder(framing, 16, out);
            String tooLong = "\u0000\u0014" + "x".repeat(20); // 22 bytes on the wire

            decoder.feed(bytes("\u0000\u0001a" + tooLong.substring(0, 10)));
            decoder.feed(bytes(tooLong.substring(10) + "\u0000\u0002bc"));

            assertThat(out.frames).containsExactly("\u0000\u0001a", "\u0000\u0002bc");
            assertThat(out.errors).singleElement(THROWABLE).isInstanceOf(FrameTooLongException.class)
                    .hasMessageContaining("frame of 22 bytes, more than maxFrameSize (16 bytes)");
            assertThat(decoder.capacity()).isLessThanOrEqualTo(16);
        }

        @Test
        void a_length_shorter_than_the_header_is_reported_and_the_header_skipped() {
            Framing framing = Framing.lengthField(0, 1, ByteOrder.BIG_ENDIAN, -3);
            FrameDecoder decoder = new FrameDecoder(framing, 16, out);

            decoder.feed(bytes("\u0001\u0005ab\u0004"));

            assertThat(out.errors).singleElement(THROWABLE).isNotInstanceOf(FrameTooLongException.class)
                    .hasMessageContaining("length field 1 (adjusted by -3) announces a frame shorter than its "
                            + "1-byte header");
            assertThat(out.frames).containsExactly("\u0005ab");
            assertThat(decoder.buffered()).isEqualTo(1);
        }

        @Test
        void a_stream_of_garbage_keeps_memory_bounded() {
            Framing framing = Framing.lengthField(2, 2, ByteOrder.BIG_ENDIAN, 0);
            FrameDecoder decoder = new FrameDecoder(framing, 256, out);
            Random random = new Random(7);
            byte[] garbage = new byte[4096];
            for (int i = 0; i < 256; i++) {
                random.nextBytes(garbage);
                decoder.feed(ByteBuffer.wrap(garbage, 0, 1 + random.nextInt(garbage.length)));
                assertThat(decoder.capacity()).isLessThanOrEqualTo(256);
            }
            assertThat(out.errors).isNotEmpty();
        }
    }

    @Test
    void a_listener_that_throws_does_not_stop_decoding() {
        List<String> seen = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder(CRLF, 64, frame -> {
            String text = Recorder.text(frame);
            seen.add(text);
            if (text.equals("bad")) {
                throw new IllegalStateException("listener bug");
            }
        });

        decoder.feed(bytes("bad\r\ngood\r\n"));

        assertThat(seen).containsExactly("bad", "good");
    }

    @Test
    void describes_itself() {
        FrameDecoder decoder = new FrameDecoder(CRLF, 64, out);
        decoder.feed(bytes("ab"));
        assertThat(decoder).hasToString("FrameDecoder[delimiter:text:\\r\\n, maxFrameSize=64, buffered=2]");
    }
}
