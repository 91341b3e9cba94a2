package io.connback.osgi.internal;

import io.connback.config.ConfigValues;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The log lines of the links' state changes, one per change in a stable format, for operators who follow the gateway
 * log with {@code tail -f} and for scripts that match it; {@link ManagedLink} writes them from its status, so that they
 * agree with the console, the fleet status and the web page:
 * <ul>
 *   <li>{@code link meter1 CONNECTED via /dev/ttyUSB1 after 3 attempts} (the attempt that connected, counted from
 *       the last stable connection, when it was not the first);</li>
 *   <li>{@code link meter1 RECONNECTING attempt 2: Connection refused; next in 1.3 s} (a failed attempt, with its own
 *       error);</li>
 *   <li>{@code link meter1 DISCONNECTED: peer closed} (an established connection lost or closed, with why:
 *       {@code configuration changed}, {@code peer closed}, {@code keepalive: ...}, {@code I/O error: ...},
 *       {@code gateway stopping}, ...);</li>
 *   <li>{@code link meter1 OFFLINE: gave up after 5 attempts: ...} and {@code link meter1 ENDED}.</li>
 * </ul>
 * The logger is {@value #LOGGER}, at INFO.
 */
final class LinkStateLog {

    /** The name of the System.Logger of the lines. */
    static final String LOGGER = "io.connback.gateway.links";

    private static final Logger LOG = System.getLogger(LOGGER);

    /** Writes the lines to the logger {@value #LOGGER}. */
    static final Consumer<String> TO_LOGGER = line -> LOG.log(Level.INFO, line);

    private LinkStateLog() {}

    /**
     * An error as a line shows it: its message on one line, control characters escaped, cut if long.
     *
     * @param error the error
     * @return the text
     */
    static String describe(Throwable error) {
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        String quoted = ConfigValues.quote(message.replaceAll("\\s*\\R\\s*", " "));
        // quote's single quotes are for values; a message reads better without them
        return quoted.startsWith("'") && quoted.endsWith("'") ? quoted.substring(1, quoted.length() - 1) : quoted;
    }

    /**
     * A delay as the lines show it: {@code 1.3 s}, {@code 250 ms}.
     *
     * @param delay the delay
     * @return the text
     */
    static String seconds(Duration delay) {
        if (delay.toMillis() < 1000) {
            return delay.toMillis() + " ms";
        }
        return BigDecimal.valueOf(delay.toMillis()).movePointLeft(3).setScale(1, RoundingMode.HALF_UP) + " s";
    }
}
