package io.connback.backoff;

import java.time.Duration;
import java.util.Locale;
import java.util.random.RandomGenerator;

/** The built-in jitters. A negative delay counts as zero. */
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
            return Duration.ofNanos(random.nextLong(nanos(delay) + 1));
        }
    },
    EQUAL {
        @Override
        public Duration apply(Duration delay, RandomGenerator random) {
            long nanos = nanos(delay);
            long half = nanos / 2;
            // the lower half is rounded up, so that an odd delay never goes below half of it
            return Duration.ofNanos(nanos - half + random.nextLong(half + 1));
        }
    };

    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE - 1);

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The delay in nanoseconds, at least zero and short of {@link Long#MAX_VALUE} (292 years): adding one is safe. */
    private static long nanos(Duration delay) {
        if (delay.isNegative()) {
            return 0;
        }
        return delay.compareTo(LONGEST) < 0 ? delay.toNanos() : LONGEST.toNanos();
    }
}
