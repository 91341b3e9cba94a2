package io.connback.backoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.offset;

import java.time.Duration;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JitterTest {

    private static final int DRAWS = 10_000;
    private static final Duration DELAY = Duration.ofSeconds(10);

    private final RandomGenerator random = new SplittableRandom(42);

    @Test
    void noneReturnsTheDelayItself() {
        assertThat(Jitter.none().apply(DELAY, random)).isEqualTo(DELAY);
        assertThat(Jitter.none().apply(Duration.ZERO, random)).isEqualTo(Duration.ZERO);
    }

    @Test
    void fullIsUniformBetweenZeroAndTheDelay() {
        double[] fractions = draw(Jitter.full());
        DoubleSummaryStatistics statistics = Arrays.stream(fractions).summaryStatistics();

        assertThat(statistics.getMin()).isGreaterThanOrEqualTo(0);
        assertThat(statistics.getMax()).isLessThanOrEqualTo(1);
        // uniform in [0, 1]: mean 1/2 with a standard error of 0.003; each tenth holds 1000 draws, give or take 30
        assertThat(statistics.getAverage()).isCloseTo(0.5, offset(0.02));
        assertThat(tenths(fractions, 0, 1)).allSatisfy(count -> assertThat(count).isBetween(800, 1200));
    }

    @Test
    void equalIsHalfTheDelayPlusUniformOverTheOtherHalf() {
        double[] fractions = draw(Jitter.equal());
        DoubleSummaryStatistics statistics = Arrays.stream(fractions).summaryStatistics();

        assertThat(statistics.getMin()).isGreaterThanOrEqualTo(0.5);
        assertThat(statistics.getMax()).isLessThanOrEqualTo(1);
        // uniform in [1/2, 1]: mean 3/4 with a standard error of 0.0015
        assertThat(statistics.getAverage()).isCloseTo(0.75, offset(0.01));
        assertThat(tenths(fractions, 0.5, 1)).allSatisfy(count -> assertThat(count).isBetween(800, 1200));
    }

    @Test
    void fullJitterOfTinyDelaysStaysWithinThem() {
        assertThat(Jitter.full().apply(Duration.ZERO, random)).isEqualTo(Duration.ZERO);
        for (int i = 0; i < 100; i++) {
            assertThat(Jitter.full().apply(Duration.ofNanos(1), random)).isBetween(Duration.ZERO, Duration.ofNanos(1));
        }
    }

    @Test
    void equalJitterOfTinyDelaysNeverGoesBelowHalf() {
        assertThat(Jitter.equal().apply(Duration.ZERO, random)).isEqualTo(Duration.ZERO);
        assertThat(Jitter.equal().apply(Duration.ofNanos(1), random)).isEqualTo(Duration.ofNanos(1));
        for (int i = 0; i < 100; i++) {
            // half of 3 ns is 1.5 ns: whole nanoseconds from 2 to 3
            assertThat(Jitter.equal().apply(Duration.ofNanos(3), random)).isBetween(Duration.ofNanos(2),
                    Duration.ofNanos(3));
            assertThat(Jitter.equal().apply(Duration.ofMillis(1), random)).isBetween(Duration.ofNanos(500_000),
                    Duration.ofMillis(1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "equal"})
    void negativeDelaysCountAsZero(String name) {
        assertThat(Jitter.named(name).apply(Duration.ofMillis(-5), random)).isEqualTo(Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "equal"})
    void theLongestDelaysDoNotOverflow(String name) {
        Duration longest = Duration.ofNanos(Long.MAX_VALUE);

        for (int i = 0; i < 100; i++) {
            assertThat(Jitter.named(name).apply(longest, random)).isBetween(Duration.ZERO, longest);
            assertThat(Jitter.named(name).apply(Duration.ofDays(365 * 1000), random)).isBetween(Duration.ZERO,
                    longest);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"FULL", "Full", " full\t"})
    void namedIsCaseInsensitive(String name) {
        assertThat(Jitter.named(name)).isSameAs(Jitter.full());
    }

    @Test
    void namedKnowsEveryBuiltInJitter() {
        assertThat(Jitter.named("none")).isSameAs(Jitter.none());
        assertThat(Jitter.named("Equal")).isSameAs(Jitter.equal());
    }

    @ParameterizedTest
    @ValueSource(strings = {"half", "", "decorrelated"})
    void namedRejectsAnUnknownNameNamingKeyAndValue(String name) {
        assertThatIllegalArgumentException().isThrownBy(() -> Jitter.named(name))
                .withMessageContaining("jitter").withMessageContaining("'" + name + "'");
    }

    @Test
    void namedRejectsNull() {
        assertThatIllegalArgumentException().isThrownBy(() -> Jitter.named(null))
                .withMessageContaining("jitter").withMessageContaining("null");
    }

    @Test
    void builtInJittersPrintTheirConfigurationName() {
        assertThat(Jitter.none()).hasToString("none");
        assertThat(Jitter.full()).hasToString("full");
        assertThat(Jitter.equal()).hasToString("equal");
    }

    /** Jittered delays as fractions of {@link #DELAY}. */
    private double[] draw(Jitter jitter) {
        double[] fractions = new double[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            fractions[i] = (double) jitter.apply(DELAY, random).toNanos() / DELAY.toNanos();
        }
        return fractions;
    }

    /** How many values fall in each tenth of [from, to]. */
    private static List<Integer> tenths(double[] values, double from, double to) {
        int[] counts = new int[10];
        for (double value : values) {
            counts[Math.min(9, (int) ((value - from) / (to - from) * 10))]++;
        }
        return Arrays.stream(counts).boxed().toList();
    }
}
