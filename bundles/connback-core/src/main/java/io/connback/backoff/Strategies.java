package io.connback.backoff;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** The built-in strategies. */
final class Strategies {

    static final BackoffStrategy EXPONENTIAL = named("exponential", parameters -> new DelaySequence() {
        private double next = parameters.initialDelay().toMillis();

        @Override
        public Duration next(RandomGenerator random) {
            Duration delay = BackoffStrategy.capped(next, parameters);
            next = Math.min(next * parameters.factor(), Double.MAX_VALUE);
            return delay;
        }
    });

    static final BackoffStrategy FIBONACCI = named("fibonacci", parameters -> new DelaySequence() {
        private double previous;
        private double current = parameters.initialDelay().toMillis();

        @Override
        public Duration next(RandomGenerator random) {
            Duration delay = BackoffStrategy.capped(current, parameters);
            double sum = previous == 0 ? current : previous + current;
            previous = current;
            current = Math.min(sum, Double.MAX_VALUE);
            return delay;
        }
    });

    static final BackoffStrategy DECORRELATED = named("decorrelated", parameters -> new DelaySequence() {
        private final double base = parameters.initialDelay().toMillis();
        private double previous = base;

        @Override
        public Duration next(RandomGenerator random) {
            double upper = Math.min(previous * 3, parameters.maxDelay().toMillis());
            double drawn = upper > base ? random.nextDouble(base, upper) : base;
            previous = drawn;
            return BackoffStrategy.capped(drawn, parameters);
        }
    });

    private Strategies() {}

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
