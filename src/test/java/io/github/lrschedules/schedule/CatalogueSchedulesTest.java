package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import io.github.lrschedules.schedule.PiecewiseInterpolateSchedule.Interpolation;
import io.github.lrschedules.schedule.WarmupSchedule.Ramp;
import io.github.lrschedules.schedule.WarmupStableDecaySchedule.Decay;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;

/** The Javadoc examples of the schedules and options added after 1.0, and the behaviour their Javadoc promises. */
class CatalogueSchedulesTest {

    private static final double EPS = 1e-12;

    @Test
    void productJavadocExampleAndTypeRules() {
        ISchedule product = new ProductSchedule(List.of(new LinearSchedule(ITERATION, 0.1, 0.5, 1.0, 4),
                new ExponentialSchedule(ITERATION, 1.0, 0.9)));
        assertThat(product.valueAt(0, 0)).isCloseTo(0.05, within(EPS));
        assertThat(product.valueAt(2, 0)).isCloseTo(0.06075, within(EPS));
        assertThat(product.valueAt(4, 0)).isCloseTo(0.06561, within(EPS));

        // A factor without a type is accepted; the common type is reported, not written to JSON.
        ProductSchedule withFixed = new ProductSchedule(List.of(new FixedSchedule(2.0),
                new CosineDecaySchedule(EPOCH, 0.1, 10, 0.0)));
        assertThat(withFixed.getScheduleType()).isEqualTo(EPOCH);
        assertThat(withFixed.valueAt(999, 5)).isCloseTo(0.1, within(EPS));
        assertThat(new ProductSchedule(List.of(new FixedSchedule(2.0))).getScheduleType()).isNull();
        assertThatThrownBy(() -> new ProductSchedule(List.of(new CosineDecaySchedule(EPOCH, 0.1, 10, 0.0),
                new FixedSchedule(1.0), new LinearSchedule(ITERATION, 1.0, 1.0, 0.5, 5))))
                .hasMessageContaining("factors[2] (LinearSchedule with scheduleType ITERATION)")
                .hasMessageContaining("factors[0] (EPOCH)");

        List<ISchedule> factors = new ArrayList<>(List.of(new FixedSchedule(0.5), new FixedSchedule(0.5)));
        ProductSchedule copied = new ProductSchedule(factors);
        factors.add(new FixedSchedule(0.0));
        assertThat(copied.valueAt(3, 3)).isEqualTo(0.25);
        assertThat(copied.getFactors()).hasSize(2);
    }

    @Test
    void cosineExponentJavadocExampleAndKDecayBesideIt() {
        assertThat(CosineDecaySchedule.builder(EPOCH, 0.1, 10).exponent(2.0).build().valueAt(0, 5))
                .isCloseTo(0.025, within(EPS));
        assertThat(CosineDecaySchedule.builder(EPOCH, 0.1, 10).kDecay(2.0).build().valueAt(0, 5))
                .isCloseTo(0.1 * (1 + Math.cos(Math.PI / 4)) / 2, within(EPS));
        // The plain exponent computes exactly what 1.0 computed.
        ISchedule plain = new CosineDecaySchedule(EPOCH, 0.1, 10, 0.001);
        ISchedule exponentOne = CosineDecaySchedule.builder(EPOCH, 0.1, 10).minValue(0.001).exponent(1.0).build();
        for (int k = 0; k < 15; k++) {
            assertThat(exponentOne.valueAt(0, k)).isEqualTo(plain.valueAt(0, k));
        }
    }

    @Test
    void piecewiseInterpolateJavadocExampleAndABoundaryAtZero() {
        ISchedule s = new PiecewiseInterpolateSchedule(ITERATION, Interpolation.LINEAR, 0.1, new int[] {10, 20},
                new double[] {0.5, 0.2});
        assertThat(s.valueAt(0, 0)).isCloseTo(0.1, within(EPS));
        assertThat(s.valueAt(5, 0)).isCloseTo(0.075, within(EPS));
        assertThat(s.valueAt(10, 0)).isCloseTo(0.05, within(EPS));
        assertThat(s.valueAt(15, 0)).isCloseTo(0.03, within(EPS));
        assertThat(s.valueAt(30, 0)).isCloseTo(0.01, within(EPS));
        assertThat(s.valueAt(Integer.MAX_VALUE, 0)).isCloseTo(0.01, within(EPS));

        ISchedule atZero = new PiecewiseInterpolateSchedule(ITERATION, Interpolation.COSINE, 0.1, new int[] {0, 10},
                new double[] {0.5, 0.1});
        assertThat(atZero.valueAt(0, 0)).isCloseTo(0.05, within(EPS));
        assertThat(atZero.valueAt(5, 0)).isCloseTo((0.05 + 0.005) / 2, within(EPS));
        assertThat(new PiecewiseInterpolateSchedule(EPOCH, Interpolation.COSINE, 0.3, new int[0], new double[0])
                .valueAt(0, 77)).isEqualTo(0.3);
    }

