package io.connback.benchmarks;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Latency samples, in nanoseconds, and their percentiles (nearest rank). Not thread-safe. */
final class Latencies {

    private long[] samples = new long[64];
    private int count;
    private boolean sorted = true;

    /**
     * Adds a sample.
     *
     * @param nanos the latency
     */
    void add(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = nanos;
        sorted = false;
    }

    /**
     * The number of samples.
     *
     * @return the count
     */
    int count() {
        return count;
    }

    /**
     * The nearest-rank percentile: the smallest sample that at least {@code percent} % of the samples do not exceed.
     * With 50 samples, p99 is the largest.
     *
     * @param percent above 0, at most 100
     * @return nanoseconds
     * @throws IllegalStateException if there is no sample
     */
    long percentile(double percent) {
        if (count == 0) {
            throw new IllegalStateException("no sample");
        }
        if (!sorted) {
            Arrays.sort(samples, 0, count);
            sorted = true;
        }
        int rank = (int) Math.ceil(percent / 100 * count);
        return samples[Math.max(rank, 1) - 1];
    }

    /**
     * Median, p90, p99 and maximum, in one unit.
     *
     * @param unit milliseconds or microseconds
     * @return for example {@code median 21.3 ms, p90 24.0 ms, p99 30.1 ms, max 30.1 ms (50 samples)}
     */
    String summary(TimeUnit unit) {
        return String.format(Locale.ROOT, "median %s, p90 %s, p99 %s, max %s (%d samples)",
                format(percentile(50), unit), format(percentile(90), unit), format(percentile(99), unit),
                format(percentile(100), unit), count);
    }

    /**
     * A duration in one unit, with one decimal.
     *
     * @param nanos the duration
     * @param unit milliseconds or microseconds
     * @return for example {@code 21.3 ms}
     */
    static String format(long nanos, TimeUnit unit) {
        String symbol = switch (unit) {
            case MILLISECONDS -> "ms";
            case MICROSECONDS -> "us";
            default -> throw new IllegalArgumentException("not a unit for latencies: " + unit);
        };
        return String.format(Locale.ROOT, "%.1f %s", (double) nanos / unit.toNanos(1), symbol);
    }
}
