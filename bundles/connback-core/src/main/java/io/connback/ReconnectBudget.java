package io.connback;

import java.util.Locale;

/**
 * A token bucket that caps the connection attempts of the Connbacks that share it: after a gateway's power cycle or
 * a broker's restart, hundreds of links would otherwise retry at once. Each attempt takes a token; tokens come back
 * at {@link #rate()} per second, and up to {@link #burst()} of them are kept, so that a few links that drop now and
 * then reconnect at once. A Connback whose attempt finds no token waits for one in
 * {@link ConnectionState#RECONNECTING} (see {@link Connback#isWaitingForReconnectBudget()}), after its backoff delay;
 * {@link Connback#end()} ends it at once. Opt-in, see {@link ConnbackOptions.Builder#reconnectBudget(ReconnectBudget)}.
 *
 * <p>Tokens are handed out in the order they are asked for: a waiting Connback has its token reserved, so waiting
 * links are served first come, first served, and none waits longer than the queue ahead of it takes. The clock is that
 * of the asking Connback's {@link ConnbackOptions#scheduler() scheduler}: Connbacks that share a budget should share
 * a scheduler (they do by default). A token reserved by a Connback that ends while it waits is not given back.
 * Thread-safe.
 *
 * <p>A budget in use can be changed ({@link #update}) or lifted ({@link #lift}), for the tokens asked for from then on,
 * so that a gateway's configuration reaches its links without restarting them.
 */
public final class ReconnectBudget {

    private double rate; // guarded by this
    private int burst; // guarded by this
    private long intervalNanos; // guarded by this
    private boolean lifted; // guarded by this
    /** When the bucket is full again, in the clock of the callers: the theoretical arrival time of the last token. */
    private long fullAtNanos; // guarded by this
    private boolean started; // guarded by this

    private ReconnectBudget(double rate, int burst) {
        set(rate, burst);
    }

    private void set(double attemptsPerSecond, int maxBurst) {
        check(attemptsPerSecond, maxBurst);
        this.rate = attemptsPerSecond;
        this.burst = maxBurst;
        this.intervalNanos = Math.max(1, Math.round(1e9 / attemptsPerSecond));
    }

    private static void check(double attemptsPerSecond, int burst) {
        if (!(attemptsPerSecond > 0) || attemptsPerSecond > 1e9 || Double.isNaN(attemptsPerSecond)) {
            throw new IllegalArgumentException("invalid reconnect budget rate " + attemptsPerSecond
                    + ": must be above 0 and at most 1e9 attempts per second");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("invalid reconnect budget burst " + burst + ": must be at least 1");
        }
    }

    /**
     * Creates a budget.
     *
     * @param attemptsPerSecond how many attempts per second it allows in the long run, above 0 and at most one per
     *     nanosecond
     * @param burst how many attempts it allows at once when it has been idle, at least 1
     * @return the budget, full
     * @throws IllegalArgumentException if a value is out of range, naming it
     */
    public static ReconnectBudget of(double attemptsPerSecond, int burst) {
        check(attemptsPerSecond, burst);
        return new ReconnectBudget(attemptsPerSecond, burst);
    }

    /**
     * Changes the rate and the burst, for the tokens asked for from now on (tokens already reserved keep their time),
     * and puts a {@linkplain #lift lifted} budget back in force.
     *
     * @param attemptsPerSecond as for {@link #of}
     * @param maxBurst as for {@link #of}
     * @throws IllegalArgumentException if a value is out of range, naming it; the budget is then unchanged
     */
    public synchronized void update(double attemptsPerSecond, int maxBurst) {
        set(attemptsPerSecond, maxBurst);
        lifted = false;
    }

    /** Lets every attempt through at once until the next {@link #update}: the budget is configured off. */
    public synchronized void lift() {
        lifted = true;
    }

    /**
     * Whether the budget lets every attempt through.
     *
     * @return true if {@linkplain #lift lifted}
     */
    public synchronized boolean isLifted() {
        return lifted;
    }

    /**
     * The long-run rate.
     *
     * @return attempts per second
     */
    public synchronized double rate() {
        return rate;
    }

    /**
     * The burst.
     *
     * @return how many attempts it allows at once
     */
    public synchronized int burst() {
        return burst;
    }

    /**
     * Takes a token now, or reserves the next one free.
     *
     * @param nowNanos the caller's clock
     * @return 0 if the token is there, or how many nanoseconds until the reserved one is
     */
    synchronized long reserve(long nowNanos) {
        if (lifted) {
            return 0;
        }
        if (!started) {
            started = true;
            fullAtNanos = nowNanos;
        }
        // the bucket holds burst tokens when fullAt <= now; each token taken moves fullAt one interval on
        long fullAt = Math.max(fullAtNanos, nowNanos) + intervalNanos;
        long wait = fullAt - nowNanos - burst * intervalNanos;
        fullAtNanos = fullAt;
        return Math.max(0, wait);
    }

    @Override
    public synchronized String toString() {
        return lifted ? "ReconnectBudget[lifted]"
                : String.format(Locale.ROOT, "ReconnectBudget[%s attempts/s, burst %d]", rate, burst);
    }
}
