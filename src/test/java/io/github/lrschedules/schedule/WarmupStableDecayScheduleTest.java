package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import io.github.lrschedules.schedule.WarmupStableDecaySchedule.Decay;
import java.io.IOException;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Worked examples, a loop-based reference, the properties of a warmup-stable-decay curve, the builder's defaults and
 * the cool-down branch.
 */
class WarmupStableDecayScheduleTest {

    private static final double EPS = 1e-12;

    private static double at(ISchedule s, int k) {
        return s.valueAt(k, 0);
    }

    @Test
    void javadocExample() {
        WarmupStableDecaySchedule lr = WarmupStableDecaySchedule.builder(ITERATION, 0.1, 100).warmupSteps(10).build();
        assertThat(new double[] {at(lr, 5), at(lr, 50), at(lr, 85), at(lr, 100)})
                .containsExactly(new double[] {0.05, 0.1, 0.05, 0.0}, within(EPS));
    }

    @Test
    void eachCoolDownShapeAtAQuarterHalfAndThreeQuartersOfTheCoolDown() {
        // peak 0.1, min 0.02: range 0.08; cool-down 80..100, so p = 0.25, 0.5, 0.75 at 85, 90, 95
        double[][] expected = {
                {0.02 + 0.08 * 0.75, 0.02 + 0.08 * 0.5, 0.02 + 0.08 * 0.25},
                {0.02 + 0.08 * (1 + Math.sqrt(0.5)) / 2, 0.06, 0.02 + 0.08 * (1 - Math.sqrt(0.5)) / 2},
                {0.06, 0.02 + 0.08 * (1 - Math.sqrt(0.5)), 0.02 + 0.08 * (1 - Math.sqrt(0.75))}};
        Decay[] decays = {Decay.LINEAR, Decay.COSINE, Decay.ONE_MINUS_SQRT};
        for (int d = 0; d < decays.length; d++) {
            ISchedule lr = new WarmupStableDecaySchedule(ITERATION, 0.1, 10, 100, 0.02, 0.0, 20, decays[d]);
            assertThat(new double[] {at(lr, 85), at(lr, 90), at(lr, 95)}).as("%s", decays[d])
                    .containsExactly(expected[d], within(EPS));
            assertThat(at(lr, 80)).as("%s starts its cool-down at the peak", decays[d]).isEqualTo(0.1);
            assertThat(at(lr, 100)).isEqualTo(0.02);
        }
    }

