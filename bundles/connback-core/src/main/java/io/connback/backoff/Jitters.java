package io.connback.backoff;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** The built-in jitters. */
enum Jitters implements Jitter {
    NONE {
        @Override
        public Duration apply(Duration delay, RandomGenerator random) {
            return delay;
        }
    },
    FULL {
        @Override
        public Duration apply(Duration delay, RandomGenerator random) {
            long nanos = delay.toNanos();
            return nanos <= 0 ? Duration.ZERO : Duration.ofNanos(random.nextLong(nanos + 1));
        }
    },
    EQUAL {
        @Override
        public Duration apply(Duration delay, RandomGenerator random) {
            long half = delay.toNanos() / 2;
            return half <= 0 ? delay : Duration.ofNanos(delay.toNanos() - half + random.nextLong(half + 1));
        }
    };

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
