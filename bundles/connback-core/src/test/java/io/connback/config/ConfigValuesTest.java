package io.connback.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValuesTest {

    @Test
    void quoteEscapesControlCharactersSoThatNoValueForgesALine() {
        assertThat(ConfigValues.quote("a\nlink x CONNECTED\r\t\u001b[31m\u2028"))
                .isEqualTo("'a\\nlink x CONNECTED\\r\\t\\x1b[31m\\u2028'");
    }

    @Test
    void quoteCutsALongValueAndNotesItsLength() {
        String quoted = ConfigValues.quote("a".repeat(1_048_576));

        assertThat(quoted).isEqualTo("'" + "a".repeat(ConfigValues.QUOTE_LIMIT) + "...' (1048576 characters)");
    }

    @Test
    void anInvalidValueNamesItsKeyAndQuotesTheValue() {
        InvalidValueException error = ConfigValues.invalid("port", "7\n001", "expected a whole number");

        assertThat(error.key()).isEqualTo("port");
        assertThat(error.reason()).isEqualTo("expected a whole number");
        assertThat(error).hasMessage("port: invalid value '7\\n001': expected a whole number");
        assertThat(ConfigValues.invalid("host", null, "required")).hasMessage("host: no value: required");
    }

    @Test
    void aWholeNumberOutOfRangeSaysTheRange() {
        ConfigValues values = ConfigValues.of(Map.of("maxFrameSize", "2147483648", "port", "abc", "ok", "8"));

        assertThatThrownBy(() -> values.wholeNumber("maxFrameSize", 1, Integer.MAX_VALUE))
                .hasMessage("maxFrameSize: invalid value '2147483648': expected a whole number from 1 to 2147483647");
        assertThatThrownBy(() -> values.wholeNumber("port", 1, 65535))
                .hasMessage("port: invalid value 'abc': expected a whole number from 1 to 65535");
        assertThat(values.wholeNumber("ok", 1, 10)).contains(8);
    }

    @Test
    void aDurationTakesAUnitOrTheKeysUnitAndQuotesTheValueAsWritten() {
        ConfigValues values = ConfigValues.of(Map.of("a", "30s", "b", "250 ms", "c", "7", "d", "2m", "e", "5 weeks",
                "f", "-1s"));

        assertThat(values.duration("a", ChronoUnit.MILLIS)).contains(Duration.ofSeconds(30));
        assertThat(values.duration("b", ChronoUnit.SECONDS)).contains(Duration.ofMillis(250));
        assertThat(values.duration("c", ChronoUnit.SECONDS)).contains(Duration.ofSeconds(7));
        assertThat(values.duration("d", ChronoUnit.SECONDS)).contains(Duration.ofMinutes(2));
        assertThatThrownBy(() -> values.duration("e", ChronoUnit.SECONDS))
                .hasMessage("e: invalid value '5 weeks': expected a duration such as 30s, 250ms or 2m (a bare number"
                        + " is in s)");
        assertThatThrownBy(() -> values.duration("f", ChronoUnit.SECONDS))
                .hasMessage("f: invalid value '-1s': must not be negative");
    }
}
