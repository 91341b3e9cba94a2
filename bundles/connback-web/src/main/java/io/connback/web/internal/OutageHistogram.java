package io.connback.web.internal;

import java.time.Duration;
import java.util.Arrays;

/**
 * How long a link's outages lasted, from the loss of an established connection to the next connection, counted in
 * the buckets of a Prometheus histogram. Not thread-safe: its owner, {@link LinkHistory}, guards it.
 */
final class OutageHistogram {

    /** Upper bounds of the buckets, in seconds: from a quick reconnect to an hour-long outage. */
    static final double[] BOUNDS = {0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600};

    private final long[] counts = new long[BOUNDS.length];
    private long count;
    private double sumSeconds;

    void observe(Duration outage) {
        double seconds = outage.toNanos() / 1e9;
        for (int i = 0; i < BOUNDS.length; i++) {
            if (seconds <= BOUNDS[i]) {
                counts[i]++;
            }
        }
        count++;
        sumSeconds += seconds;
    }

    /**
     * A copy, for the metrics to read outside the owner's lock.
     *
     * @return the snapshot
     */
    Snapshot snapshot() {
        return new Snapshot(Arrays.copyOf(counts, counts.length), count, sumSeconds);
    }

    /**
     * The histogram at one moment.
     *
     * @param cumulativeCounts per bucket of {@link #BOUNDS}, the outages that lasted at most its bound
     * @param count every outage ({@code +Inf})
     * @param sumSeconds their total length
     */
    record Snapshot(long[] cumulativeCounts, long count, double sumSeconds) {

        static final Snapshot EMPTY = new OutageHistogram().snapshot();
    }
}
