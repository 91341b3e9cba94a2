package io.connback.backoff;

import io.connback.config.ConfigValues;
import java.time.Duration;
import java.util.Locale;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * How the delay between reconnection attempts grows. A strategy is immutable and shareable; each backoff run gets a
 * fresh {@link DelaySequence} from {@link #start(BackoffParameters)}.
 *
 * <p>Custom strategies are plain implementations of this interface, passed to
 * {@code ConnbackOptions.builder().strategy(...)}.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
@FunctionalInterface
public interface BackoffStrategy {

    /**
     * Starts a new run of delays.
     *
     * @param parameters initial delay, maximum delay and factor
     * @return the sequence of delays of this run
     */
    DelaySequence start(BackoffParameters parameters);

    /**
     * Exponential: initialDelay, then multiplied by the factor at each attempt, capped at maxDelay (100, 200, 400,
     * 800 ms... from 100 ms with factor 2).
     *
     * @return the exponential strategy
     */
    static BackoffStrategy exponential() {
        return Strategies.EXPONENTIAL;
    }

    /**
     * Fibonacci: initialDelay, initialDelay, then the sum of the two previous delays, capped at maxDelay (1, 1, 2, 3,
     * 5, 8 s... from 1 s).
     *
     * @return the fibonacci strategy
     */
    static BackoffStrategy fibonacci() {
        return Strategies.FIBONACCI;
    }

    /**
     * Decorrelated jitter (as described by AWS): each delay is drawn uniformly between initialDelay and three times
     * the previous delay (the first time, three times initialDelay), that upper bound capped at maxDelay. It is
     * random by itself, so pair it with {@link Jitter#none()}; another jitter only shortens its delays further.
     *
     * @return the decorrelated strategy
     */
    static BackoffStrategy decorrelated() {
        return Strategies.DECORRELATED;
    }

    /**
     * The built-in strategy of that name, as used in configuration files.
     *
     * @param name {@code exponential}, {@code fibonacci} or {@code decorrelated} (case-insensitive)
     * @return the strategy
     * @throws IllegalArgumentException naming the key {@code strategy} and the value, if there is no such strategy
     */
    static BackoffStrategy named(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case "exponential" -> exponential();
            case "fibonacci" -> fibonacci();
            case "decorrelated" -> decorrelated();
            default -> throw ConfigValues.invalid("strategy", String.valueOf(name),
                    "expected exponential, fibonacci or decorrelated");
        };
    }

    /**
     * Converts a delay in fractional milliseconds to a duration (to the nanosecond) between zero and the maximum
     * delay: a helper for strategies that compute in milliseconds.
     *
     * @param millis a delay; negative counts as zero, and infinite or NaN (an overflow) as the maximum delay
     * @param parameters holds the cap
     * @return the capped delay
     */
    static Duration capped(double millis, BackoffParameters parameters) {
        long maxNanos = parameters.maxDelay().toNanos();
        if (!(millis * 1e6 < maxNanos)) {
            return parameters.maxDelay();
        }
        return millis <= 0 ? Duration.ZERO : Duration.ofNanos(Math.min(Math.round(millis * 1e6), maxNanos));
    }
}
