package io.connback.config;

import java.util.Objects;

/**
 * A configuration value that is missing, malformed or out of range, with the key it belongs to, so that a checker can
 * report every bad key of a configuration, one line each. Its message reads {@code key: invalid value 'value': why},
 * with the value {@linkplain ConfigValues#quote quoted} safely, or {@code key: no value: why} for a missing one.
 */
public final class InvalidValueException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The key. */
    private final String key;
    /** What is wrong with the value. */
    private final String reason;

    /**
     * Makes the error of one key.
     *
     * @param key the configuration key
     * @param value the value as configured, or {@code null} if it is missing
     * @param reason what is wrong with it
     */
    public InvalidValueException(String key, Object value, String reason) {
        super(key + (value == null ? ": no value: " : ": invalid value " + ConfigValues.quote(value) + ": ") + reason);
        this.key = Objects.requireNonNull(key, "key");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * The key whose value is bad.
     *
     * @return the key
     */
    public String key() {
        return key;
    }

    /**
     * What is wrong with the value.
     *
     * @return the reason, without the key and the value
     */
    public String reason() {
        return reason;
    }
}
