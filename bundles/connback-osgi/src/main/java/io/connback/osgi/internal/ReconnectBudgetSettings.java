package io.connback.osgi.internal;

import io.connback.ReconnectBudget;
import io.connback.config.ConfigValues;
import io.connback.osgi.ConfigurationCheck;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The gateway's reconnect budget, from {@code conf/io.connback.gateway.cfg}: {@code reconnect.rate} (connection
 * attempts per second that all links together may start, default {@value #DEFAULT_RATE}, or {@code off}) and
 * {@code reconnect.burst} (how many may start at once after a quiet time, default {@value #DEFAULT_BURST}). Every link
 * of the gateway shares the one budget, which a changed configuration updates in place.
 *
 * @param off whether the budget is lifted
 * @param rate attempts per second
 * @param burst attempts at once
 */
record ReconnectBudgetSettings(boolean off, double rate, int burst) {

    /** Attempts per second by default: after a power cycle, 1,000 links are back within about 10 s. */
    static final int DEFAULT_RATE = 100;
    /** Attempts at once by default: a handful of links that drop are retried at once. */
    static final int DEFAULT_BURST = 50;

    private static final Logger LOG = System.getLogger(ConnectionManager.class.getName());
    private static final double MAX_RATE = 1e9;
    private static final int MAX_BURST = 1_000_000;

    /** The budget of a gateway without configuration. */
    static ReconnectBudget defaultBudget() {
        return ReconnectBudget.of(DEFAULT_RATE, DEFAULT_BURST);
    }

    /**
     * Reads the settings.
     *
     * @param configuration the gateway's configuration
     * @return the settings
     * @throws IllegalArgumentException naming the key and the value, if one is bad
     */
    static ReconnectBudgetSettings of(Map<String, ?> configuration) {
        ConfigValues values = ConfigValues.ofForm(configuration);
        int burst = values.wholeNumber("reconnect.burst", 1, MAX_BURST).orElse(DEFAULT_BURST);
        if (values.text("reconnect.rate").map(rate -> rate.trim().equalsIgnoreCase("off")).orElse(false)) {
            return new ReconnectBudgetSettings(true, DEFAULT_RATE, burst);
        }
        double rate;
        try {
            rate = values.decimal("reconnect.rate").map(BigDecimal::doubleValue).orElse((double) DEFAULT_RATE);
        } catch (IllegalArgumentException notANumber) {
            throw ConfigValues.invalid("reconnect.rate", values.raw("reconnect.rate").orElseThrow(),
                    "expected attempts per second, or off");
        }
        if (!(rate > 0) || rate > MAX_RATE) {
            throw ConfigValues.invalid("reconnect.rate", values.raw("reconnect.rate").orElseThrow(),
                    "expected attempts per second above 0 and at most 1e9, or off");
        }
        return new ReconnectBudgetSettings(false, rate, burst);
    }

    /**
     * Applies a configuration to the gateway's budget, or, if it is refused, says so in one line per bad key and
     * keeps the budget as it is.
     *
     * @param configuration the gateway's configuration; empty for the defaults
     * @param budget the budget every link shares
     */
    static void apply(Map<String, ?> configuration, ReconnectBudget budget) {
        ConfigurationCheck check = ConfigurationCheck.of(configuration);
        check.run(List.of(ReconnectBudgetSettings::of));
        check.warnings().forEach(line -> LOG.log(Level.WARNING, line));
        if (!check.problems().isEmpty()) {
            check.problems().forEach(line -> LOG.log(Level.ERROR, line + " (the reconnect budget stays " + budget
                    + ")"));
            return;
        }
        ReconnectBudgetSettings settings = of(configuration);
        if (settings.off()) {
            budget.lift();
        } else {
            budget.update(settings.rate(), settings.burst());
        }
        Level level = configuration.containsKey("reconnect.rate") || configuration.containsKey("reconnect.burst")
                ? Level.INFO : Level.DEBUG;
        LOG.log(level, () -> "reconnect budget of the links: " + (settings.off() ? "off" : String.format(Locale.ROOT,
                "%s attempts/s, burst %d", BigDecimal.valueOf(settings.rate()).stripTrailingZeros().toPlainString(),
                settings.burst())));
    }
}