    /** Walks the phases one step at a time with counters, as a training loop would, instead of the closed form. */
    private static double[] loopReference(double peak, int warmup, int total, double min, double start, int decaySteps,
                                          Decay decay, int steps) {
        double[] out = new double[steps];
        int phase = warmup > 0 ? 0 : 1;
        int intoPhase = 0;
        int stable = total - warmup - decaySteps;
        if (phase == 1 && stable == 0) {
            phase = 2;
        }
        for (int k = 0; k < steps; k++) {
            double value;
            if (phase == 0) {
                value = start + (peak - start) * ((double) intoPhase / warmup);
            } else if (phase == 1) {
                value = peak;
            } else if (phase == 2) {
                double p = (double) intoPhase / decaySteps;
                double f = decay == Decay.LINEAR ? 1 - p
                        : decay == Decay.COSINE ? 0.5 + 0.5 * Math.cos(Math.PI * p) : 1 - Math.sqrt(p);
                value = min + (peak - min) * f;
            } else {
                value = min;
            }
            out[k] = value;
            intoPhase++;
            int length = phase == 0 ? warmup : phase == 1 ? stable : phase == 2 ? decaySteps : Integer.MAX_VALUE;
            while (phase < 3 && intoPhase == length) {
                phase++;
                intoPhase = 0;
                length = phase == 1 ? stable : phase == 2 ? decaySteps : Integer.MAX_VALUE;
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Decay.class)
    void matchesAStepByStepLoopForRandomShapes(Decay decay) {
        Random random = new Random(7 + decay.ordinal());
        for (int trial = 0; trial < 200; trial++) {
            int total = 1 + random.nextInt(300);
            int decaySteps = 1 + random.nextInt(total);
            int warmup = random.nextInt(total - decaySteps + 1);
            double peak = 0.01 + random.nextDouble();
            double min = peak * random.nextDouble() * 0.5;
            double start = peak * random.nextDouble();
            ScheduleType type = random.nextBoolean() ? ITERATION : EPOCH;
            ISchedule lr = new WarmupStableDecaySchedule(type, peak, warmup, total, min, start, decaySteps, decay);
            double[] expected = loopReference(peak, warmup, total, min, start, decaySteps, decay, total + 20);
            for (int k = 0; k < expected.length; k++) {
                double actual = type == ITERATION ? lr.valueAt(k, 9999) : lr.valueAt(9999, k);
                assertThat(actual).as("%s step %s", lr, k).isCloseTo(expected[k], within(1e-12));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Decay.class)
    void risesThenHoldsThenFallsMonotonicallyWithinMinAndPeak(Decay decay) {
        ISchedule lr = new WarmupStableDecaySchedule(ITERATION, 0.1, 50, 1000, 0.001, 0.005, 200, decay);
        for (int k = 1; k < 50; k++) {
            assertThat(at(lr, k)).as("warmup %s", k).isGreaterThan(at(lr, k - 1));
        }
        for (int k = 50; k < 800; k++) {
            assertThat(at(lr, k)).as("stable %s", k).isEqualTo(0.1);
        }
        for (int k = 801; k <= 1000; k++) {
            assertThat(at(lr, k)).as("cool-down %s", k).isLessThan(at(lr, k - 1));
        }
        for (int k = 50; k < 3000; k++) {
            assertThat(at(lr, k)).isBetween(0.001, 0.1);
        }
    }

    @ParameterizedTest
    @EnumSource(Decay.class)
    void noJumpsAtTheJoins(Decay decay) {
        // A long cool-down: consecutive steps differ by at most the steepest step of its shape.
        int decaySteps = 10_000;
        ISchedule lr = new WarmupStableDecaySchedule(ITERATION, 1.0, 100, 20_100, 0.0, 0.0, decaySteps, decay);
        double steepest = decay == Decay.ONE_MINUS_SQRT ? Math.sqrt(1.0 / decaySteps) : Math.PI / 2 / decaySteps + 1e-12;
        for (int k = 10_100; k <= 20_100; k++) {
            assertThat(at(lr, k - 1) - at(lr, k)).as("step %s", k).isBetween(0.0, steepest + 1e-12);
        }
        assertThat(at(lr, 100) - at(lr, 99)).isCloseTo(0.01, within(EPS));
        assertThat(at(lr, 10_100)).isEqualTo(1.0);
        assertThat(at(lr, 20_099)).isLessThan(1e-3);
    }

    @Test
    void pastTheEndItHoldsTheMinimumAndNegativeStepsAreStepZero() {
        ISchedule lr = new WarmupStableDecaySchedule(EPOCH, 0.1, 2, 10, 0.003, 0.01, 3, Decay.COSINE);
        for (int e : new int[] {10, 11, 1000, Integer.MAX_VALUE}) {
            assertThat(lr.valueAt(0, e)).isEqualTo(0.003);
        }
        assertThat(lr.valueAt(5, -4)).isEqualTo(0.01);
        assertThat(lr.valueAt(0, 0)).isEqualTo(0.01);
        // The counter EPOCH does not select is ignored.
        assertThat(lr.valueAt(Integer.MAX_VALUE, 1)).isCloseTo(0.055, within(EPS));
    }

    @Test
    void warmupPlusCoolDownMayFillTheWholeRun() {
        ISchedule lr = new WarmupStableDecaySchedule(ITERATION, 0.1, 4, 8, 0.0, 0.0, 4, Decay.LINEAR);
        assertThat(new double[] {at(lr, 0), at(lr, 2), at(lr, 4), at(lr, 6), at(lr, 8)})
                .containsExactly(new double[] {0.0, 0.05, 0.1, 0.05, 0.0}, within(EPS));
        ISchedule noWarmup = new WarmupStableDecaySchedule(ITERATION, 0.1, 0, 1, 0.0, 0.7, 1, Decay.ONE_MINUS_SQRT);
        assertThat(at(noWarmup, 0)).isEqualTo(0.1);
        assertThat(at(noWarmup, 1)).isEqualTo(0.0);
    }

    @Test
    void builderDefaultsAreHuggingFacesAndTheConstructorsChecks() {
        WarmupStableDecaySchedule lr = WarmupStableDecaySchedule.builder(ITERATION, 0.1, 100).build();
        assertThat(lr).isEqualTo(new WarmupStableDecaySchedule(ITERATION, 0.1, 0, 100, 0.0, 0.0, 20,
                Decay.ONE_MINUS_SQRT));
        assertThat(WarmupStableDecaySchedule.builder(EPOCH, 0.2, 50).warmupSteps(5).decaySteps(7).minValue(0.01)
                .warmupStartValue(0.02).decay(Decay.LINEAR).build())
                .isEqualTo(new WarmupStableDecaySchedule(EPOCH, 0.2, 5, 50, 0.01, 0.02, 7, Decay.LINEAR));
        for (int total = 1; total <= 1000; total++) {
            long twentyPercent = Math.max(1, Math.round(0.2 * total));
            assertThat(WarmupStableDecaySchedule.builder(ITERATION, 0.1, total).build().getDecaySteps())
                    .as("totalSteps %s", total).isEqualTo(twentyPercent);
        }
        assertThat(WarmupStableDecaySchedule.builder(ITERATION, 0.1, Integer.MAX_VALUE).build().getDecaySteps())
                .isEqualTo(429_496_729);
        assertThatThrownBy(() -> WarmupStableDecaySchedule.builder(ITERATION, 0.1, 0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("totalSteps (0) must be > 0");
        assertThatThrownBy(() -> WarmupStableDecaySchedule.builder(ITERATION, 0.1, 100).warmupSteps(90).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("warmupSteps (90) + decaySteps (20) must be <= totalSteps (100)");
        assertThatThrownBy(() -> WarmupStableDecaySchedule.builder(ITERATION, 0.1, 100).decaySteps(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("decaySteps (0) must be > 0");
        assertThatThrownBy(() -> WarmupStableDecaySchedule.builder(null, 0.1, 100).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheduleType");
    }

    @Test
    void coolDownFromAnyStableStepFollowsTheRunSoFarThenDecays() {
        WarmupStableDecaySchedule planned = new WarmupStableDecaySchedule(ITERATION, 0.1, 10, 1000, 0.001, 0.0, 200,
                Decay.ONE_MINUS_SQRT);
        for (int decayStart : new int[] {10, 11, 300, 799, 800, 5000}) {
            WarmupStableDecaySchedule branch = planned.coolDownFrom(decayStart, 50);
            assertThat(branch).isEqualTo(new WarmupStableDecaySchedule(ITERATION, 0.1, 10, decayStart + 50, 0.001,
                    0.0, 50, Decay.ONE_MINUS_SQRT));
            assertThat(branch.getTotalSteps()).isEqualTo(decayStart + 50);
            for (int k = 0; k < Math.min(decayStart, 800); k++) {
                assertThat(at(branch, k)).as("branch at %s, step %s", decayStart, k).isEqualTo(at(planned, k));
            }
            assertThat(at(branch, decayStart)).isEqualTo(0.1);
            assertThat(at(branch, decayStart + 25)).isCloseTo(0.001 + 0.099 * (1 - Math.sqrt(0.5)), within(EPS));
            assertThat(at(branch, decayStart + 50)).isEqualTo(0.001);
            assertThat(at(branch, Integer.MAX_VALUE)).isEqualTo(0.001);
        }
        // A branch keeps the counter, the cool-down shape and can branch again.
        WarmupStableDecaySchedule epochs = new WarmupStableDecaySchedule(EPOCH, 0.1, 2, 20, 0.0, 0.0, 4, Decay.COSINE);
        assertThat(epochs.coolDownFrom(8, 2).coolDownFrom(12, 6))
                .isEqualTo(new WarmupStableDecaySchedule(EPOCH, 0.1, 2, 18, 0.0, 0.0, 6, Decay.COSINE));
        assertThat(epochs.coolDownFrom(16, 4)).isEqualTo(epochs);
    }

    @Test
    void coolDownFromRejectsTheWarmupAndBadLengthsNamingTheArgument() {
        WarmupStableDecaySchedule lr = new WarmupStableDecaySchedule(ITERATION, 0.1, 5, 100, 0.0, 0.0, 20,
                Decay.LINEAR);
        assertThatThrownBy(() -> lr.coolDownFrom(4, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("decayStart (4) must be >= warmupSteps (5)");
        assertThatThrownBy(() -> lr.coolDownFrom(-1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("decayStart (-1) must be >= warmupSteps (5)");
        assertThatThrownBy(() -> lr.coolDownFrom(50, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("decaySteps (0) must be > 0");
        assertThatThrownBy(() -> lr.coolDownFrom(Integer.MAX_VALUE - 5, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decayStart (2147483642) + decaySteps (10)");
        assertThat(lr.coolDownFrom(Integer.MAX_VALUE - 10, 10).getTotalSteps()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void constructorRejectsAnIntOverflowOfWarmupPlusDecay() {
        assertThatThrownBy(() -> new WarmupStableDecaySchedule(ITERATION, 0.1, Integer.MAX_VALUE, Integer.MAX_VALUE,
                0.0, 0.0, 10, Decay.LINEAR)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("warmupSteps (2147483647) + decaySteps (10)");
    }

    @Test
    void jsonWithoutAFieldIsRejected() throws IOException {
        ObjectMapper mapper = NeuralNetConfiguration.mapper();
        ObjectNode node = mapper.valueToTree(new WarmupStableDecaySchedule(ITERATION, 0.1, 5, 40, 0.001, 0.01, 8,
                Decay.COSINE));
        assertThat(node.get("decay").asText()).isEqualTo("COSINE");
        node.remove("decaySteps");
        // Rejected as missing, before the constructor could mistake it for 0.
        assertThatThrownBy(() -> mapper.treeToValue(node, ISchedule.class))
                .hasMessageContaining("Missing required creator property 'decaySteps'");
    }
}
