package io.connback.backoff;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link BackoffStrategy} computes its delays from. {@code ConnbackOptions} validates the values it hands over
 * (initialDelay at least 1 ms, maxDelay greater, factor at least 1); this record only rejects nulls.
 *
 * @param initialDelay the first delay
 * @param maxDelay no delay is longer
 * @param factor the growth factor of the exponential strategy
 */
public record BackoffParameters(Duration initialDelay, Duration maxDelay, double factor) {

    /**
     * Checks that neither delay is null.
     *
     * @param initialDelay the first delay
     * @param maxDelay no delay is longer
     * @param factor the growth factor of the exponential strategy
     */
    public BackoffParameters {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
    }
}