    @Test
    void tanhJavadocExampleAndCycleLimits() {
        ISchedule s = TanhSchedule.builder(EPOCH, 0.1, 20).minValue(0.001).build();
        assertThat(s.valueAt(0, 0)).isCloseTo(0.0999999, within(1e-7));
        assertThat(s.valueAt(0, 10)).isCloseTo(0.09822, within(1e-5));
        assertThat(s.valueAt(0, 20)).isEqualTo(0.001);
        assertThat(s.valueAt(0, 30)).isEqualTo(0.001);

        // cycleLimit 0: restarts without end; the peak returns at every cycle start.
        ISchedule unlimited = TanhSchedule.builder(ITERATION, 0.1, 20).cycleLimit(0).build();
        assertThat(unlimited.valueAt(20_000, 0)).isEqualTo(unlimited.valueAt(0, 0));
        ISchedule limited = TanhSchedule.builder(ITERATION, 0.1, 20).cycleLimit(2).build();
        assertThat(limited.valueAt(20, 0)).isEqualTo(limited.valueAt(0, 0));
        assertThat(limited.valueAt(40, 0)).isEqualTo(0.0);

        // With a prefix the warmup aims at the peak; without, at the tanh value at the end of the warmup.
        TanhSchedule prefix = TanhSchedule.builder(ITERATION, 0.1, 20).warmupSteps(4).warmupPrefix(true).build();
        assertThat(prefix.valueAt(2, 0)).isCloseTo(0.05, within(EPS));
        TanhSchedule inside = TanhSchedule.builder(ITERATION, 0.1, 20).warmupSteps(4).build();
        assertThat(inside.valueAt(2, 0)).isCloseTo(inside.valueAt(4, 0) / 2, within(EPS));
    }

    @Test
    void logWarmupReachesThePeakOneStepEarlyAndRaisesOneStepToTwo() {
        ISchedule log = new WarmupSchedule(ITERATION, new FixedSchedule(0.1), 10, 0.0, Ramp.LOG);
        assertThat(log.valueAt(0, 0)).isEqualTo(0.0);
        assertThat(log.valueAt(9, 0)).isCloseTo(0.1, within(EPS));
        assertThat(log.valueAt(4, 0)).isCloseTo(0.1 * Math.log(5) / Math.log(10), within(EPS));
        ISchedule one = new WarmupSchedule(ITERATION, new LinearSchedule(ITERATION, 0.1, 1.0, 0.0, 10), 1, 0.0,
                Ramp.LOG);
        assertThat(one.valueAt(0, 0)).isEqualTo(0.0);
        assertThat(one.valueAt(1, 0)).isCloseTo(0.1, within(EPS));
        // The wrapped schedule starts its clock at step 2.
        assertThat(one.valueAt(2, 0)).isCloseTo(0.1, within(EPS));
        assertThat(one.valueAt(7, 0)).isCloseTo(0.05, within(EPS));
        ISchedule none = new WarmupSchedule(ITERATION, new FixedSchedule(0.1), 0, 0.0, Ramp.LOG);
        assertThat(none.valueAt(0, 0)).isEqualTo(0.1);
    }

    @Test
    void wsdDefaultsStayAsTheyWereAndHuggingFacesAreOneCallAway() {
        WarmupStableDecaySchedule today = WarmupStableDecaySchedule.builder(ITERATION, 0.1, 100).warmupSteps(10).build();
        assertThat(today.getDecay()).isEqualTo(Decay.ONE_MINUS_SQRT);
        assertThat(today.getWarmupShape()).isEqualTo(Decay.LINEAR);
        assertThat(today.getNumCycles()).isEqualTo(0.5);
        assertThat(today.valueAt(5, 0)).isCloseTo(0.05, within(EPS));
        assertThat(today.valueAt(85, 0)).isCloseTo(0.05, within(EPS));

        WarmupStableDecaySchedule hf = WarmupStableDecaySchedule.builder(ITERATION, 0.1, 100).warmupSteps(10)
                .decaySteps(20).decay(Decay.COSINE).minLrRatio(0.1).build();
        assertThat(hf.valueAt(0, 0)).isCloseTo(0.01, within(EPS));
        assertThat(hf.valueAt(90, 0)).isCloseTo(0.055, within(EPS));
        assertThat(hf.valueAt(100, 0)).isCloseTo(0.01, within(EPS));
        // The branch keeps the new options.
        WarmupStableDecaySchedule branch = WarmupStableDecaySchedule.builder(ITERATION, 0.1, 100).warmupSteps(10)
                .decaySteps(20).decay(Decay.COSINE).warmupShape(Decay.COSINE).numCycles(1.0).build()
                .coolDownFrom(50, 20);
        assertThat(branch.getWarmupShape()).isEqualTo(Decay.COSINE);
        assertThat(branch.getNumCycles()).isEqualTo(1.0);
        assertThat(branch.getTotalSteps()).isEqualTo(70);
    }

    @Test
    void inverseSqrtComposedFromWarmupScheduleIsBitIdenticalTo10() {
        int[][] configs = {{4, 4}, {10, 10}, {8, 20}, {1, 3}, {37, 5}, {0, 10_000}};
        double[] peaks = {0.1, 0.003, 1.7, 6e-4};
        for (int[] c : configs) {
            for (double peak : peaks) {
                ISchedule s = new InverseSqrtSchedule(ITERATION, peak, c[0], c[1]);
                for (int k = 0; k < 400; k++) {
                    // 1.0.0's closed form.
                    double v10 = k < c[0] ? peak * k / c[0]
                            : peak / Math.sqrt(((double) k - c[0] + c[1]) / c[1]);
                    assertThat(s.valueAt(k, 0)).as("%s peak %s step %s", java.util.Arrays.toString(c), peak, k)
                            .isEqualTo(v10);
                }
            }
        }
    }
}
