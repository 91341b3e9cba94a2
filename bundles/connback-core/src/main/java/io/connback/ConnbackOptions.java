package io.connback;

import io.connback.backoff.BackoffParameters;
import io.connback.backoff.BackoffStrategy;
import io.connback.backoff.Jitter;
import io.connback.config.ConfigValues;
import io.connback.internal.ConnectorThreads;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The immutable settings of a {@link Connback}: keepalive, connect timeout, backoff and flap damping. Made with
 * {@link #builder()} or, from a configuration file, with {@link #fromMap(Map)}. The defaults are those of the npm
 * package {@code @connback/core}, plus {@code stableAfter}.
 *
 * <p>Every value is validated when the options are built: a bad one throws an {@link IllegalArgumentException} that
 * names the key and the value. Nothing is clamped in silence.
 */
public final class ConnbackOptions {

    /** Unlimited attempts, the default of {@link Builder#maxAttempts(long)}. */
    public static final long UNLIMITED_ATTEMPTS = Long.MAX_VALUE;

    private static final Duration ONE_MILLISECOND = Duration.ofMillis(1);

    /** Connback computes in nanoseconds: longer durations (292 years) would overflow. */
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

    /** Uses the calling thread's {@link ThreadLocalRandom}, so it is safe from any thread. */
    private static final RandomGenerator THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextLong();

    // after THREAD_LOCAL_RANDOM, which the builder's defaults read
    private static final ConnbackOptions DEFAULTS = builder().build();

    private final Duration keepalive;
    private final Duration connectTimeout;
    private final BackoffStrategy strategy;
    private final Jitter jitter;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final long maxAttempts;
    private final double factor;
    private final boolean delayFirstAttempt;
    private final RetryPredicate retry;
    private final Duration stableAfter;
    private final ConnbackScheduler scheduler;
    private final RandomGenerator random;
    private final Executor connectorExecutor; // null: the default that goes with the scheduler
    private final ReconnectBudget reconnectBudget; // null: none

    private ConnbackOptions(Builder b) {
        keepalive = checked("keepalive", b.keepalive, Duration.ZERO);
        connectTimeout = checked("connectTimeout", b.connectTimeout, Duration.ZERO);
        strategy = Objects.requireNonNull(b.strategy, "strategy");
        jitter = Objects.requireNonNull(b.jitter, "jitter");
        initialDelay = checked("initialDelay", b.initialDelay, ONE_MILLISECOND);
        maxDelay = checked("maxDelay", b.maxDelay, Duration.ZERO);
        if (maxDelay.compareTo(initialDelay) <= 0) {
            throw invalid("maxDelay", format("maxDelay", maxDelay),
                    "must be greater than initialDelay (" + format("initialDelay", initialDelay) + ")");
        }
        if (b.maxAttempts < 1) {
            throw invalid("maxNumOfAttempts", b.maxAttempts, "must be at least 1");
        }
        maxAttempts = b.maxAttempts;
        if (!(b.factor >= 1) || Double.isInfinite(b.factor)) {
            throw invalid("factor", format(b.factor), "must be a finite number of at least 1");
        }
        factor = b.factor;
        delayFirstAttempt = b.delayFirstAttempt;
        retry = Objects.requireNonNull(b.retry, "retry");
        stableAfter = checked("stableAfter", b.stableAfter, Duration.ZERO);
        scheduler = Objects.requireNonNull(b.scheduler, "scheduler");
        random = Objects.requireNonNull(b.random, "random");
        connectorExecutor = b.connectorExecutor;
        reconnectBudget = b.reconnectBudget;
    }

    /**
     * A builder with every option at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The options with every default: keepalive 60 s, connectTimeout 30 s, fibonacci, full jitter, initialDelay 1 s,
     * maxDelay 30 s, unlimited attempts, factor 2, no delay before the first attempt, stableAfter 10 s.
     *
     * @return the default options
     */
    public static ConnbackOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Reads options from configuration properties (a ConfigAdmin dictionary, a properties file...) with the keys and
     * units of {@code @connback/core}: {@code keepalive} (seconds, 0 disables), {@code connectTimeout},
     * {@code initialDelay}, {@code maxDelay}, {@code stableAfter} (milliseconds), {@code strategy}
     * ({@code exponential}, {@code fibonacci}, {@code decorrelated}), {@code jitter} ({@code none}, {@code full},
     * {@code equal}), {@code maxNumOfAttempts} (a whole number or {@code Infinity}), {@code factor},
     * {@code delayFirstAttempt} ({@code true} or {@code false}). Values may be numbers, booleans or strings. Missing
     * keys and null values keep their defaults; other keys are ignored, since configurations also hold the connector's
     * own keys. Keys are matched exactly, case included.
     *
     * @param properties the configuration
     * @return the options
     * @throws IllegalArgumentException naming the key and the value, if a value is malformed or out of range
     */
    public static ConnbackOptions fromMap(Map<String, ?> properties) {
        return builder().apply(properties).build();
    }

    /**
     * A builder that starts from these options.
     *
     * @return a new builder holding these values
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.keepalive = keepalive;
        b.connectTimeout = connectTimeout;
        b.strategy = strategy;
        b.jitter = jitter;
        b.initialDelay = initialDelay;
        b.maxDelay = maxDelay;
        b.maxAttempts = maxAttempts;
        b.factor = factor;
        b.delayFirstAttempt = delayFirstAttempt;
        b.retry = retry;
        b.stableAfter = stableAfter;
        b.scheduler = scheduler;
        b.random = random;
        b.connectorExecutor = connectorExecutor;
        b.reconnectBudget = reconnectBudget;
        return b;
    }

    /**
     * The keepalive: a connected link with no traffic for this long is pinged, and one that fed no heartbeat for 1.4
     * times this long is force-closed and reconnected; zero disables pings and the dead-link check.
     *
     * @return the keepalive
     */
    public Duration keepalive() {
        return keepalive;
    }

    /**
     * How long one connection attempt may take before it is cancelled and counted as failed; zero waits forever.
     *
     * @return the connect timeout
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * How the delay between attempts grows.
     *
     * @return the backoff strategy
     */
    public BackoffStrategy strategy() {
        return strategy;
    }

    /**
     * How each delay is randomized.
     *
     * @return the jitter
     */
    public Jitter jitter() {
        return jitter;
    }

    /**
     * The first backoff delay.
     *
     * @return the initial delay
     */
    public Duration initialDelay() {
        return initialDelay;
    }

    /**
     * The longest backoff delay.
     *
     * @return the maximum delay
     */
    public Duration maxDelay() {
        return maxDelay;
    }

    /**
     * How many attempts are made without a stable connection before giving up; {@link #UNLIMITED_ATTEMPTS} never
     * gives up.
     *
     * @return the maximum number of attempts
     */
    public long maxAttempts() {
        return maxAttempts;
    }

    /**
     * The growth factor of the exponential strategy.
     *
     * @return the factor
     */
    public double factor() {
        return factor;
    }

    /**
     * Whether the initial delay is also waited before the first attempt.
     *
     * @return {@code true} to delay the first attempt
     */
    public boolean delayFirstAttempt() {
        return delayFirstAttempt;
    }

    /**
     * Decides after each failed attempt whether to go on.
     *
     * @return the retry predicate
     */
    public RetryPredicate retry() {
        return retry;
    }

    /**
     * How long a connection must last to count as stable. A connection that drops sooner does not reset the backoff,
     * so a peer that accepts and drops at once is retried with growing delays, never in a hot loop.
     *
     * @return the stability threshold
     */
    public Duration stableAfter() {
        return stableAfter;
    }

    /**
     * The clock, timers and worker threads.
     *
     * @return the scheduler, {@link ConnbackScheduler#shared()} by default
     */
    public ConnbackScheduler scheduler() {
        return scheduler;
    }

    /**
     * The source of randomness for jitter and the decorrelated strategy; by default the calling thread's
     * {@link ThreadLocalRandom}.
     *
     * @return the random generator
     */
    public RandomGenerator random() {
        return random;
    }

    /**
     * Where the connector's {@code connect}, {@code close} and {@code ping} run, one call at a time per Connback (see
     * {@link Connback}). By default: with the {@linkplain ConnbackScheduler#shared() shared scheduler}, threads that
     * all Connbacks share and that grow rather than let a blocked call hold up another Connback's (named
     * {@code connback-connector-N}, at most 64, idle ones end after 5 s); with another scheduler, that scheduler's
     * {@link ConnbackScheduler#execute(Runnable)}, so that a test in virtual time runs them in virtual time too.
     *
     * @return the executor
     */
    public Executor connectorExecutor() {
        if (connectorExecutor != null) {
            return connectorExecutor;
        }
        return scheduler == ConnbackScheduler.shared() ? ConnectorThreads.SHARED : scheduler::execute;
    }

    /**
     * The reconnect budget that this Connback's attempts take tokens from, shared with the other Connbacks that use
     * it; none by default.
     *
     * @return the budget, or empty
     */
    public Optional<ReconnectBudget> reconnectBudget() {
        return Optional.ofNullable(reconnectBudget);
    }

    /**
     * The parameters handed to the backoff strategy.
     *
     * @return initial delay, maximum delay and factor
     */
    public BackoffParameters backoffParameters() {
        return new BackoffParameters(initialDelay, maxDelay, factor);
    }

    /**
     * Equal options hold equal values; strategies, jitters, retry predicates, schedulers and random generators are
     * compared with their own {@code equals} (identity for lambdas), so options built from the same configuration are
     * equal.
     *
     * @param other another object
     * @return whether it holds the same options
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ConnbackOptions o
                && keepalive.equals(o.keepalive)
                && connectTimeout.equals(o.connectTimeout)
                && strategy.equals(o.strategy)
                && jitter.equals(o.jitter)
                && initialDelay.equals(o.initialDelay)
                && maxDelay.equals(o.maxDelay)
                && maxAttempts == o.maxAttempts
                && Double.compare(factor, o.factor) == 0
                && delayFirstAttempt == o.delayFirstAttempt
                && retry.equals(o.retry)
                && stableAfter.equals(o.stableAfter)
                && scheduler.equals(o.scheduler)
                && random.equals(o.random)
                && Objects.equals(connectorExecutor, o.connectorExecutor)
                && Objects.equals(reconnectBudget, o.reconnectBudget);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keepalive, connectTimeout, strategy, jitter, initialDelay, maxDelay, maxAttempts, factor,
                delayFirstAttempt, retry, stableAfter, scheduler, random, connectorExecutor, reconnectBudget);
    }

    /**
     * The options under their configuration keys and in their units, for logs: {@code ConnbackOptions[keepalive=60s,
     * connectTimeout=30000ms, strategy=fibonacci, jitter=full, initialDelay=1000ms, maxDelay=30000ms,
     * maxNumOfAttempts=Infinity, factor=2, delayFirstAttempt=false, stableAfter=10000ms]}.
     *
     * @return a description of the options
     */
    @Override
    public String toString() {
        return "ConnbackOptions[keepalive=" + format("keepalive", keepalive)
                + ", connectTimeout=" + format("connectTimeout", connectTimeout)
                + ", strategy=" + strategy + ", jitter=" + jitter
                + ", initialDelay=" + format("initialDelay", initialDelay)
                + ", maxDelay=" + format("maxDelay", maxDelay)
                + ", maxNumOfAttempts=" + (maxAttempts == UNLIMITED_ATTEMPTS ? "Infinity" : Long.toString(maxAttempts))
                + ", factor=" + format(factor) + ", delayFirstAttempt=" + delayFirstAttempt
                + ", stableAfter=" + format("stableAfter", stableAfter) + "]";
    }

    private static Duration checked(String key, Duration value, Duration min) {
        Objects.requireNonNull(value, key);
        if (value.compareTo(min) < 0) {
            String why = min.isZero() ? "must not be negative" : "must be at least " + format(key, min);
            throw invalid(key, format(key, value), why);
        }
        if (value.compareTo(LONGEST) > 0) {
            throw invalid(key, format(key, value), "must be shorter than 292 years");
        }
        return value;
    }

    /** The unit of a duration's configuration key: as in the seed, keepalive is in seconds, the others in ms. */
    private static ChronoUnit unitOf(String key) {
        return key.equals("keepalive") ? ChronoUnit.SECONDS : ChronoUnit.MILLIS;
    }

    /**
     * A duration in the unit of its configuration key, so that it reads as in the configuration file: {@code 60s},
     * {@code 0.5s} for keepalive, {@code 1500ms}, {@code 0.25ms} for the others.
     */
    private static String format(String key, Duration duration) {
        ChronoUnit unit = unitOf(key);
        BigDecimal nanos = BigDecimal.valueOf(duration.getSeconds()).movePointRight(9)
                .add(BigDecimal.valueOf(duration.getNano()));
        // the units' lengths are powers of ten: the quotient is exact
        return plain(nanos.divide(BigDecimal.valueOf(unit.getDuration().toNanos())))
                + (unit == ChronoUnit.SECONDS ? "s" : "ms");
    }

    /** {@code 2} rather than {@code 2.0}; NaN and infinities as Java prints them. */
    private static String format(double number) {
        return Double.isFinite(number) ? plain(BigDecimal.valueOf(number)) : Double.toString(number);
    }

    private static String plain(BigDecimal number) {
        return number.stripTrailingZeros().toPlainString();
    }

    private static IllegalArgumentException invalid(String key, Object value, String why) {
        return ConfigValues.invalid(key, value, why);
    }

    /** Builds {@link ConnbackOptions}; not thread-safe. Values are validated by {@link #build()}. */
    public static final class Builder {
        private Duration keepalive = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private BackoffStrategy strategy = BackoffStrategy.fibonacci();
        private Jitter jitter = Jitter.full();
        private Duration initialDelay = Duration.ofSeconds(1);
        private Duration maxDelay = Duration.ofSeconds(30);
        private long maxAttempts = UNLIMITED_ATTEMPTS;
        private double factor = 2;
        private boolean delayFirstAttempt;
        private RetryPredicate retry = RetryPredicate.ALWAYS;
        private Duration stableAfter = Duration.ofSeconds(10);
        private ConnbackScheduler scheduler = ConnbackScheduler.shared();
        private RandomGenerator random = THREAD_LOCAL_RANDOM;
        private Executor connectorExecutor;
        private ReconnectBudget reconnectBudget;

        private Builder() {}

        /**
         * Sets the keepalive; zero disables it. Default 60 s.
         *
         * @param keepalive how long a link may stay silent
         * @return this builder
         */
        public Builder keepalive(Duration keepalive) {
            this.keepalive = keepalive;
            return this;
        }

        /**
         * Sets the connect timeout; zero waits forever. Default 30 s.
         *
         * @param connectTimeout how long one attempt may take
         * @return this builder
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /**
         * Sets the backoff strategy. Default fibonacci.
         *
         * @param strategy the strategy
         * @return this builder
         */
        public Builder strategy(BackoffStrategy strategy) {
            this.strategy = strategy;
            return this;
        }

        /**
         * Sets the jitter. Default full.
         *
         * @param jitter the jitter
         * @return this builder
         */
        public Builder jitter(Jitter jitter) {
            this.jitter = jitter;
            return this;
        }

        /**
         * Sets the first backoff delay, at least 1 ms. Default 1 s.
         *
         * @param initialDelay the initial delay
         * @return this builder
         */
        public Builder initialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
            return this;
        }

        /**
         * Sets the longest backoff delay, greater than the initial delay. Default 30 s.
         *
         * @param maxDelay the maximum delay
         * @return this builder
         */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
            return this;
        }

        /**
         * Sets how many attempts are made without a stable connection, at least 1. Default unlimited.
         *
         * @param maxAttempts the maximum, or {@link ConnbackOptions#UNLIMITED_ATTEMPTS}
         * @return this builder
         */
        public Builder maxAttempts(long maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Sets the exponential growth factor, at least 1. Default 2.
         *
         * @param factor the factor
         * @return this builder
         */
        public Builder factor(double factor) {
            this.factor = factor;
            return this;
        }

        /**
         * Sets whether to wait the initial delay before the first attempt too. Default {@code false}.
         *
         * @param delayFirstAttempt whether to delay the first attempt
         * @return this builder
         */
        public Builder delayFirstAttempt(boolean delayFirstAttempt) {
            this.delayFirstAttempt = delayFirstAttempt;
            return this;
        }

        /**
         * Sets the retry predicate. Default: always retry.
         *
         * @param retry decides after each failed attempt whether to go on
         * @return this builder
         */
        public Builder retry(RetryPredicate retry) {
            this.retry = retry;
            return this;
        }

        /**
         * Sets how long a connection must last to reset the backoff. Default 10 s.
         *
         * @param stableAfter the stability threshold
         * @return this builder
         */
        public Builder stableAfter(Duration stableAfter) {
            this.stableAfter = stableAfter;
            return this;
        }

        /**
         * Sets the scheduler (clock, timers, worker threads). Default {@link ConnbackScheduler#shared()}.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(ConnbackScheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /**
         * Sets the source of randomness. It is called from the Connback's worker thread, one call at a time per
         * Connback; one shared by several Connbacks must be thread-safe. Default: {@link ThreadLocalRandom}.
         *
         * @param random the random generator
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            this.random = random;
            return this;
        }

        /**
         * Sets where the connector's calls run; see {@link ConnbackOptions#connectorExecutor()} for the default.
         *
         * @param connectorExecutor runs the calls; it should not run them on the calling thread (the Connback's
         *     worker), or a blocking connector holds that worker up
         * @return this builder
         */
        public Builder connectorExecutor(Executor connectorExecutor) {
            this.connectorExecutor = Objects.requireNonNull(connectorExecutor, "connectorExecutor");
            return this;
        }

        /**
         * Makes the attempts take tokens from a reconnect budget shared with other Connbacks. Default: none.
         *
         * @param reconnectBudget the budget, or {@code null} for none
         * @return this builder
         */
        public Builder reconnectBudget(ReconnectBudget reconnectBudget) {
            this.reconnectBudget = reconnectBudget;
            return this;
        }

        /**
         * Applies configuration properties over the values set so far; see {@link ConnbackOptions#fromMap(Map)}.
         *
         * @param properties the configuration
         * @return this builder
         * @throws IllegalArgumentException naming the key and the value, if a value is malformed
         */
        public Builder apply(Map<String, ?> properties) {
            ConfigValues values = ConfigValues.of(properties);
            values.duration("keepalive", unitOf("keepalive")).ifPresent(this::keepalive);
            values.duration("connectTimeout", unitOf("connectTimeout")).ifPresent(this::connectTimeout);
            values.duration("initialDelay", unitOf("initialDelay")).ifPresent(this::initialDelay);
            values.duration("maxDelay", unitOf("maxDelay")).ifPresent(this::maxDelay);
            values.duration("stableAfter", unitOf("stableAfter")).ifPresent(this::stableAfter);
            values.text("strategy").ifPresent(name -> strategy(BackoffStrategy.named(name)));
            values.text("jitter").ifPresent(name -> jitter(Jitter.named(name)));
            values.text("maxNumOfAttempts").ifPresent(text -> maxAttempts(parseAttempts(text)));
            values.decimal("factor").ifPresent(f -> factor(f.doubleValue()));
            values.bool("delayFirstAttempt").ifPresent(this::delayFirstAttempt);
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException naming the key and the value, if a value is out of range
         * @throws NullPointerException naming the key, if a value is null
         */
        public ConnbackOptions build() {
            return new ConnbackOptions(this);
        }

        private static long parseAttempts(String text) {
            String value = text.trim();
            if (value.equalsIgnoreCase("Infinity")) {
                return UNLIMITED_ATTEMPTS;
            }
            try {
                return new BigDecimal(value).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                throw invalid("maxNumOfAttempts", text, "expected a whole number or Infinity");
            }
        }
    }
}
