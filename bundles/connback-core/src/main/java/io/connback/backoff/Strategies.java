package io.connback.backoff;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The built-in strategies. They keep sub-millisecond parts to the nanosecond, and stop growing at the maximum delay, so
 * that no run overflows however many attempts it makes.
 */
final class Strategies {

    static final BackoffStrategy EXPONENTIAL = named("exponential", parameters -> new DelaySequence() {
        private final double max = millis(parameters.maxDelay());
        private double next = millis(parameters.initialDelay());

        @Override
        public Duration next(RandomGenerator random) {
            Duration delay = BackoffStrategy.capped(next, parameters);
            next = Math.min(next * parameters.factor(), max);
            return delay;
        }
    });

    static final BackoffStrategy FIBONACCI = named("fibonacci", parameters -> new DelaySequence() {
        private final double max = millis(parameters.maxDelay());
        // the term before the first is zero, so that the first two delays are both the initial delay
        private double previous;
        private double current = millis(parameters.initialDelay());

        @Override
        public Duration next(RandomGenerator random) {
            Duration delay = BackoffStrategy.capped(current, parameters);
            double sum = Math.min(previous + current, max);
            previous = current;
            current = sum;
            return delay;
        }
    });

    static final BackoffStrategy DECORRELATED = named("decorrelated", parameters -> new DelaySequence() {
        // in whole nanoseconds, so that each delay is bounded by exactly three times the previous one returned
        private final long base = parameters.initialDelay().toNanos();
        private final long max = parameters.maxDelay().toNanos();
        private long previous = base;

        @Override
        public Duration next(RandomGenerator random) {
            // Drawn below the cap rather than drawn then capped: capping would pile up a large share of the delays
            // exactly at maxDelay, and links dropped together would again retry together.
            long upper = previous > max / 3 ? max : previous * 3;
            previous = upper > base ? random.nextLong(base, upper) : Math.min(base, max);
            return Duration.ofNanos(previous);
        }
    });

    private Strategies() {}

    private static double millis(Duration duration) {
        return duration.toNanos() / 1e6;
    }

    private static BackoffStrategy named(String name, BackoffStrategy strategy) {
        return new BackoffStrategy() {
            @Override
            public DelaySequence start(BackoffParameters parameters) {
                return strategy.start(parameters);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
