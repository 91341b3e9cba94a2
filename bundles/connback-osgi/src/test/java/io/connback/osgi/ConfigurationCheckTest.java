package io.connback.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnbackOptions;
import io.connback.config.ConfigValues;
import io.connback.link.LinkSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ConfigurationCheckTest {

    private static final String FILE = "conf/io.connback.tcp-meter1.cfg";

    /** A connector's reader: a required host and a port, then the link keys, as the TCP connector reads them. */
    private static final Function<Map<String, ?>, ?> DEVICE = properties -> {
        ConfigValues values = ConfigValues.ofForm(properties);
        values.wholeNumber("port", 1, 65535);
        LinkSettings settings = LinkSettings.fromMap(properties);
        if (values.text("host").isEmpty()) {
            throw ConfigValues.invalid("host", null, "a host name or IP address is required");
        }
        return settings;
    };

    private static ConfigurationCheck check(Map<String, Object> configuration) {
        configuration.put(ConnbackProperties.FILE, FILE);
        configuration.put("service.pid", "io.connback.tcp~meter1");
        ConfigurationCheck check = ConfigurationCheck.of(configuration);
        check.run(List.of(DEVICE, ConnbackOptions::fromMap, ConnbackProperties::isRequired,
                ConnbackProperties::linkName));
        return check;
    }

    @Test
    void everyBadKeyOfAFileIsOneLineNamingTheFile() {
        Map<String, Object> configuration = new HashMap<>(Map.of("host", "10.0.0.7", "port", "abc",
                "keepalive", "-1", "maxFrameSize", "2147483648", "framing", "slip"));

        List<String> problems = check(configuration).problems();

        assertThat(problems).hasSize(4).contains(
                FILE + ": port: invalid value 'abc': expected a whole number from 1 to 65535",
                FILE + ": keepalive: invalid value '-1': must not be negative",
                FILE + ": maxFrameSize: invalid value '2147483648': expected a whole number from 1 to 16777216");
        assertThat(problems).anyMatch(line -> line.startsWith(FILE + ": framing: invalid value 'slip': expected none"));
    }

    @Test
    void requiredIsAKnownKeyThatTakesTrueOrFalse() {
        assertThat(check(new HashMap<>(Map.of("host", "h", "port", "1", "required", "true"))).warnings()).isEmpty();
        assertThat(check(new HashMap<>(Map.of("host", "h", "port", "1", "required", "yes"))).problems())
                .containsExactly(FILE + ": required: invalid value 'yes': expected true or false");
    }

    @Test
    void aMissingRequiredKeyIsOneLineToo() {
        Map<String, Object> configuration = new HashMap<>(Map.of("port", "7001", "keepalive", "5s"));

        assertThat(check(configuration).problems())
                .containsExactly(FILE + ": host: no value: a host name or IP address is required");
    }

    @Test
    void aGoodFileHasNoProblem() {
        ConfigurationCheck check = check(new HashMap<>(Map.of("host", "h", "port", "7001", "keepalive", "30s",
                // what SCR adds to a component's properties
                "osgi.ds.satisfying.condition.target", "(osgi.condition.id=true)", "component.name", "x",
                "Connector.target", "(connback.name=*)")));

        assertThat(check.problems()).isEmpty();
        assertThat(check.warnings()).isEmpty();
        assertThat(check.linkName()).isEqualTo("meter1");
    }

    @Test
    void anUnknownKeyIsWarnedWithTheClosestKnownKey() {
        ConfigurationCheck check = check(new HashMap<>(Map.of("host", "h", "port", "7001", "keepalvie", "5",
                "colour", "blue")));

        assertThat(check.problems()).isEmpty();
        assertThat(check.warnings()).containsExactly(FILE + ": colour: unknown key, ignored",
                FILE + ": keepalvie: unknown key, ignored (did you mean keepalive?)");
    }

    @Test
    void aLongOrForgingValueIsQuotedSafely() {
        Map<String, Object> configuration = new HashMap<>(Map.of("host", "h", "port", "1\nlink x CONNECTED",
                "maxDelay", "9".repeat(1_000_000)));

        assertThat(check(configuration).problems()).containsExactlyInAnyOrder(
                FILE + ": port: invalid value '1\\nlink x CONNECTED': expected a whole number from 1 to 65535",
                FILE + ": maxDelay: invalid value '" + "9".repeat(ConfigValues.QUOTE_LIMIT)
                        + "...' (1000000 characters): expected a number of at most 100 characters");
    }

    @Test
    void theSourceIsTheGatewaysFileOrFileInstallsOrThePid() {
        assertThat(ConfigurationCheck.sourceOf(Map.of(ConnbackProperties.FILE, FILE, "service.pid", "p")))
                .isEqualTo(FILE);
        Path karaf = Path.of("/opt/karaf/etc/io.connback.tcp-meter1.cfg");
        assertThat(ConfigurationCheck.sourceOf(Map.of("felix.fileinstall.filename", karaf.toUri().toString())))
                .isEqualTo(karaf.toString());
        assertThat(ConfigurationCheck.sourceOf(Map.of("service.pid", "io.connback.tcp~meter1")))
                .isEqualTo("io.connback.tcp~meter1");
        assertThat(ConfigurationCheck.sourceOf(Map.of(ConnbackProperties.FILE, "conf/a\nlink x ENDED.cfg")))
                .isEqualTo("'conf/a\\nlink x ENDED.cfg'");
    }

    @Test
    void theDistanceCountsASwapOfNeighboursAsOneEdit() {
        assertThat(ConfigurationCheck.distance("keepalvie", "keepalive")).isEqualTo(1);
        assertThat(ConfigurationCheck.distance("prot", "port")).isEqualTo(1);
        assertThat(ConfigurationCheck.distance("colour", "port")).isGreaterThan(2);
    }
}
