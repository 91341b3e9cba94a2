package io.connback.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FramesTest {

    @Test
    void hex_with_or_without_spaces_in_either_case() {
        byte[] modbusRead = {0x01, 0x03, 0x00, 0x00, 0x00, 0x01, (byte) 0x84, 0x0A};
        assertThat(Frames.parse("hex:01 03 00 00 00 01 84 0A")).isEqualTo(modbusRead);
        assertThat(Frames.parse("hex:010300000001840a")).isEqualTo(modbusRead);
        assertThat(Frames.parse("hex: 0103 0000\t0001  840A ")).isEqualTo(modbusRead);
    }

    @Test
    void text_with_escapes() {
        assertThat(Frames.parse("text:AT\\r\\n")).isEqualTo(new byte[] {'A', 'T', '\r', '\n'});
        assertThat(Frames.parse("text:a\\tb\\\\c\\x00\\xfF")).isEqualTo(
                new byte[] {'a', '\t', 'b', '\\', 'c', 0x00, (byte) 0xFF});
        assertThat(Frames.parse("text: spaces kept ")).hasSize(13);
        assertThat(Frames.parse("text:é")).isEqualTo(new byte[] {(byte) 0xE9});
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "hex:01 0|odd number of hex digits in '0'",
        "hex:010 3|odd number of hex digits in '010'",
        "hex:0g|'g' is not a hex digit",
        "hex:01,02|',' is not a hex digit",
        "hex:0x01|'x' is not a hex digit",
        "hex:|empty frame",
        "'hex:   '|empty frame",
        "text:|empty frame",
        "text:a\\q|unknown escape \\q",
        "text:a\\|a lone \\ at the end",
        "text:\\x4|\\x needs two hex digits, not '4'",
        "text:\\xzz|\\x needs two hex digits, not 'zz'",
        "text:€|character '€' is not one byte",
        "01 03|expected hex:<bytes> or text:<characters>",
        "HEX:01|expected hex:<bytes> or text:<characters>",
    })
    void bad_frames_are_rejected_naming_the_value_and_the_reason(String spec, String reason) {
        assertThatThrownBy(() -> Frames.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid frame '" + spec + "': ").hasMessageContaining(reason);
    }

    @Test
    void no_value_is_rejected() {
        assertThatThrownBy(() -> Frames.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid frame 'null': no value");
    }

    @Test
    void printable_bytes_format_as_text_others_as_hex_and_both_parse_back() {
        byte[] at = Frames.parse("text:AT+CSQ\\r\\n");
        byte[] modbus = Frames.parse("hex:01 03 00 00 00 01 84 0A");
        byte[] backslash = {'a', '\\', '\t'};

        assertThat(Frames.format(at)).isEqualTo("text:AT+CSQ\\r\\n");
        assertThat(Frames.format(modbus)).isEqualTo("hex:01 03 00 00 00 01 84 0A");
        assertThat(Frames.format(backslash)).isEqualTo("text:a\\\\\\t");
        for (byte[] bytes : new byte[][] {at, modbus, backslash, {(byte) 0x80}, {0x7F}, {' '}}) {
            assertThat(Frames.parse(Frames.format(bytes))).isEqualTo(bytes);
        }
    }
}
