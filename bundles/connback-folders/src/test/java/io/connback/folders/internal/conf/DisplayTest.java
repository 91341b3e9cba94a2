package io.connback.folders.internal.conf;

import io.connback.config.ConfigValues;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DisplayTest {

    private static final Path HOME = Path.of("/opt/gateway");

    @Test
    void aFileUnderTheWorkingDirectoryIsShownRelativeToIt() {
        assertThat(Display.path(Path.of("/opt/gateway/conf/io.connback.tcp-x.cfg"), HOME))
                .isEqualTo("conf/io.connback.tcp-x.cfg");
        assertThat(Display.path(Path.of("/opt/gateway/conf/../conf/x.cfg"), HOME)).isEqualTo("conf/x.cfg");
    }

    @Test
    void anyOtherFileIsShownAbsolute() {
        assertThat(Display.path(Path.of("/etc/connback/x.cfg"), HOME)).isEqualTo("/etc/connback/x.cfg");
        assertThat(Display.path(Path.of("/opt/gateway-2/conf/x.cfg"), HOME)).isEqualTo("/opt/gateway-2/conf/x.cfg");
    }

    @Test
    void plainTextIsShownAsIsAndTextThatCouldForgeALineIsQuoted() {
        assertThat(ConfigValues.inLine("conf/io.connback.tcp-ünï.cfg")).isEqualTo("conf/io.connback.tcp-ünï.cfg");
        assertThat(ConfigValues.inLine("conf/a\n2026-12-04 WARNING forged.cfg"))
                .isEqualTo("'conf/a\\n2026-12-04 WARNING forged.cfg'");
        assertThat(ConfigValues.inLine("k".repeat(200))).startsWith("'kkk").endsWith("...' (200 characters)");
    }
}
