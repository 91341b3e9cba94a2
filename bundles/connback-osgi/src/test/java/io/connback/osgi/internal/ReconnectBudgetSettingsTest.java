package io.connback.osgi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.connback.ReconnectBudget;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** conf/io.connback.gateway.cfg's reconnect budget: its defaults, off, its checks, and updates in place. */
class ReconnectBudgetSettingsTest {

    @Test
    void withoutConfigurationEveryLinkSharesTheDefaultBudget() {
        ReconnectBudget budget = ReconnectBudgetSettings.defaultBudget();
        ReconnectBudgetSettings.apply(Map.of(), budget);

        assertThat(budget.rate()).isEqualTo(ReconnectBudgetSettings.DEFAULT_RATE);
        assertThat(budget.burst()).isEqualTo(ReconnectBudgetSettings.DEFAULT_BURST);
        assertThat(budget.isLifted()).isFalse();
    }

    @Test
    void aConfigurationUpdatesTheBudgetInPlaceAndOffLiftsIt() {
        ReconnectBudget budget = ReconnectBudgetSettings.defaultBudget();
        ReconnectBudgetSettings.apply(Map.of("reconnect.rate", "12.5", "reconnect.burst", "4"), budget);
        assertThat(budget.rate()).isEqualTo(12.5);
        assertThat(budget.burst()).isEqualTo(4);

        ReconnectBudgetSettings.apply(Map.of("reconnect.rate", "off"), budget);
        assertThat(budget.isLifted()).isTrue();
        ReconnectBudgetSettings.apply(Map.of("reconnect.rate", "20"), budget);
        assertThat(budget.isLifted()).isFalse();
        assertThat(budget.rate()).isEqualTo(20);
    }

    @Test
    void aBadValueNamesItsKeyAndLeavesTheBudgetAsItWas() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ReconnectBudgetSettings.of(Map.of("reconnect.rate", "fast")))
                .withMessage("reconnect.rate: invalid value 'fast': expected attempts per second, or off");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ReconnectBudgetSettings.of(Map.of("reconnect.rate", "0")))
                .withMessageStartingWith("reconnect.rate: invalid value '0': expected attempts per second above 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ReconnectBudgetSettings.of(Map.of("reconnect.burst", "0")))
                .withMessage("reconnect.burst: invalid value '0': expected a whole number from 1 to 1000000");

        ReconnectBudget budget = ReconnectBudget.of(7, 3);
        ReconnectBudgetSettings.apply(Map.of("reconnect.rate", "fast", "reconnect.burst", "9"), budget);
        assertThat(budget.rate()).isEqualTo(7);
        assertThat(budget.burst()).isEqualTo(3);
    }
}
