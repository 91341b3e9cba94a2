package io.connback.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values from configuration properties. Values may be strings (from a {@code .cfg} file), numbers or
 * booleans (typed ConfigAdmin values); a missing key reads as empty. Every malformed value throws an
 * {@link InvalidValueException} of the form {@code key: invalid value 'value': why}, the value {@linkplain #quote
 * quoted} so that no value can forge a log line or flood it.
 */
public final class ConfigValues {

    /** How many characters of a value {@link #quote} shows. */
    public static final int QUOTE_LIMIT = 120;

    /** The longest number text read: no configuration needs more, and a huge one takes seconds to parse. */
    private static final int MAX_NUMBER_LENGTH = 100;
    /** A number, then maybe a unit: {@code 30}, {@code 1.5s}, {@code 250 ms}. */
    private static final Pattern DURATION =
            Pattern.compile("([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)\\s*([a-zA-Z]+)?");
    private static final Map<String, ChronoUnit> UNITS = unitsByName();

    private final Map<String, ?> properties;
    private final boolean emptyIsAbsent;

    private static Map<String, ChronoUnit> unitsByName() {
        Map<String, ChronoUnit> units = new LinkedHashMap<>();
        units.put("ms", ChronoUnit.MILLIS);
        units.put("s", ChronoUnit.SECONDS);
        units.put("m", ChronoUnit.MINUTES);
        units.put("h", ChronoUnit.HOURS);
        units.put("d", ChronoUnit.DAYS);
        units.put("us", ChronoUnit.MICROS);
        units.put("ns", ChronoUnit.NANOS);
        return Collections.unmodifiableMap(units);
    }

    private ConfigValues(Map<String, ?> properties, boolean emptyIsAbsent) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.emptyIsAbsent = emptyIsAbsent;
    }

    /**
     * Reads from a map of properties.
     *
     * @param properties the configuration; other keys than those read are ignored
     * @return a reader over it
     */
    public static ConfigValues of(Map<String, ?> properties) {
        return new ConfigValues(properties, false);
    }

    /**
     * Reads from a map of properties in which an empty string means "not set", as a form (metatype) sends a field
     * left blank.
     *
     * @param properties the configuration; other keys than those read are ignored
     * @return a reader over it
     */
    public static ConfigValues ofForm(Map<String, ?> properties) {
        return new ConfigValues(properties, true);
    }

    /**
     * The error for a bad value, worded the same everywhere.
     *
     * @param key the configuration key
     * @param value the value as configured
     * @param why what is wrong with it
     * @return the exception to throw
     */
    public static InvalidValueException invalid(String key, Object value, String why) {
        return new InvalidValueException(key, value, why);
    }

    /**
     * A value as it may appear in a log line: between single quotes, control characters escaped ({@code \n},
     * {@code \t}, {@code \x1b}...), so that no value can forge a line, and cut after {@value #QUOTE_LIMIT} characters
     * with its length noted, e.g. {@code 'aaaa...' (1048576 characters)}.
     *
     * @param value the value
     * @return the quoted value
     */
    public static String quote(Object value) {
        String text = String.valueOf(value);
        StringBuilder quoted = new StringBuilder("'");
        int end = Math.min(text.length(), QUOTE_LIMIT);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        quoted.append(String.format(c > 0xff ? "\\u%04x" : "\\x%02x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        quoted.append(end < text.length() ? "...'" : "'");
        if (end < text.length()) {
            quoted.append(" (").append(text.length()).append(" characters)");
        }
        return quoted.toString();
    }

    /**
     * The raw value.
     *
     * @param key the key
     * @return the value as configured, or empty if absent
     */
    public Optional<Object> raw(String key) {
        Object value = properties.get(key);
        return emptyIsAbsent && value instanceof String text && text.isEmpty() ? Optional.empty()
                : Optional.ofNullable(value);
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
                    return number(key, s.trim());
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
        return wholeNumber(key, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /**
     * A whole number within bounds.
     *
     * @param key the key
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @return the number, or empty if absent
     * @throws IllegalArgumentException if the value is not a whole number from {@code min} to {@code max}
     */
    public Optional<Integer> wholeNumber(String key, int min, int max) {
        String expected = min == Integer.MIN_VALUE && max == Integer.MAX_VALUE ? "expected a whole number"
                : "expected a whole number from " + min + " to " + max;
        return raw(key).map(value -> {
            BigDecimal number;
            try {
                number = decimal(key).orElseThrow();
            } catch (IllegalArgumentException notANumber) {
                throw invalid(key, value, expected);
            }
            try {
                int whole = number.intValueExact();
                if (whole >= min && whole <= max) {
                    return whole;
                }
            } catch (ArithmeticException e) {
                // a fraction, or beyond int: reported below
            }
            throw invalid(key, value, expected);
        });
    }

    /**
     * A non-negative duration: a number with a unit ({@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}; also
     * {@code us}, {@code ns}, {@code d}), or a bare number in {@code unit}, with fractions kept to the nanosecond.
     *
     * @param key the key
     * @param unit the unit of a bare number, e.g. seconds for {@code keepalive}
     * @return the duration, or empty if absent
     * @throws IllegalArgumentException if the value is not a number with an optional known unit, is negative, too
     *     long, or so short that it would round to zero (which often means "disabled")
     */
    public Optional<Duration> duration(String key, ChronoUnit unit) {
        return raw(key).map(value -> {
            BigDecimal amount;
            ChronoUnit inUnit = unit;
            if (value instanceof String text) {
                Matcher withUnit = DURATION.matcher(text.trim());
                String written = withUnit.matches() ? withUnit.group(2) : null;
                if (!withUnit.matches() || written != null && !UNITS.containsKey(written.toLowerCase(Locale.ROOT))) {
                    throw invalid(key, value, "expected a duration such as 30s, 250ms or 2m (a bare number is in "
                            + unitName(unit) + ")");
                }
                amount = number(key, withUnit.group(1));
                if (written != null) {
                    inUnit = UNITS.get(written.toLowerCase(Locale.ROOT));
                }
            } else {
                amount = decimal(key).orElseThrow();
            }
            if (amount.signum() < 0) {
                throw invalid(key, value, "must not be negative");
            }
            long nanos;
            try {
                nanos = amount.multiply(BigDecimal.valueOf(inUnit.getDuration().toNanos())).toBigInteger()
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

    /** Parses a number's text; a very long one is refused before parsing, which costs quadratic time. */
    private static BigDecimal number(String key, String text) {
        if (text.length() > MAX_NUMBER_LENGTH) {
            throw invalid(key, text, "expected a number of at most " + MAX_NUMBER_LENGTH + " characters");
        }
        return new BigDecimal(text);
    }

    private static String unitName(ChronoUnit unit) {
        return UNITS.entrySet().stream().filter(entry -> entry.getValue() == unit).map(Map.Entry::getKey)
                .findFirst().orElse(unit.toString());
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
