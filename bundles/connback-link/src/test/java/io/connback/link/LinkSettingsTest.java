package io.connback.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LinkSettingsTest {

    @Test
    void defaults() {
        LinkSettings defaults = LinkSettings.defaults();
        assertThat(defaults.framing()).isEqualTo(Framing.none());
        assertThat(defaults.maxFrameSize()).isEqualTo(4096);
        assertThat(defaults.maxQueuedBytes()).isEqualTo(65536);
        assertThat(defaults.pingFrame()).isEmpty();
        assertThat(defaults.pongMatcher()).isSameAs(PongMatcher.any());
        assertThat(LinkSettings.fromMap(Map.of())).isEqualTo(defaults);
        assertThat(defaults).hasToString("LinkSettings[framing=none, maxFrameSize=4096, maxQueuedBytes=65536, "
                + "ping.frame=none, pong.match=any]");
    }

    @Test
    void reads_every_key_and_ignores_others() {
        LinkSettings settings = LinkSettings.fromMap(Map.of(
                "framing", "length:offset=4,bytes=2",
                "maxFrameSize", 260,
                "maxQueuedBytes", "1024",
                "ping.frame", "hex:01 03 00 00 00 01 84 0A",
                "pong.match", "hex:01 03",
                "connback.name", "meter1",
                "keepalive", 30));

        assertThat(settings.framing()).isEqualTo(Framing.parse("length:offset=4,bytes=2"));
        assertThat(settings.maxFrameSize()).isEqualTo(260);
        assertThat(settings.maxQueuedBytes()).isEqualTo(1024);
        assertThat(settings.pingFrame()).contains(ByteBuffer.wrap(Frames.parse("hex:01 03 00 00 00 01 84 0A")));
        assertThat(settings.pongMatcher()).isEqualTo(PongMatcher.parse("hex:01 03"));
    }

    @Test
    void numbers_may_be_strings_longs_or_whole_decimals() {
        assertThat(LinkSettings.fromMap(Map.of("maxFrameSize", " 512 ")).maxFrameSize()).isEqualTo(512);
        assertThat(LinkSettings.fromMap(Map.of("maxFrameSize", 512L)).maxFrameSize()).isEqualTo(512);
        assertThat(LinkSettings.fromMap(Map.of("maxFrameSize", 512.0)).maxFrameSize()).isEqualTo(512);
    }

    @Test
    void empty_strings_of_the_optional_keys_take_the_defaults() {
        Map<String, Object> blank = new HashMap<>();
        for (String key : new String[] {"framing", "ping.frame", "pong.match"}) {
            blank.put(key, "");
        }
        assertThat(LinkSettings.fromMap(blank)).isEqualTo(LinkSettings.defaults());
    }

    @Test
    void the_ping_frame_is_read_only_and_copied() {
        byte[] ping = {'A', 'T', '\r'};
        LinkSettings settings = LinkSettings.builder().pingFrame(ping).build();
        ping[0] = 'x';

        ByteBuffer frame = settings.pingFrame().orElseThrow();
        assertThat(frame.isReadOnly()).isTrue();
        assertThat(Recorder.text(frame)).isEqualTo("AT\r");
        assertThat(Recorder.text(settings.pingFrame().orElseThrow())).as("a fresh view each time").isEqualTo("AT\r");
    }

    @Test
    void to_string_shows_the_configuration_syntax_and_to_builder_keeps_everything() {
        LinkSettings settings = LinkSettings.fromMap(Map.of("framing", "delimiter:\\r\\n", "ping.frame",
                "text:AT\\r\\n", "pong.match", "regex:^OK$", "maxFrameSize", "256", "maxQueuedBytes", "512"));

        assertThat(settings).hasToString("LinkSettings[framing=delimiter:text:\\r\\n, maxFrameSize=256, "
                + "maxQueuedBytes=512, ping.frame=text:AT\\r\\n, pong.match=regex:^OK$]");
        assertThat(settings.toBuilder().build()).isEqualTo(settings).hasSameHashCodeAs(settings);
        assertThat(settings.toBuilder().pingFrame(null).build()).isNotEqualTo(settings);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "framing|lines|expected none, delimiter:<bytes>",
        "framing|fixed:0|the frame length must be at least 1, not 0",
        "framing|delimiter:hex:0d0|odd number of hex digits in '0d0'",
        "framing|fixed:8192|maxFrameSize 4096 is too small for framing 'fixed:8192', which needs at least 8192",
        "ping.frame|hex:01 0|odd number of hex digits in '0'",
        "ping.frame|hex:01 zz|'z' is not a hex digit",
        "ping.frame|hex:|empty frame",
        "ping.frame|text:|empty frame",
        "ping.frame|AT|expected hex:<bytes> or text:<characters>",
        "pong.match|regex:(|bad regular expression: missing closing )",
        "pong.match|hex:0|odd number of hex digits",
        "pong.match|ok|expected any, regex:<expression>, hex:<prefix> or text:<prefix>",
        "maxFrameSize|big|expected a whole number from 1 to 16777216",
        "maxFrameSize|2147483648|expected a whole number from 1 to 16777216",
        "maxFrameSize|''|expected a whole number from 1 to 16777216",
        "maxFrameSize|1.5|expected a whole number",
        "maxFrameSize|0|expected a whole number from 1 to 16777216",
        "maxFrameSize|16777217|expected a whole number from 1 to 16777216",
        "maxFrameSize|99999999999|expected a whole number",
        "maxQueuedBytes|-1|expected a whole number from 1 to 16777216",
    })
    void every_error_names_the_key_and_the_value(String key, String value, String reason) {
        assertThatThrownBy(() -> LinkSettings.fromMap(Map.of(key, value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(key + ": invalid value '" + value + "': ")
                .hasMessageContaining(reason);
    }

    @Test
    void the_framing_must_fit_the_maximum_frame_size_given_with_it() {
        assertThat(LinkSettings.fromMap(Map.of("framing", "fixed:8192", "maxFrameSize", 8192)).maxFrameSize())
                .isEqualTo(8192);
        assertThatThrownBy(() -> LinkSettings.fromMap(Map.of("framing", "delimiter:\\r\\n", "maxFrameSize", 2)))
                .hasMessage("framing: invalid value 'delimiter:text:\\r\\n': maxFrameSize 2 is too small for "
                        + "framing 'delimiter:text:\\r\\n', which needs at least 3");
    }

    @Test
    void a_ping_frame_must_fit_in_the_outbound_queue() {
        assertThatThrownBy(() -> LinkSettings.fromMap(Map.of("ping.frame", "text:ATI\\r\\n", "maxQueuedBytes", 4)))
                .hasMessage("ping.frame: invalid value 'text:ATI\\r\\n': longer than maxQueuedBytes (4), it could "
                        + "never be sent");
    }

    @Test
    void the_builder_validates_too() {
        assertThatThrownBy(() -> LinkSettings.builder().pingFrame(new byte[0]).build())
                .hasMessage("ping.frame: invalid value '': empty frame");
        assertThatThrownBy(() -> LinkSettings.builder().framing(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("framing");
        assertThatThrownBy(() -> LinkSettings.builder().pongMatcher(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("pong.match");
    }
}
