package io.github.lrschedules.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link Downsampler}: the budget, the first and last point, and which change points survive. */
class DownsamplerTest {

    private static int[] select(float[] series, int maxPoints) {
        return Downsampler.select(series.length, Collections.singletonList(series), maxPoints);
    }

    private static float[] constant(int n, float value) {
        float[] s = new float[n];
        Arrays.fill(s, value);
        return s;
    }

    @Test
    void shortSeriesAreKeptWhole() {
        assertThat(select(constant(100, 0.1f), 100)).containsExactly(IntStream.range(0, 100).toArray());
        assertThat(Downsampler.select(0, List.of(), 10)).isEmpty();
    }

    @Test
    void budgetBelowTwoIsRejected() {
        assertThatThrownBy(() -> Downsampler.select(10, List.of(), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxPoints (1) must be >= 2");
    }

    @Test
    void constantSeriesIsThinnedUniformlyWithBothEnds() {
        int[] kept = select(constant(10_000, 0.1f), 101);
        assertThat(kept).hasSizeLessThanOrEqualTo(101).contains(0, 9_999).isSorted().doesNotHaveDuplicates();
        assertThat(kept.length).isGreaterThan(95);
        for (int k = 1; k < kept.length; k++) {
            assertThat(kept[k] - kept[k - 1]).isBetween(90, 110);
        }
    }

    @Test
    void everyStepIsKeptHoweverSmall() {
        float[] s = constant(50_000, 0.1f);
        int[] steps = {1, 777, 12_345, 30_000, 49_999};
        float value = 0.1f;
        for (int step : steps) {
            value = Math.nextUp(value); // the smallest change a float can make
            Arrays.fill(s, step, s.length, value);
        }
        int[] kept = select(s, 200);
        assertThat(kept).hasSizeLessThanOrEqualTo(200);
        for (int step : steps) {
            assertThat(kept).contains(step - 1, step);
        }
        assertLinesBetweenPointsAreExact(s, kept);
    }

    @Test
    void warmRestartsAndWarmupEndOfASmoothCurveAreKept() {
        int n = 100_000;
        float[] s = new float[n];
        int warmup = 5_000;
        int cycle = 19_000;
        for (int i = 0; i < n; i++) {
            if (i < warmup) {
                s[i] = (float) (0.1 * (i + 1) / warmup);
            } else {
                int t = (i - warmup) % cycle;
                s[i] = (float) (1e-4 + (0.1 - 1e-4) * (1 + Math.cos(Math.PI * t / cycle)) / 2);
            }
        }
        int[] kept = select(s, 1_000);
        assertThat(kept).hasSizeLessThanOrEqualTo(1_000);
        assertThat(kept).as("end of warmup").contains(warmup - 1);
        for (int restart = warmup + cycle; restart < n; restart += cycle) {
            assertThat(kept).as("restart at " + restart).contains(restart - 1, restart);
        }
    }

    @Test
    void appearingAndVanishingValuesAreKept() {
        float[] s = constant(10_000, 0.1f);
        Arrays.fill(s, 4_000, 4_010, Float.NaN);
        assertThat(select(s, 50)).contains(3_999, 4_000, 4_009, 4_010);
    }

    @Test
    void withMoreStepsThanBudgetTheLargestStepsWin() {
        int n = 40_000;
        float[] s = new float[n];
        float value = 1f;
        for (int i = 0; i < n; i++) {
            if (i > 0 && i % 10 == 0) {
                // 3,999 tiny steps and, every 4,000 iterations, a halving
                value = i % 4_000 == 0 ? value / 2 : value * 0.9999f;
            }
            s[i] = value;
        }
        int[] kept = select(s, 500);
        assertThat(kept).hasSizeLessThanOrEqualTo(500).contains(0, n - 1);
        assertThat(kept.length).isGreaterThan(450);
        for (int halving = 4_000; halving < n; halving += 4_000) {
            assertThat(kept).contains(halving - 1, halving);
        }
    }

    @Test
    void aQuarterOfTheBudgetAlwaysCoversTheWholeRun() {
        int n = 100_000;
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = i < 10_000 ? (i % 2 == 0 ? 0.1f : 0.2f) : 0.1f; // 10,000 change points at the start
        }
        int[] kept = select(s, 400);
        assertThat(kept).hasSizeLessThanOrEqualTo(400);
        for (int k = 1; k < kept.length; k++) {
            assertThat(kept[k] - kept[k - 1]).as("gap after " + kept[k - 1]).isLessThanOrEqualTo(n / 100 + 1);
        }
    }

    @Test
    void severalSeriesShareTheirChangePoints() {
        float[] a = constant(20_000, 0.1f);
        float[] b = constant(20_000, 0.2f);
        Arrays.fill(a, 5_000, 20_000, 0.01f);
        Arrays.fill(b, 15_000, 20_000, 0.02f);
        int[] kept = Downsampler.select(20_000, List.of(a, b), 30);
        assertThat(kept).contains(5_000, 15_000);
    }

    /**
     * Straight lines between the kept points of a piecewise-constant series give back every value: each stretch
     * between two kept points is flat.
     */
    static void assertLinesBetweenPointsAreExact(float[] s, int[] kept) {
        assertThat(kept[0]).isZero();
        assertThat(kept[kept.length - 1]).isEqualTo(s.length - 1);
        for (int k = 1; k < kept.length; k++) {
            int from = kept[k - 1];
            int to = kept[k];
            if (to - from > 1 && Float.compare(s[from], s[to]) != 0) {
                throw new AssertionError("values change between kept points " + from + " (" + s[from] + ") and "
                        + to + " (" + s[to] + ")");
            }
            for (int i = from + 1; i < to; i++) {
                if (Float.compare(s[i], s[from]) != 0) {
                    throw new AssertionError("value " + s[i] + " at " + i + " lies between kept points " + from
                            + " and " + to + " of value " + s[from]);
                }
            }
        }
    }
}
