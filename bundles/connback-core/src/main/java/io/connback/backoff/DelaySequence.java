package io.connback.backoff;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The delays of one backoff run, before jitter. Stateful: each call yields the next delay. Called by one thread at a
 * time.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
@FunctionalInterface
public interface DelaySequence {

    /**
     * The delay before the next attempt.
     *
     * @param random randomness, for strategies that use it
     * @return the delay, between zero and the maximum delay
     */
    Duration next(RandomGenerator random);
}
