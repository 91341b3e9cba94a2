package io.connback.folders.internal.conf;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.folders.internal.conf.ConfFileName.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfFileNameTest {

    @Test
    void aFactoryConfigurationIsSplitAtTheFirstDashAsFileInstallSplitsIt() {
        ConfFileName name = ConfFileName.of("io.connback.tcp-meter-1.cfg");

        assertThat(name).isEqualTo(new ConfFileName(Kind.CONFIGURATION, "io.connback.tcp", "meter-1"));
        assertThat(name.isFactory()).isTrue();
        assertThat(name.configurationPid()).isEqualTo("io.connback.tcp~meter-1");
    }

    @Test
    void aFileWithoutADashIsASingletonConfiguration() {
        ConfFileName name = ConfFileName.of("io.connback.fleet.cfg");

        assertThat(name).isEqualTo(new ConfFileName(Kind.CONFIGURATION, "io.connback.fleet", null));
        assertThat(name.isFactory()).isFalse();
        assertThat(name.configurationPid()).isEqualTo("io.connback.fleet");
    }

    @Test
    void aLeadingDashIsPartOfThePid() {
        assertThat(ConfFileName.of("-x.cfg")).isEqualTo(new ConfFileName(Kind.CONFIGURATION, "-x", null));
    }

    @Test
    void aShortPrefixIsAPidLikeAnyOther() {
        assertThat(ConfFileName.of("tcp-x.cfg")).isEqualTo(new ConfFileName(Kind.CONFIGURATION, "tcp", "x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"README.txt", "README", "readme.md", "notes.txt", "HOWTO.md"})
    void notesAreNotes(String file) {
        assertThat(ConfFileName.of(file).kind()).isEqualTo(Kind.NOTE);
    }

    @ParameterizedTest
    @ValueSource(strings = {".io.connback.tcp-x.cfg.swp", ".hidden.cfg", "io.connback.tcp-x.cfg~",
            "x.cfg.swp", "x.cfg.tmp", "x.TMP", "#x.cfg#", ".#x.cfg"})
    void hiddenAndEditorFilesAreTemporary(String file) {
        assertThat(ConfFileName.of(file).kind()).isEqualTo(Kind.TEMPORARY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x.json", "x.config", "x.CFG", "x.cfg.bak", "4913"})
    void anythingElseIsOther(String file) {
        assertThat(ConfFileName.of(file).kind()).isEqualTo(Kind.OTHER);
    }
}
