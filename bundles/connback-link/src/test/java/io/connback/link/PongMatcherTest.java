package io.connback.link;

import static io.connback.link.Recorder.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PongMatcherTest {

    @Test
    void any_matches_every_frame() {
        PongMatcher any = PongMatcher.parse("any");
        assertThat(any).isSameAs(PongMatcher.any()).hasToString("any");
        assertThat(any.matches(bytes("ERROR"))).isTrue();
        assertThat(any.matches(ByteBuffer.allocate(0))).isTrue();
    }

    @Test
    void regex_is_found_in_the_frame_read_as_iso_8859_1() {
        PongMatcher ok = PongMatcher.parse("regex:^OK$");
        assertThat(ok.matches(bytes("OK"))).isTrue();
        assertThat(ok.matches(bytes("NOT OK"))).isFalse();

        PongMatcher contains = PongMatcher.parse("regex:CSQ: \\d+");
        assertThat(contains.matches(bytes("+CSQ: 21,99"))).isTrue();
        assertThat(contains.matches(bytes("+CSQ: ,99"))).isFalse();

        PongMatcher highBytes = PongMatcher.parse("regex:^\\x01\\x83");
        assertThat(highBytes.matches(ByteBuffer.wrap(new byte[] {0x01, (byte) 0x83, 0x02}))).isTrue();
        assertThat(highBytes.matches(ByteBuffer.wrap(new byte[] {0x01, 0x03, 0x02}))).isFalse();
    }

    @Test
    void the_pattern_that_froze_every_tcp_link_answers_at_once_on_the_frames_that_froze_them() {
        // the configuration: ping.frame = text:<60 x a>!\n, framing = delimiter:hex:0a, and this matcher;
        // Java's backtracking engine took 4.3 s on the 29-byte frame, and ran on with the echoed 61-byte one
        PongMatcher catastrophic = PongMatcher.parse("regex:(.*a){12}$");
        ByteBuffer echoedPing = bytes("a".repeat(60) + "!");
        ByteBuffer shortFrame = bytes("a".repeat(28) + "!");
        ByteBuffer matching = bytes("a".repeat(60));

        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertThat(catastrophic.matches(echoedPing)).isFalse();
            assertThat(catastrophic.matches(shortFrame)).isFalse();
            assertThat(catastrophic.matches(matching)).isTrue();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(elapsed).as("300 matches of (.*a){12}$").isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void matching_time_grows_with_the_frame_not_with_the_backtracking() {
        PongMatcher catastrophic = PongMatcher.parse("regex:(.*a){12}$");
        ByteBuffer maximalFrame = bytes("a".repeat(4095) + "!"); // LinkSettings' default maxFrameSize: 4096

        long start = System.nanoTime();
        assertThat(catastrophic.matches(maximalFrame)).isFalse();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(elapsed).as("(.*a){12}$ on a 4096-byte frame").isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void expressions_that_need_backtracking_are_refused_with_the_reason() {
        assertThatThrownBy(() -> PongMatcher.parse("regex:(a)\\1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid pong matcher 'regex:(a)\\1': bad regular expression: ")
                .hasMessageContaining("RE2 syntax");
        assertThatThrownBy(() -> PongMatcher.regex("(?=OK)")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RE2 syntax");
    }

    @Test
    void flags_go_inline() {
        assertThat(PongMatcher.regex("(?i)^ok$").matches(bytes("OK"))).isTrue();
    }

    @Test
    void a_prefix_in_hex_or_text_must_start_the_frame() {
        PongMatcher modbus = PongMatcher.parse("hex:0103");
        assertThat(modbus.matches(ByteBuffer.wrap(new byte[] {0x01, 0x03, 0x02, 0x00, 0x07}))).isTrue();
        assertThat(modbus.matches(ByteBuffer.wrap(new byte[] {0x01, (byte) 0x83, 0x02}))).isFalse();
        assertThat(modbus.matches(ByteBuffer.wrap(new byte[] {0x01}))).isFalse();
        assertThat(modbus.matches(ByteBuffer.wrap(new byte[] {0x00, 0x01, 0x03}))).isFalse();

        PongMatcher text = PongMatcher.parse("text:OK");
        assertThat(text.matches(bytes("OK then"))).isTrue();
        assertThat(text.matches(bytes("KO"))).isFalse();
    }

    @Test
    void matching_does_not_move_the_frame() {
        ByteBuffer frame = ByteBuffer.wrap(new byte[] {0x00, 0x01, 0x03, 0x04}).position(1).asReadOnlyBuffer();
        assertThat(PongMatcher.parse("hex:0103").matches(frame)).isTrue();
        assertThat(PongMatcher.parse("regex:^\\x01\\x03\\x04$").matches(frame)).isTrue();
        assertThat(frame.position()).isEqualTo(1);
    }

    @Test
    void to_string_is_the_syntax_and_equality_follows_it() {
        for (String spec : new String[] {"any", "regex:^OK$", "hex:01 03", "text:OK"}) {
            assertThat(PongMatcher.parse(spec)).hasToString(spec).isEqualTo(PongMatcher.parse(spec))
                    .hasSameHashCodeAs(PongMatcher.parse(spec));
        }
        assertThat(PongMatcher.regex("a")).isNotEqualTo(PongMatcher.regex("b"));
        assertThat(PongMatcher.prefix(new byte[] {1})).isNotEqualTo(PongMatcher.prefix(new byte[] {2}));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "regex:(|bad regular expression: missing closing )",
        "regex:[a-|bad regular expression: missing closing ]",
        "regex:|empty regular expression",
        "hex:0|odd number of hex digits in '0'",
        "hex:|empty frame",
        "text:|empty frame",
        "''|expected any, regex:<expression>, hex:<prefix> or text:<prefix>",
        "ANY|expected any",
        "OK|expected any",
    })
    void bad_matchers_are_rejected_naming_the_value_and_the_reason(String spec, String reason) {
        assertThatThrownBy(() -> PongMatcher.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid pong matcher '" + spec + "': ").hasMessageContaining(reason);
    }

    @Test
    void an_empty_prefix_is_rejected() {
        assertThatThrownBy(() -> PongMatcher.prefix(new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty prefix");
    }
}
