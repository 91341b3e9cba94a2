package io.connback.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads typed values from configuration properties. Values may be strings (from a {@code .cfg} file), numbers or
 * booleans (typed ConfigAdmin values); a missing key reads as empty. Every malformed value throws an
 * {@link IllegalArgumentException} of the form {@code key: invalid value 'value': why}.
 */
public final class ConfigValues {

    private final Map<String, ?> properties;

    private ConfigValues(Map<String, ?> properties) {
        this.properties = Objects.requireNonNull(properties, "properties");
    }

    /**
     * Reads from a map of properties.
     *
     * @param properties the configuration; other keys than those read are ignored
     * @return a reader over it
     */
    public static ConfigValues of(Map<String, ?> properties) {
        return new ConfigValues(properties);
    }

    /**
     * The error for a bad value, worded the same everywhere.
     *
     * @param key the configuration key
     * @param value the value as configured
     * @param why what is wrong with it
     * @return the exception to throw
     */
    public static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException(key + ": invalid value '" + value + "': " + why);
    }

    /**
     * The raw value.
     *
     * @param key the key
     * @return the value as configured, or empty if absent
     */
    public Optional<Object> raw(String key) {
        return Optional.ofNullable(properties.get(key));
    }

    /**
     * A string value, as configured (a positive infinite number reads as {@code Infinity}).
     *
     * @param key the key
     * @return the text, or empty if absent
     */
    public Optional<String> text(String key) {
        return raw(key).map(value -> value instanceof Double d && d.isInfinite() && d > 0 ? "Infinity"
                : value.toString());
    }

    /**
     * A value read by a parser; an empty string counts as absent, for keys whose absence means "none" or "the
     * default" (a ping frame, a framing).
     *
     * @param key the key
     * @param parser turns the text into a value; its {@link IllegalArgumentException} message says what is wrong
     * @param <T> the value type
     * @return the parsed value, or empty if absent or empty
     * @throws IllegalArgumentException naming the key, the value and the parser's reason
     */
    public <T> Optional<T> parsed(String key, Function<String, T> parser) {
        Optional<String> text = text(key).filter(s -> !s.isEmpty());
        try {
            return text.map(parser);
        } catch (IllegalArgumentException e) {
            throw invalid(key, text.orElseThrow(), e.getMessage());
        }
    }

    /**
     * A decimal number.
     *
     * @param key the key
     * @return the number, or empty if absent
     * @throws IllegalArgumentException if the value is not a finite number
     */
    public Optional<BigDecimal> decimal(String key) {
        return raw(key).map(value -> {
            try {
                if (value instanceof Number number && !(value instanceof Double d && !Double.isFinite(d))
                        && !(value instanceof Float f && !Float.isFinite(f))) {
                    return new BigDecimal(number.toString());
                }
                if (value instanceof String s) {
                    return new BigDecimal(s.trim());
                }
            } catch (NumberFormatException e) {
                // reported below with the key and the value
            }
            throw invalid(key, value, "expected a number");
        });
    }

    /**
     * A whole number within {@code int}.
     *
     * @param key the key
     * @return the number, or empty if absent
     * @throws IllegalArgumentException if the value is not a whole number within {@code int}
     */
    public Optional<Integer> wholeNumber(String key) {
        return decimal(key).map(number -> {
            try {
                return number.intValueExact();
            } catch (ArithmeticException e) {
                throw invalid(key, raw(key).orElseThrow(), "expected a whole number");
            }
        });
    }

    /**
     * A non-negative duration, a number in {@code unit} with fractions kept to the nanosecond.
     *
     * @param key the key
     * @param unit the unit of the number, e.g. seconds for {@code keepalive}
     * @return the duration, or empty if absent
     * @throws IllegalArgumentException if the value is not a number, is negative, too long, or so short that it
     *     would round to zero (which often means "disabled")
     */
    public Optional<Duration> duration(String key, ChronoUnit unit) {
        return decimal(key).map(amount -> {
            Object value = raw(key).orElseThrow();
            if (amount.signum() < 0) {
                throw invalid(key, value, "must not be negative");
            }
            long nanos;
            try {
                nanos = amount.multiply(BigDecimal.valueOf(unit.getDuration().toNanos())).toBigInteger()
                        .longValueExact();
            } catch (ArithmeticException e) {
                throw invalid(key, value, "must be shorter than 292 years");
            }
            if (nanos == 0 && amount.signum() > 0) {
                throw invalid(key, value, "is shorter than a nanosecond");
            }
            return Duration.ofNanos(nanos);
        });
    }

    /**
     * A boolean: {@code true} or {@code false}, in any case.
     *
     * @param key the key
     * @return the value, or empty if absent
     * @throws IllegalArgumentException if the value is neither
     */
    public Optional<Boolean> bool(String key) {
        return raw(key).map(value -> {
            if (value instanceof Boolean b) {
                return b;
            }
            String s = value.toString().trim().toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("false")) {
                return Boolean.valueOf(s);
            }
            throw invalid(key, value, "expected true or false");
        });
    }
}
