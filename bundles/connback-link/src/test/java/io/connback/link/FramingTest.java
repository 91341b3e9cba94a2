package io.connback.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FramingTest {

    @Test
    void parses_each_kind() {
        assertThat(Framing.parse("none")).isEqualTo(Framing.none());
        assertThat(Framing.parse("delimiter:\\r\\n")).isEqualTo(Framing.delimiter(new byte[] {'\r', '\n'}));
        assertThat(Framing.parse("delimiter:hex:0d0a")).isEqualTo(Framing.delimiter(new byte[] {'\r', '\n'}));
        assertThat(Framing.parse("delimiter:text:hex:")).isEqualTo(Framing.delimiter("hex:".getBytes()));
        assertThat(Framing.parse("delimiter:;")).isEqualTo(Framing.delimiter(new byte[] {';'}));
        assertThat(Framing.parse("fixed:8")).isEqualTo(Framing.fixedLength(8));
        assertThat(Framing.parse("length:offset=4,bytes=2"))
                .isEqualTo(Framing.lengthField(4, 2, ByteOrder.BIG_ENDIAN, 0));
        assertThat(Framing.parse("length: order=little , adjust=-2,bytes=1"))
                .isEqualTo(Framing.lengthField(0, 1, ByteOrder.LITTLE_ENDIAN, -2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "delimiter:text:\\r\\n", "delimiter:hex:00 FF", "fixed:12",
        "length:offset=4,bytes=2,adjust=0,order=big", "length:offset=0,bytes=3,adjust=-3,order=little"})
    void to_string_is_the_syntax_that_parses_back(String spec) {
        assertThat(Framing.parse(spec)).hasToString(spec);
    }

    @Test
    void equality_follows_the_parameters() {
        assertThat(Framing.lengthField(4, 2, ByteOrder.BIG_ENDIAN, 0))
                .isNotEqualTo(Framing.lengthField(4, 2, ByteOrder.LITTLE_ENDIAN, 0))
                .hasSameHashCodeAs(Framing.parse("length:bytes=2,offset=4"));
        assertThat(Framing.fixedLength(2)).isNotEqualTo(Framing.fixedLength(3)).isNotEqualTo(Framing.none());
        assertThat(Framing.delimiter(new byte[] {1})).isNotEqualTo(Framing.delimiter(new byte[] {2}));
    }

    @Test
    void the_delimiter_is_copied() {
        byte[] delimiter = {';'};
        Framing framing = Framing.delimiter(delimiter);
        delimiter[0] = ',';
        assertThat(framing).hasToString("delimiter:text:;");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|expected none, delimiter:<bytes>, fixed:<length> or length:",
        "NONE|expected none, delimiter:<bytes>, fixed:<length> or length:",
        "lines|expected none",
        "delimiter:|empty frame",
        "delimiter:hex:0d0|odd number of hex digits in '0d0'",
        "delimiter:hex:zz|'z' is not a hex digit",
        "delimiter:\\q|unknown escape \\q",
        "fixed:|frame length must be a whole number, not ''",
        "fixed:eight|frame length must be a whole number, not 'eight'",
        "fixed:0|the frame length must be at least 1, not 0",
        "fixed:-8|the frame length must be at least 1, not -8",
        "length:|'' is not one of bytes=<1-4>, offset=<n>, adjust=<n>, order=big",
        "length:offset=2|bytes=<1-4>, the size of the length field, is required",
        "length:bytes=5|the length field takes 1 to 4 bytes, not 5",
        "length:bytes=0|the length field takes 1 to 4 bytes, not 0",
        "length:bytes=2,offset=-1|the length field offset must be 0 to",
        "length:bytes=2,order=middle|order must be big or little, not 'middle'",
        "length:bytes=2,size=3|'size=3' is not one of",
        "length:bytes=2,bytes=1|bytes is given twice",
        "length:bytes=two|bytes must be a whole number, not 'two'",
        "length:bytes=2,adjust=1.5|adjust must be a whole number, not '1.5'",
    })
    void bad_framings_are_rejected_naming_the_value_and_the_reason(String spec, String reason) {
        assertThatThrownBy(() -> Framing.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid framing '" + spec + "': ").hasMessageContaining(reason);
    }

    @Test
    void factories_reject_impossible_parameters() {
        assertThatThrownBy(() -> Framing.delimiter(new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty delimiter");
        assertThatThrownBy(() -> Framing.lengthField(0, 2, null, 0)).isInstanceOf(NullPointerException.class)
                .hasMessage("order");
    }

    @Test
    void the_maximum_frame_size_must_fit_the_framing() {
        assertThatThrownBy(() -> new FrameDecoder(Framing.parse("delimiter:\\r\\n"), 2, new Recorder()))
                .hasMessageContaining("needs at least 3");
        assertThatThrownBy(() -> new FrameDecoder(Framing.parse("length:offset=4,bytes=2,adjust=1"), 6,
                new Recorder())).hasMessageContaining("needs at least 7");
        assertThat(new FrameDecoder(Framing.parse("length:offset=4,bytes=2,adjust=-6"), 6, new Recorder()))
                .isNotNull();
    }
}
