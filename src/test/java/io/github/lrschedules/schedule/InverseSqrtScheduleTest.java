package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ISchedule;

/** Worked examples, the Transformer's rule, a loop-based reference and the properties of the inverse square root. */
class InverseSqrtScheduleTest {

    private static final double EPS = 1e-12;

    private static double at(ISchedule s, int k) {
        return s.valueAt(k, 0);
    }

    @Test
    void javadocExample() {
        ISchedule lr = new InverseSqrtSchedule(ITERATION, 0.1, 4, 4);
        assertThat(new double[] {at(lr, 2), at(lr, 4), at(lr, 16)})
                .containsExactly(new double[] {0.05, 0.1, 0.05}, within(EPS));
    }

    /** Vaswani et al., eq. (3): lrate = d^-0.5 * min(step^-0.5, step * warmup^-1.5), steps counted from 1. */
    @Test
    void withTimescaleEqualToWarmupItIsTheTransformersRule() {
        int dModel = 512;
        int warmup = 4000;
        ISchedule lr = InverseSqrtSchedule.builder(ITERATION, Math.pow((double) dModel * warmup, -0.5), warmup).build();
        for (int step = 1; step <= 50_000; step++) {
            double transformer = Math.pow(dModel, -0.5) * Math.min(Math.pow(step, -0.5), step * Math.pow(warmup, -1.5));
            assertThat(at(lr, step)).as("step %s", step).isCloseTo(transformer, within(1e-12 * transformer));
        }
        assertThat(at(lr, 0)).isEqualTo(0.0);
    }

    /** From the peak on, each step multiplies the value by sqrt(a / (a + 1)), a = k - warmup + timescale. */
    @Test
    void matchesAStepByStepProduct() {
        int[][] shapes = {{0, 1}, {0, 10_000}, {7, 3}, {8, 20}, {100, 100}, {25, 1}};
        for (int[] shape : shapes) {
            int warmup = shape[0];
            int timescale = shape[1];
            ISchedule byEpoch = new InverseSqrtSchedule(EPOCH, 0.3, warmup, timescale);
            double value = 0;
            for (int k = 0; k < 5_000; k++) {
                if (k < warmup) {
                    value = k == 0 ? 0 : value + 0.3 / warmup;
                } else if (k == warmup) {
                    value = 0.3;
                } else {
                    double a = k - 1 - warmup + timescale;
                    value *= Math.sqrt(a / (a + 1));
                }
                assertThat(byEpoch.valueAt(9999, k)).as("warmup %s timescale %s step %s", warmup, timescale, k)
                        .isCloseTo(value, within(1e-12));
            }
        }
    }

    @Test
    void risesToThePeakThenFallsWithoutJumpsAndStaysPositive() {
        ISchedule lr = new InverseSqrtSchedule(ITERATION, 0.1, 50, 200);
        for (int k = 1; k <= 50; k++) {
            assertThat(at(lr, k) - at(lr, k - 1)).as("warmup %s", k).isCloseTo(0.002, within(EPS));
        }
        for (int k = 51; k < 20_000; k++) {
            double drop = at(lr, k - 1) - at(lr, k);
            assertThat(drop).as("decay %s", k).isPositive().isLessThan(0.1 / 400 + EPS);
        }
        assertThat(at(lr, 250)).isCloseTo(0.1 / Math.sqrt(2), within(EPS));
        assertThat(at(lr, 50 + 3 * 200)).isCloseTo(0.05, within(EPS));
    }

    @Test
    void hugeStepsStayFiniteEvenWhereStepPlusTimescaleOverflowsAnInt() {
        ISchedule lr = new InverseSqrtSchedule(ITERATION, 0.1, 0, Integer.MAX_VALUE);
        assertThat(at(lr, Integer.MAX_VALUE)).isCloseTo(0.1 / Math.sqrt(2), within(EPS));
        ISchedule shortScale = new InverseSqrtSchedule(ITERATION, 0.1, 10, 10);
        assertThat(at(shortScale, Integer.MAX_VALUE)).isPositive()
                .isCloseTo(0.1 * Math.sqrt(10.0 / Integer.MAX_VALUE), within(1e-15));
        assertThat(shortScale.valueAt(-5, 3)).isEqualTo(0.0);
    }

    @Test
    void builderTakesHuggingFacesDefaultTimescaleAndTheConstructorsChecks() {
        assertThat(InverseSqrtSchedule.builder(ITERATION, 0.1, 400).build())
                .isEqualTo(new InverseSqrtSchedule(ITERATION, 0.1, 400, 400));
        assertThat(InverseSqrtSchedule.builder(EPOCH, 0.1, 0).build())
                .isEqualTo(new InverseSqrtSchedule(EPOCH, 0.1, 0, 10_000));
        assertThat(InverseSqrtSchedule.builder(EPOCH, 0.1, 5).timescale(12).build())
                .isEqualTo(new InverseSqrtSchedule(EPOCH, 0.1, 5, 12));
        assertThatThrownBy(() -> InverseSqrtSchedule.builder(ITERATION, 0.1, -3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("warmupSteps (-3) must be >= 0");
        assertThatThrownBy(() -> InverseSqrtSchedule.builder(ITERATION, 0.1, 3).timescale(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timescale (0) must be > 0");
    }
}
