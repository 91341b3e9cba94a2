package io.connback.backoff;

import io.connback.config.ConfigValues;
import java.time.Duration;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Randomizes a backoff delay so that many links dropped at once (a broker restart, a switch reboot) do not all retry
 * at the same instant. Custom jitters are plain implementations of this interface.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
@FunctionalInterface
public interface Jitter {

    /**
     * The delay to wait instead of {@code delay}.
     *
     * @param delay the strategy's delay, not negative
     * @param random the source of randomness
     * @return the jittered delay, between zero and {@code delay}
     */
    Duration apply(Duration delay, RandomGenerator random);

    /**
     * No jitter: the delay itself.
     *
     * @return the identity jitter
     */
    static Jitter none() {
        return Jitters.NONE;
    }

    /**
     * Full jitter: uniform between zero and the delay (both included, to the nanosecond). The mean delay is halved, and
     * retries are spread the most.
     *
     * @return the full jitter
     */
    static Jitter full() {
        return Jitters.FULL;
    }

    /**
     * Equal jitter: half the delay plus uniform between zero and the other half, so never less than half the delay.
     *
     * @return the equal jitter
     */
    static Jitter equal() {
        return Jitters.EQUAL;
    }

    /**
     * The built-in jitter of that name, as used in configuration files.
     *
     * @param name {@code none}, {@code full} or {@code equal} (case-insensitive)
     * @return the jitter
     * @throws IllegalArgumentException naming the key {@code jitter} and the value, if there is no such jitter
     */
    static Jitter named(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case "none" -> none();
            case "full" -> full();
            case "equal" -> equal();
            default -> throw ConfigValues.invalid("jitter", String.valueOf(name), "expected none, full or equal");
        };
    }
}
