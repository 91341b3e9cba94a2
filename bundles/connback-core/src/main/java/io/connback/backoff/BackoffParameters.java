package io.connback.backoff;

import java.time.Duration;

/**
 * What a {@link BackoffStrategy} computes its delays from.
 *
 * @param initialDelay the first delay
 * @param maxDelay no delay is longer
 * @param factor the growth factor of the exponential strategy
 */
public record BackoffParameters(Duration initialDelay, Duration maxDelay, double factor) {}
