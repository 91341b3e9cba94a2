package io.connback.folders.internal.conf;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CfgFileTest {

    @Test
    void readsUtf8WhereFileInstallReadIso88591() throws Exception {
        byte[] file = "name = ünïcödé ✓\n".getBytes(UTF_8);

        assertThat(CfgFile.parse(file).properties()).containsEntry("name", "ünïcödé ✓");
        Properties iso = new Properties();
        iso.load(new StringReader(new String(file, ISO_8859_1)));
        assertThat(iso.getProperty("name")).as("what FileInstall gave").startsWith("Ã¼nÃ¯cÃ¶dÃ©");
    }

    /** Texts where the syntax has corners; each must give what java.util.Properties gives. */
    @ParameterizedTest
    @ValueSource(strings = {
            "a=1\nb = 2\nc:3\nd 4\ne\t5\nf\f6\n",
            "key = = value\nkey2 :: value\nkey3   value with   spaces   \n",
            "  indented = yes\n\t\ttabbed = yes\n",
            "# comment\n! also a comment\n   # indented comment\nreal = 1\n",
            "# a comment ending in a backslash does not continue \\\nnext = 1\n",
            "long = one \\\n     two \\\n\tthree\n",
            "crlf = a \\\r\n   b\r\nafter = c\r\n",
            "cr = a \\\r   b\rafter = c\r",
            "continued \\\n# not a comment: a continuation\n",
            "\\\n# a comment: the continued line was empty\nk = v\n",
            "even = ends in two backslashes \\\\\nnext = 1\n",
            "odd = ends in three \\\\\\\nstill odd\n",
            "trailing = backslash at the end of the file \\",
            "escaped\\=key = v\nescaped\\:colon = v\nescaped\\ space = v\n",
            "unicode = \\u0041\\u00e9\\u2713\nupper = \\u00C9\n",
            "controls = a\\tb\\nc\\rd\\fe\nothers = \\q\\#\\!\\\\\n",
            "empty =\nonly\nblank = \n",
            "a = 1\n\n\n   \n\t\nb = 2",
            "key\\\n   continued = value\n",
            "split\\u0041\\\n  = v\n",
            "dup = 1\ndup = 2\n",
            "value = # not a comment\n",
            "spaces\\ \\ inside = v\n",
            "\\ leading = space key\n",
            "k = v\\\n\n",
    })
    void givesWhatJavaUtilPropertiesGives(String text) throws Exception {
        assertThat(CfgFile.parse(text.getBytes(UTF_8)).properties()).isEqualTo(properties(text));
    }

    @Test
    void eachEntryHasTheLineItStartsOn() throws Exception {
        String text = "# header\na = 1\nlong = x \\\n  y \\\n  z\n\r\nb = 2\r\nc = 3\rd = 4\n";

        List<CfgFile.Entry> entries = CfgFile.parse(text.getBytes(UTF_8)).entries();

        assertThat(entries).containsExactly(new CfgFile.Entry("a", "1", 2), new CfgFile.Entry("long", "x y z", 3),
                new CfgFile.Entry("b", "2", 7), new CfgFile.Entry("c", "3", 8), new CfgFile.Entry("d", "4", 9));
    }

    @Test
    void duplicatesNameTheirLineAndTheEarlierOnesAndTheLastValueCounts() throws Exception {
        String text = "keepalive = 5\nhost = a\nkeepalive = 6\n# comment\nkeepalive = 7\nport = 1\n";

        CfgFile file = CfgFile.parse(text.getBytes(UTF_8));

        assertThat(file.duplicates()).containsExactly(new CfgFile.Duplicate("keepalive", 3, List.of(1)),
                new CfgFile.Duplicate("keepalive", 5, List.of(1, 3)));
        assertThat(file.properties()).containsExactly(Map.entry("keepalive", "7"), Map.entry("host", "a"),
                Map.entry("port", "1"));
    }

    @Test
    void aMalformedUnicodeEscapeNamesItsLine() {
        String text = "a = 1\n# ok\nb = C:\\users\\me\n";

        assertThatThrownBy(() -> CfgFile.parse(text.getBytes(UTF_8))).isInstanceOfSatisfying(
                CfgSyntaxException.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.getMessage()).isEqualTo("malformed \\uXXXX escape '\\users': \\u takes 4 "
                            + "hexadecimal digits (write \\\\ for a backslash)");
                });
    }

    @Test
    void aUnicodeEscapeCutByTheEndOfTheValueIsMalformed() {
        assertThatThrownBy(() -> CfgFile.parse("a = 1\nb = \\u12".getBytes(UTF_8)))
                .isInstanceOfSatisfying(CfgSyntaxException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.getMessage()).startsWith("malformed \\uXXXX escape '\\u12':");
                });
    }

    @Test
    void aMalformedEscapeOnAContinuationLineNamesThatLine() {
        String text = "key = first \\\n   second \\\n   third \\u00zz\n";

        assertThatThrownBy(() -> CfgFile.parse(text.getBytes(UTF_8)))
                .isInstanceOfSatisfying(CfgSyntaxException.class, e -> assertThat(e.line()).isEqualTo(3));
    }

    @Test
    void bytesThatAreNotUtf8NameTheirLineAndByte() {
        byte[] latin1 = "a = 1\nb = 2\nname = Müller\n".getBytes(ISO_8859_1);

        assertThatThrownBy(() -> CfgFile.parse(latin1)).isInstanceOfSatisfying(CfgSyntaxException.class, e -> {
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.getMessage()).isEqualTo("byte 0xfc at byte 20 of the file is not UTF-8 "
                    + "(save the file as UTF-8)");
        });
    }

    @Test
    void aTruncatedUtf8SequenceAtTheEndIsNotUtf8() {
        byte[] cut = {'a', '=', (byte) 0xe2, (byte) 0x9c};

        assertThatThrownBy(() -> CfgFile.parse(cut)).isInstanceOfSatisfying(CfgSyntaxException.class,
                e -> assertThat(e.getMessage()).startsWith("bytes 0xe2 0x9c at byte 2 of the file are not UTF-8"));
    }

    @Test
    void aByteOrderMarkIsSkipped() throws Exception {
        byte[] bom = "\uFEFFhost = a\n".getBytes(UTF_8);

        assertThat(CfgFile.parse(bom).properties()).containsExactly(Map.entry("host", "a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"= value\n", "a = 1\n : value\n"})
    void aValueWithoutAKeyIsRefusedConfigurationAdminTakesNoEmptyKey(String text) {
        assertThatThrownBy(() -> CfgFile.parse(text.getBytes(UTF_8))).isInstanceOfSatisfying(
                CfgSyntaxException.class, e -> {
                    assertThat(e.line()).isEqualTo(text.startsWith("=") ? 1 : 2);
                    assertThat(e.getMessage()).isEqualTo("a value without a key");
                });
    }

    @Test
    void anEmptyFileHasNoEntries() throws Exception {
        assertThat(CfgFile.parse(new byte[0]).entries()).isEmpty();
        assertThat(CfgFile.parse("# only a comment".getBytes(UTF_8)).entries()).isEmpty();
    }

    private static Map<String, String> properties(String text) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(key -> map.put(key, properties.getProperty(key)));
        return map;
    }
}
