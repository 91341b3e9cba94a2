package io.connback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.connback.backoff.BackoffParameters;
import io.connback.backoff.BackoffStrategy;
import io.connback.backoff.DelaySequence;
import io.connback.backoff.Jitter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConnbackOptionsTest {

    @Test
    void defaultsAreTheSeedsPlusStableAfter() {
        for (ConnbackOptions options : List.of(ConnbackOptions.defaults(), ConnbackOptions.builder().build(),
                ConnbackOptions.fromMap(Map.of()))) {
            assertThat(options.keepalive()).isEqualTo(Duration.ofSeconds(60));
            assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(options.strategy()).isSameAs(BackoffStrategy.fibonacci());
            assertThat(options.jitter()).isSameAs(Jitter.full());
            assertThat(options.initialDelay()).isEqualTo(Duration.ofSeconds(1));
            assertThat(options.maxDelay()).isEqualTo(Duration.ofSeconds(30));
            assertThat(options.maxAttempts()).isEqualTo(ConnbackOptions.UNLIMITED_ATTEMPTS).isEqualTo(Long.MAX_VALUE);
            assertThat(options.factor()).isEqualTo(2.0);
            assertThat(options.delayFirstAttempt()).isFalse();
            assertThat(options.stableAfter()).isEqualTo(Duration.ofSeconds(10));
            assertThat(options.retry()).isSameAs(RetryPredicate.ALWAYS);
            assertThat(options.retry().shouldRetry(new Exception(), 1_000_000)).isTrue();
            assertThat(options.scheduler()).isSameAs(ConnbackScheduler.shared());
            assertThat(options.random()).isNotNull();
        }
    }

    @Test
    void defaultRandomSpreadsItsDraws() {
        RandomGenerator random = ConnbackOptions.defaults().random();

        List<Long> draws = Stream.generate(() -> random.nextLong(1000)).limit(10_000).toList();

        assertThat(draws).allSatisfy(value -> assertThat(value).isBetween(0L, 999L));
        assertThat(draws.stream().distinct().count()).isGreaterThan(990);
    }

    @Test
    void builderSetsEveryOption() {
        RetryPredicate never = (error, attempt) -> false;
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        executor.shutdown(); // never used: only its identity matters here
        ConnbackScheduler scheduler = ConnbackScheduler.of(executor);
        RandomGenerator random = new SplittableRandom(1);

        ConnbackOptions options = ConnbackOptions.builder().keepalive(Duration.ZERO)
                .connectTimeout(Duration.ofMillis(1500)).strategy(BackoffStrategy.exponential())
                .jitter(Jitter.equal()).initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofMinutes(5))
                .maxAttempts(7).factor(1.5).delayFirstAttempt(true).retry(never)
                .stableAfter(Duration.ZERO).scheduler(scheduler).random(random).build();

        assertThat(options.keepalive()).isZero();
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(options.strategy()).isSameAs(BackoffStrategy.exponential());
        assertThat(options.jitter()).isSameAs(Jitter.equal());
        assertThat(options.initialDelay()).isEqualTo(Duration.ofMillis(100));
        assertThat(options.maxDelay()).isEqualTo(Duration.ofMinutes(5));
        assertThat(options.maxAttempts()).isEqualTo(7);
        assertThat(options.factor()).isEqualTo(1.5);
        assertThat(options.delayFirstAttempt()).isTrue();
        assertThat(options.retry()).isSameAs(never);
        assertThat(options.stableAfter()).isZero();
        assertThat(options.scheduler()).isSameAs(scheduler);
        assertThat(options.random()).isSameAs(random);
        assertThat(options.backoffParameters())
                .isEqualTo(new BackoffParameters(Duration.ofMillis(100), Duration.ofMinutes(5), 1.5));
        assertThat(options.toBuilder().build()).isEqualTo(options).hasSameHashCodeAs(options);
    }

    @Test
    void aCustomStrategyPlugsInThroughTheBuilder() {
        BackoffStrategy everyTwoSeconds = parameters -> random -> Duration.ofSeconds(2);

        ConnbackOptions options = ConnbackOptions.builder().strategy(everyTwoSeconds).jitter(Jitter.none()).build();
        DelaySequence delays = options.strategy().start(options.backoffParameters());

        assertThat(options.strategy()).isSameAs(everyTwoSeconds);
        assertThat(options.jitter().apply(delays.next(options.random()), options.random()))
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void theBuiltInStrategiesRunWithTheOptionsParameters() {
        ConnbackOptions options = ConnbackOptions.fromMap(
                Map.of("strategy", "exponential", "initialDelay", "100", "maxDelay", "1000", "factor", "3"));
        DelaySequence delays = options.strategy().start(options.backoffParameters());

        assertThat(Stream.generate(() -> delays.next(options.random()).toMillis()).limit(4))
                .containsExactly(100L, 300L, 900L, 1000L);
    }

    @Test
    void fromMapReadsTheSeedsKeysAndUnitsFromStrings() {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("keepalive", "45");
        cfg.put("connectTimeout", "5000");
        cfg.put("strategy", "Exponential");
        cfg.put("jitter", "equal");
        cfg.put("initialDelay", "250");
        cfg.put("maxDelay", "60000");
        cfg.put("maxNumOfAttempts", "12");
        cfg.put("factor", "1.5");
        cfg.put("delayFirstAttempt", "true");
        cfg.put("stableAfter", "2500");

        ConnbackOptions options = ConnbackOptions.fromMap(cfg);

        assertThat(options.keepalive()).isEqualTo(Duration.ofSeconds(45));
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.strategy()).isSameAs(BackoffStrategy.exponential());
        assertThat(options.jitter()).isSameAs(Jitter.equal());
        assertThat(options.initialDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(options.maxDelay()).isEqualTo(Duration.ofMinutes(1));
        assertThat(options.maxAttempts()).isEqualTo(12);
        assertThat(options.factor()).isEqualTo(1.5);
        assertThat(options.delayFirstAttempt()).isTrue();
        assertThat(options.stableAfter()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void fromMapReadsTypedValues() {
        Map<String, Object> typed = new HashMap<>();
        typed.put("keepalive", 45);
        typed.put("connectTimeout", 5000L);
        typed.put("initialDelay", 250.0);
        typed.put("maxDelay", BigInteger.valueOf(60_000));
        typed.put("maxNumOfAttempts", 12.0);
        typed.put("factor", 1.5f);
        typed.put("delayFirstAttempt", Boolean.TRUE);
        typed.put("stableAfter", new BigDecimal("2500"));
        typed.put("strategy", "decorrelated");
        typed.put("jitter", "NONE");

        ConnbackOptions options = ConnbackOptions.fromMap(typed);

        assertThat(options.keepalive()).isEqualTo(Duration.ofSeconds(45));
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.initialDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(options.maxDelay()).isEqualTo(Duration.ofMinutes(1));
        assertThat(options.maxAttempts()).isEqualTo(12);
        assertThat(options.factor()).isEqualTo(1.5);
        assertThat(options.delayFirstAttempt()).isTrue();
        assertThat(options.stableAfter()).isEqualTo(Duration.ofMillis(2500));
        assertThat(options.strategy()).isSameAs(BackoffStrategy.decorrelated());
        assertThat(options.jitter()).isSameAs(Jitter.none());
    }

    @Test
    void fromMapKeepsFractionsOfUnits() {
        ConnbackOptions options = ConnbackOptions.fromMap(
                Map.of("keepalive", "0.5", "initialDelay", 1.25, "connectTimeout", "1e3"));

        assertThat(options.keepalive()).isEqualTo(Duration.ofMillis(500));
        assertThat(options.initialDelay()).isEqualTo(Duration.ofNanos(1_250_000));
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void fromMapReadsDurationsWithUnitsAndBareNumbersInTheKeysUnits() {
        ConnbackOptions options = ConnbackOptions.fromMap(Map.of("keepalive", "30s", "maxDelay", "2m",
                "initialDelay", "250ms", "connectTimeout", "1.5 s", "stableAfter", "1h"));

        assertThat(options.keepalive()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.maxDelay()).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.initialDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(options.stableAfter()).isEqualTo(Duration.ofHours(1));
        assertThat(ConnbackOptions.fromMap(Map.of("keepalive", "5", "maxDelay", "2000")).keepalive())
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void fromMapReadsInfinityAsUnlimitedAttempts() {
        assertThat(ConnbackOptions.fromMap(Map.of("maxNumOfAttempts", "Infinity")).maxAttempts())
                .isEqualTo(ConnbackOptions.UNLIMITED_ATTEMPTS);
        assertThat(ConnbackOptions.fromMap(Map.of("maxNumOfAttempts", " infinity ")).maxAttempts())
                .isEqualTo(ConnbackOptions.UNLIMITED_ATTEMPTS);
        assertThat(ConnbackOptions.fromMap(Map.of("maxNumOfAttempts", Double.POSITIVE_INFINITY)).maxAttempts())
                .isEqualTo(ConnbackOptions.UNLIMITED_ATTEMPTS);
        assertThat(ConnbackOptions.fromMap(Map.of("maxNumOfAttempts", 1)).maxAttempts()).isEqualTo(1);
    }

    @Test
    void fromMapIgnoresUnknownKeysAndNullValues() {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("service.pid", "io.connback.serial~meter1");
        cfg.put("port", "/dev/ttyUSB0");
        cfg.put("baudRate", 9600);
        cfg.put("KEEPALIVE", "not a number, and not our key: keys are case-sensitive");
        cfg.put("maxDelay", null);

        assertThat(ConnbackOptions.fromMap(cfg)).isEqualTo(ConnbackOptions.defaults());
    }

    @Test
    void applyOverridesOnlyTheKeysPresent() {
        ConnbackOptions options = ConnbackOptions.builder().keepalive(Duration.ofSeconds(5)).jitter(Jitter.none())
                .apply(Map.of("jitter", "equal")).build();

        assertThat(options.keepalive()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.jitter()).isSameAs(Jitter.equal());
    }

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                Arguments.of("keepalive", "-1"),
                Arguments.of("keepalive", "sixty"),
                Arguments.of("keepalive", ""),
                Arguments.of("keepalive", Double.NaN),
                Arguments.of("keepalive", Boolean.TRUE),
                Arguments.of("keepalive", "1e-12"),
                Arguments.of("keepalive", "1e20"),
                Arguments.of("connectTimeout", -5),
                Arguments.of("connectTimeout", "30 parsecs"),
                Arguments.of("keepalive", "5x"),
                Arguments.of("initialDelay", "0"),
                Arguments.of("initialDelay", "0.5"),
                Arguments.of("maxDelay", "1000"),
                Arguments.of("maxDelay", 999L),
                Arguments.of("maxDelay", Double.POSITIVE_INFINITY),
                Arguments.of("stableAfter", "-0.5"),
                Arguments.of("strategy", "linear"),
                Arguments.of("strategy", 3),
                Arguments.of("jitter", "random"),
                Arguments.of("maxNumOfAttempts", "0"),
                Arguments.of("maxNumOfAttempts", -3),
                Arguments.of("maxNumOfAttempts", "2.5"),
                Arguments.of("maxNumOfAttempts", 2.5),
                Arguments.of("maxNumOfAttempts", "-Infinity"),
                Arguments.of("maxNumOfAttempts", "many"),
                Arguments.of("factor", "0.5"),
                Arguments.of("factor", 0),
                Arguments.of("factor", "NaN"),
                Arguments.of("factor", "double"),
                Arguments.of("delayFirstAttempt", "yes"),
                Arguments.of("delayFirstAttempt", 1),
                Arguments.of("delayFirstAttempt", ""));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badConfigurations")
    void fromMapRejectsABadValueNamingKeyAndValue(String key, Object value) {
        // values out of range are reported by build() in the key's unit: '1000ms' for maxDelay=1000
        assertThatIllegalArgumentException().isThrownBy(() -> ConnbackOptions.fromMap(Map.of(key, value)))
                .withMessageStartingWith(key + ": ").withMessageContaining("'" + value);
    }

    static Stream<Arguments> badBuilders() {
        return Stream.<Arguments>of(
                bad("keepalive", "-1s", b -> b.keepalive(Duration.ofSeconds(-1))),
                bad("keepalive", "-0.25s", b -> b.keepalive(Duration.ofMillis(-250))),
                bad("connectTimeout", "-0.000001ms", b -> b.connectTimeout(Duration.ofNanos(-1))),
                bad("stableAfter", "-250ms", b -> b.stableAfter(Duration.ofMillis(-250))),
                bad("initialDelay", "0ms", b -> b.initialDelay(Duration.ZERO)),
                bad("initialDelay", "0.5ms", b -> b.initialDelay(Duration.ofNanos(500_000))),
                bad("maxDelay", "1000ms", b -> b.maxDelay(Duration.ofSeconds(1))),
                bad("maxDelay", "500ms", b -> b.maxDelay(Duration.ofMillis(500))),
                bad("maxDelay", "-1000ms", b -> b.maxDelay(Duration.ofSeconds(-1))),
                bad("maxDelay", "31536000000000ms", b -> b.maxDelay(Duration.ofDays(365_000))),
                bad("keepalive", "31536000000s", b -> b.keepalive(Duration.ofDays(365_000))),
                bad("maxNumOfAttempts", "0", b -> b.maxAttempts(0)),
                bad("maxNumOfAttempts", "-1", b -> b.maxAttempts(-1)),
                bad("factor", "0.99", b -> b.factor(0.99)),
                bad("factor", "NaN", b -> b.factor(Double.NaN)),
                bad("factor", "Infinity", b -> b.factor(Double.POSITIVE_INFINITY)));
    }

    private static Arguments bad(String key, String value, UnaryOperator<ConnbackOptions.Builder> setting) {
        return Arguments.of(key, value, setting);
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badBuilders")
    void buildRejectsABadValueNamingKeyAndValue(String key, String value,
            UnaryOperator<ConnbackOptions.Builder> setting) {
        assertThatIllegalArgumentException().isThrownBy(() -> setting.apply(ConnbackOptions.builder()).build())
                .withMessageStartingWith(key + ": ").withMessageContaining("'" + value + "'");
    }

    @Test
    void maxDelayJustAboveInitialDelayIsAccepted() {
        ConnbackOptions options = ConnbackOptions.builder().initialDelay(Duration.ofMillis(1))
                .maxDelay(Duration.ofMillis(1).plusNanos(1)).factor(1).build();

        assertThat(options.maxDelay()).isEqualTo(Duration.ofNanos(1_000_001));
    }

    @Test
    void maxDelayErrorTellsTheInitialDelay() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ConnbackOptions.fromMap(Map.of("initialDelay", 5000, "maxDelay", 2000)))
                .withMessage("maxDelay: invalid value '2000ms': must be greater than initialDelay (5000ms)");
    }

    @Test
    void nullsAreRejectedNamingTheKey() {
        assertThatNullPointerException().isThrownBy(() -> ConnbackOptions.builder().keepalive(null).build())
                .withMessage("keepalive");
        assertThatNullPointerException().isThrownBy(() -> ConnbackOptions.builder().strategy(null).build())
                .withMessage("strategy");
        assertThatNullPointerException().isThrownBy(() -> ConnbackOptions.builder().jitter(null).build())
                .withMessage("jitter");
        assertThatNullPointerException().isThrownBy(() -> ConnbackOptions.builder().retry(null).build())
                .withMessage("retry");
        assertThatNullPointerException().isThrownBy(() -> ConnbackOptions.builder().random(null).build())
                .withMessage("random");
        assertThatNullPointerException().isThrownBy(() -> ConnbackOptions.fromMap(null))
                .withMessage("properties");
    }

    @Test
    void optionsFromTheSameConfigurationAreEqual() {
        Map<String, Object> cfg = Map.of("keepalive", "30", "strategy", "exponential", "maxNumOfAttempts", 5);

        assertThat(ConnbackOptions.fromMap(cfg)).isEqualTo(ConnbackOptions.fromMap(cfg))
                .hasSameHashCodeAs(ConnbackOptions.fromMap(cfg))
                .isNotEqualTo(ConnbackOptions.fromMap(Map.of("keepalive", "31")))
                .isNotEqualTo(ConnbackOptions.defaults().toBuilder().factor(3).build());
    }

    @Test
    void toStringShowsEveryConfigurationKeyWithItsUnit() {
        assertThat(ConnbackOptions.defaults()).hasToString("ConnbackOptions[keepalive=60s, connectTimeout=30000ms, "
                + "strategy=fibonacci, jitter=full, initialDelay=1000ms, maxDelay=30000ms, maxNumOfAttempts=Infinity, "
                + "factor=2, delayFirstAttempt=false, stableAfter=10000ms]");
        assertThat(ConnbackOptions.fromMap(Map.of("keepalive", "0.5", "initialDelay", "100", "maxDelay", "1500.25",
                "maxNumOfAttempts", "3", "factor", "1.5", "strategy", "exponential", "jitter", "none")))
                .hasToString("ConnbackOptions[keepalive=0.5s, connectTimeout=30000ms, strategy=exponential, "
                        + "jitter=none, initialDelay=100ms, maxDelay=1500.25ms, maxNumOfAttempts=3, factor=1.5, "
                        + "delayFirstAttempt=false, stableAfter=10000ms]");
    }
}
