package io.connback.backoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.offset;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackoffStrategyTest {

    /** The built-in exponential and fibonacci strategies never draw: a generator that fails proves it. */
    private static final RandomGenerator NO_RANDOMNESS = () -> {
        throw new AssertionError("a deterministic strategy drew a random number");
    };

    @Test
    void exponentialMultipliesByTheFactorFromTheInitialDelay() {
        DelaySequence delays = BackoffStrategy.exponential().start(parameters(100, 100_000, 2));

        assertThat(millis(delays, 8)).containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 6400L, 12_800L);
    }

    @Test
    void exponentialIsCappedAtMaxDelay() {
        DelaySequence delays = BackoffStrategy.exponential().start(parameters(100, 1000, 2));

        assertThat(millis(delays, 7)).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L, 1000L);
    }

    @Test
    void exponentialKeepsFractionalDelaysOfAFractionalFactor() {
        DelaySequence delays = BackoffStrategy.exponential().start(parameters(100, 100_000, 1.5));

        assertThat(durations(delays, 4)).containsExactly(Duration.ofMillis(100), Duration.ofMillis(150),
                Duration.ofMillis(225), Duration.ofMillis(337).plusNanos(500_000));
    }

    @Test
    void exponentialWithFactorOneStaysAtTheInitialDelay() {
        DelaySequence delays = BackoffStrategy.exponential().start(parameters(250, 1000, 1));

        assertThat(millis(delays, 4)).containsOnly(250L);
    }

    @Test
    void fibonacciRepeatsTheInitialDelayThenAddsTheTwoPrevious() {
        DelaySequence delays = BackoffStrategy.fibonacci().start(parameters(1000, 100_000, 2));

        assertThat(millis(delays, 10)).containsExactly(1000L, 1000L, 2000L, 3000L, 5000L, 8000L, 13_000L, 21_000L,
                34_000L, 55_000L);
    }

    @Test
    void fibonacciFromTheSeedsExampleIsCappedAtMaxDelay() {
        DelaySequence delays = BackoffStrategy.fibonacci().start(parameters(100, 1000, 2));

        assertThat(millis(delays, 9)).containsExactly(100L, 100L, 200L, 300L, 500L, 800L, 1000L, 1000L, 1000L);
    }

    @Test
    void fibonacciIgnoresTheFactor() {
        DelaySequence withFactor2 = BackoffStrategy.fibonacci().start(parameters(100, 10_000, 2));
        DelaySequence withFactor7 = BackoffStrategy.fibonacci().start(parameters(100, 10_000, 7));

        assertThat(millis(withFactor7, 10)).isEqualTo(millis(withFactor2, 10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"exponential", "fibonacci"})
    void deterministicStrategiesStayAtMaxDelayAfterThousandsOfAttempts(String name) {
        Duration max = Duration.ofSeconds(30);
        DelaySequence delays = BackoffStrategy.named(name).start(
                new BackoffParameters(Duration.ofMillis(1), max, 2));

        List<Duration> all = durations(delays, 100_000);

        assertThat(all.subList(50, all.size())).containsOnly(max);
    }

    @Test
    void decorrelatedDoesNotOverflowWithTheLongestMaxDelay() {
        Duration initial = Duration.ofMillis(1);
        Duration longest = Duration.ofNanos(Long.MAX_VALUE);
        DelaySequence delays = BackoffStrategy.decorrelated().start(new BackoffParameters(initial, longest, 2));
        RandomGenerator random = new SplittableRandom(13);

        for (int i = 0; i < 10_000; i++) {
            assertThat(delays.next(random)).isBetween(initial, longest);
        }
    }

    @Test
    void eachRunStartsAfresh() {
        BackoffStrategy strategy = BackoffStrategy.exponential();
        BackoffParameters parameters = parameters(100, 10_000, 2);
        DelaySequence first = strategy.start(parameters);
        millis(first, 5);

        assertThat(millis(strategy.start(parameters), 3)).containsExactly(100L, 200L, 400L);
        assertThat(millis(first, 1)).containsExactly(3200L);
    }

    @Test
    void decorrelatedDrawsBetweenInitialDelayAndThreeTimesThePreviousDelay() {
        BackoffParameters parameters = parameters(100, 30_000, 2);
        DelaySequence delays = BackoffStrategy.decorrelated().start(parameters);
        RandomGenerator random = new SplittableRandom(7);

        Duration previous = parameters.initialDelay();
        int atMax = 0;
        for (int i = 0; i < 10_000; i++) {
            Duration delay = delays.next(random);
            Duration upper = min(previous.multipliedBy(3), parameters.maxDelay());
            assertThat(delay).as("delay %d after %s", i, previous).isBetween(parameters.initialDelay(), upper);
            atMax += delay.equals(parameters.maxDelay()) ? 1 : 0;
            previous = delay;
        }
        assertThat(atMax).as("delays exactly at maxDelay (drawn below the cap, not clipped to it)").isLessThan(10);
    }

    @Test
    void decorrelatedFirstDelayIsUniformUpToThreeTimesTheInitialDelay() {
        BackoffParameters parameters = parameters(1000, 30_000, 2);
        RandomGenerator random = new SplittableRandom(11);

        double sum = 0;
        for (int i = 0; i < 10_000; i++) {
            Duration first = BackoffStrategy.decorrelated().start(parameters).next(random);
            assertThat(first).isBetween(Duration.ofMillis(1000), Duration.ofMillis(3000));
            sum += first.toNanos() / 1e6;
        }
        // uniform in [1000, 3000] ms: mean 2000 ms, standard error of the mean about 6 ms
        assertThat(sum / 10_000).isCloseTo(2000, offset(50.0));
    }

    @Test
    void decorrelatedWithInitialDelayJustBelowMaxDelayStaysBetweenThem() {
        Duration initial = Duration.ofMillis(1000);
        Duration max = Duration.ofMillis(1000).plusNanos(1000);
        DelaySequence delays = BackoffStrategy.decorrelated().start(new BackoffParameters(initial, max, 2));
        RandomGenerator random = new SplittableRandom(3);

        for (int i = 0; i < 1000; i++) {
            assertThat(delays.next(random)).isBetween(initial, max);
        }
    }

    @Test
    void decorrelatedIsReproducibleWithASeededGenerator() {
        BackoffParameters parameters = parameters(100, 30_000, 2);

        List<Duration> first = durations(BackoffStrategy.decorrelated().start(parameters), new SplittableRandom(5));
        List<Duration> second = durations(BackoffStrategy.decorrelated().start(parameters), new SplittableRandom(5));

        assertThat(first).isEqualTo(second).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @ValueSource(strings = {"exponential", "EXPONENTIAL", " Exponential "})
    void namedIsCaseInsensitive(String name) {
        assertThat(BackoffStrategy.named(name)).isSameAs(BackoffStrategy.exponential());
    }

    @Test
    void namedKnowsEveryBuiltInStrategy() {
        assertThat(BackoffStrategy.named("fibonacci")).isSameAs(BackoffStrategy.fibonacci());
        assertThat(BackoffStrategy.named("Decorrelated")).isSameAs(BackoffStrategy.decorrelated());
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "", "fibonaci"})
    void namedRejectsAnUnknownNameNamingKeyAndValue(String name) {
        assertThatIllegalArgumentException().isThrownBy(() -> BackoffStrategy.named(name))
                .withMessageContaining("strategy").withMessageContaining("'" + name + "'");
    }

    @Test
    void namedRejectsNull() {
        assertThatIllegalArgumentException().isThrownBy(() -> BackoffStrategy.named(null))
                .withMessageContaining("strategy").withMessageContaining("null");
    }

    @Test
    void builtInStrategiesPrintTheirConfigurationName() {
        assertThat(BackoffStrategy.exponential()).hasToString("exponential");
        assertThat(BackoffStrategy.fibonacci()).hasToString("fibonacci");
        assertThat(BackoffStrategy.decorrelated()).hasToString("decorrelated");
    }

    @Test
    void aLambdaIsAStrategy() {
        BackoffStrategy linear = parameters -> new DelaySequence() {
            private Duration next = parameters.initialDelay();

            @Override
            public Duration next(RandomGenerator random) {
                Duration delay = next;
                next = min(next.plus(parameters.initialDelay()), parameters.maxDelay());
                return delay;
            }
        };

        assertThat(millis(linear.start(parameters(100, 250, 2)), 4)).containsExactly(100L, 200L, 250L, 250L);
    }

    @Test
    void cappedConvertsFractionalMillisecondsBetweenZeroAndMaxDelay() {
        BackoffParameters parameters = parameters(1, 1000, 2);

        assertThat(BackoffStrategy.capped(1.5, parameters)).isEqualTo(Duration.ofNanos(1_500_000));
        assertThat(BackoffStrategy.capped(999.999_999, parameters)).isEqualTo(Duration.ofNanos(999_999_999));
        assertThat(BackoffStrategy.capped(-3, parameters)).isEqualTo(Duration.ZERO);
        assertThat(BackoffStrategy.capped(1000.5, parameters)).isEqualTo(Duration.ofSeconds(1));
        assertThat(BackoffStrategy.capped(Double.POSITIVE_INFINITY, parameters)).isEqualTo(Duration.ofSeconds(1));
        assertThat(BackoffStrategy.capped(Double.NaN, parameters)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void parametersRejectNullDelays() {
        assertThatNullPointerException().isThrownBy(() -> new BackoffParameters(null, Duration.ofSeconds(1), 2))
                .withMessage("initialDelay");
        assertThatNullPointerException().isThrownBy(() -> new BackoffParameters(Duration.ZERO, null, 2))
                .withMessage("maxDelay");
    }

    private static BackoffParameters parameters(long initialMillis, long maxMillis, double factor) {
        return new BackoffParameters(Duration.ofMillis(initialMillis), Duration.ofMillis(maxMillis), factor);
    }

    private static List<Duration> durations(DelaySequence delays, int count) {
        List<Duration> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(delays.next(NO_RANDOMNESS));
        }
        return all;
    }

    private static List<Duration> durations(DelaySequence delays, RandomGenerator random) {
        List<Duration> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(delays.next(random));
        }
        return all;
    }

    private static List<Long> millis(DelaySequence delays, int count) {
        return durations(delays, count).stream().map(Duration::toMillis).toList();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
