package io.connback.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayOptionsTest {

    private static final Path INSTALL = Path.of("/opt/connback");

    private static GatewayOptions parse(Map<String, String> environment, String... args)
            throws GatewayOptions.UsageException {
        return GatewayOptions.parse(List.of(args), INSTALL, environment, null, true);
    }

    @Test
    void withoutOptionsEverythingLivesInTheInstallationAsUnpacked() throws Exception {
        GatewayOptions options = parse(Map.of());
        assertThat(options.conf()).isEqualTo(Path.of("/opt/connback/conf"));
        assertThat(options.deploy()).isEqualTo(Path.of("/opt/connback/deploy"));
        assertThat(options.data()).isEqualTo(INSTALL);
        assertThat(options.cache()).isEqualTo(Path.of("/opt/connback/cache"));
        assertThat(options.log()).isEqualTo(Path.of("/opt/connback/log"));
        assertThat(options.logLevel()).isEqualTo(Level.INFO);
        assertThat(options.logFileSize()).isEqualTo(10 * 1024 * 1024);
        assertThat(options.logFiles()).isEqualTo(5);
        assertThat(options.console()).as("on a terminal").isTrue();
        assertThat(options.demo()).isFalse();
        assertThat(options.help()).isFalse();
    }

    @Test
    void connbackHomeHoldsTheOperatorsFoldersAndTheShippedConnectorsStayInTheInstallation() throws Exception {
        GatewayOptions options = parse(Map.of(GatewayOptions.HOME_VARIABLE, "/srv/gateway"));
        assertThat(options.conf()).isEqualTo(Path.of("/srv/gateway/conf"));
        assertThat(options.data()).isEqualTo(Path.of("/srv/gateway"));
        assertThat(options.log()).isEqualTo(Path.of("/srv/gateway/log"));
        assertThat(options.deploy()).isEqualTo(Path.of("/opt/connback/deploy"));
    }

    @Test
    void eachFolderAndTheLogAreOptionsWithTheirValueAfterASpaceOrAnEqualsSign() throws Exception {
        GatewayOptions options = parse(Map.of(GatewayOptions.HOME_VARIABLE, "/srv/gateway"),
                "--conf", "/etc/connback/conf", "--deploy=/srv/deploy", "--data", "/var/lib/connback",
                "--log=/var/log/connback", "--log-level", "debug", "--log-size", "512K", "--log-files=3",
                "--demo", "--no-console");
        assertThat(options.conf()).isEqualTo(Path.of("/etc/connback/conf"));
        assertThat(options.deploy()).isEqualTo(Path.of("/srv/deploy"));
        assertThat(options.data()).isEqualTo(Path.of("/var/lib/connback"));
        assertThat(options.demoConf()).isEqualTo(Path.of("/var/lib/connback/demo-conf"));
        assertThat(options.log()).isEqualTo(Path.of("/var/log/connback"));
        assertThat(options.logLevel()).isEqualTo(Level.DEBUG);
        assertThat(options.logFileSize()).isEqualTo(512 * 1024);
        assertThat(options.logFiles()).isEqualTo(3);
        assertThat(options.demo()).isTrue();
        assertThat(options.console()).isFalse();
    }

    @Test
    void relativeFoldersAreMadeAbsoluteAgainstTheCurrentFolder() throws Exception {
        assertThat(parse(Map.of(), "--conf", "my-conf").conf())
                .isEqualTo(Path.of("my-conf").toAbsolutePath().normalize());
    }

    @Test
    void theLogLevelPropertyIsTheDefaultAndTheOptionWins() throws Exception {
        assertThat(GatewayOptions.parse(List.of(), INSTALL, Map.of(), "warning", false).logLevel())
                .isEqualTo(Level.WARNING);
        assertThat(GatewayOptions.parse(List.of("--log-level", "TRACE"), INSTALL, Map.of(), "warning", false)
                .logLevel()).isEqualTo(Level.TRACE);
        assertThat(GatewayOptions.parse(List.of(), INSTALL, Map.of(), null, false).console())
                .as("not on a terminal").isFalse();
    }

    @Test
    void aBadCommandLineIsOneLineNamingTheOptionAndTheValue() {
        assertThatThrownBy(() -> parse(Map.of(), "--verbose")).hasMessage("unknown option: --verbose");
        assertThatThrownBy(() -> parse(Map.of(), "--conf")).hasMessage("option --conf needs a value");
        assertThatThrownBy(() -> parse(Map.of(), "--conf", "--demo")).hasMessage("option --conf needs a value");
        assertThatThrownBy(() -> parse(Map.of(), "--conf=")).hasMessage("option --conf needs a value");
        assertThatThrownBy(() -> parse(Map.of(), "--demo=yes")).hasMessage("option --demo takes no value: --demo=yes");
        assertThatThrownBy(() -> parse(Map.of(), "--log-size", "big"))
                .hasMessage("bad value for --log-size: 'big' (a size of at least 4096 bytes, e.g. 10M)");
        assertThatThrownBy(() -> parse(Map.of(), "--log-size", "1K"))
                .hasMessageStartingWith("bad value for --log-size");
        assertThatThrownBy(() -> parse(Map.of(), "--log-files", "0"))
                .hasMessage("bad value for --log-files: '0' (a number of files, at least 1)");
        assertThatThrownBy(() -> parse(Map.of(), "--log-size", "99999999999G"))
                .hasMessageStartingWith("bad value for --log-size: '99999999999G'");
    }

    @Test
    void aBadLogLevelListsTheLevelsAndNeedsNoUsage() {
        assertThatThrownBy(() -> GatewayOptions.parse(List.of(), INSTALL, Map.of(), "VERBOSE", false))
                .isInstanceOfSatisfying(GatewayOptions.UsageException.class,
                        e -> assertThat(e.showUsage()).isFalse())
                .hasMessage("bad log level 'VERBOSE' (-Dconnback.log.level): "
                        + "one of ALL, TRACE, DEBUG, INFO, WARNING, ERROR, OFF");
        assertThatThrownBy(() -> parse(Map.of(), "--log-level", "loud"))
                .hasMessageStartingWith("bad log level 'loud' (--log-level): one of ALL,");
    }

    @Test
    void theUsageHasOneLinePerOption() {
        for (String option : List.of("--conf", "--deploy", "--data", "--log", "--log-level", "--log-size",
                "--log-files", "--demo", "--no-console", "--help")) {
            assertThat(GatewayOptions.USAGE.lines()).as(option).filteredOn(line -> line.startsWith("  " + option + " "))
                    .hasSize(1);
        }
    }
}
