package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import io.github.lrschedules.schedule.CyclicSchedule.Mode;
import io.github.lrschedules.schedule.OneCycleSchedule.Anneal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Worked examples (the ones in the README and in each class' Javadoc), independent loop-based references and
 * properties every schedule must have.
 */
class ScheduleValuesTest {

    private static final double EPS = 1e-12;

    private static double epoch(ISchedule s, int epoch) {
        return s.valueAt(0, epoch);
    }

    private static double iteration(ISchedule s, int iteration) {
        return s.valueAt(iteration, 0);
    }

    @Test
    void milestonesAtHalfAndThreeQuartersOf120Epochs() {
        ISchedule lr = MilestoneStepSchedule.atFractions(EPOCH, 0.1, 0.1, 120, 0.5, 0.75);
        assertThat(((MilestoneStepSchedule) lr).getMilestones()).containsExactly(60, 90);
        for (int e = 0; e < 120; e++) {
            double expected = e < 60 ? 0.1 : e < 90 ? 0.01 : 0.001;
            assertThat(epoch(lr, e)).as("epoch %s", e).isCloseTo(expected, within(EPS));
        }
        assertThat(epoch(lr, 5000)).isCloseTo(0.001, within(EPS));
    }

    @Test
    void linearDecayExampleFromTheReadme() {
        ISchedule lr = new LinearSchedule(EPOCH, 0.1, 1.0, 0.0, 10);
        assertThat(new double[] {epoch(lr, 0), epoch(lr, 1), epoch(lr, 2), epoch(lr, 3)})
                .containsExactly(new double[] {0.1, 0.09, 0.08, 0.07}, within(EPS));
        assertThat(epoch(lr, 10)).isEqualTo(0.0);
        assertThat(epoch(lr, 11)).isEqualTo(0.0);
    }

    @Test
    void exponentialDecayIsDl4jsOwnExponentialSchedule() {
        ISchedule lr = new ExponentialSchedule(EPOCH, 0.1, 0.9);
        assertThat(new double[] {epoch(lr, 0), epoch(lr, 1), epoch(lr, 2), epoch(lr, 3)})
                .containsExactly(new double[] {0.1, 0.09, 0.081, 0.0729}, within(EPS));
    }

    @Test
    void cosineIsHalfEta0TimesOnePlusCosine() {
        double eta0 = 0.1;
        int total = 10;
        ISchedule lr = new CosineDecaySchedule(EPOCH, eta0, total, 0.0);
        // 1/2 * eta0 * (1 + cos(t * pi / T)) written out for T = 10
        double[] expected = {0.1, 0.09755282581475769, 0.09045084971874738, 0.07938926261462367, 0.06545084971874738,
                0.05, 0.03454915028125263, 0.020610737385376353, 0.009549150281252633, 0.002447174185242324, 0.0};
        for (int t = 0; t <= total; t++) {
            assertThat(epoch(lr, t)).as("epoch %s", t).isCloseTo(expected[t], within(EPS));
        }
    }

    @Test
    void javadocExamples() {
        ISchedule poly = new PolynomialDecaySchedule(ITERATION, 0.1, 0.0, 2.0, 10);
        assertThat(new double[] {iteration(poly, 0), iteration(poly, 5), iteration(poly, 10), iteration(poly, 11)})
                .containsExactly(new double[] {0.1, 0.025, 0.0, 0.0}, within(EPS));

        ISchedule cosine = new CosineDecaySchedule(EPOCH, 0.1, 10, 0.0);
        assertThat(new double[] {epoch(cosine, 0), epoch(cosine, 5), epoch(cosine, 10), epoch(cosine, 20)})
                .containsExactly(new double[] {0.1, 0.05, 0.0, 0.0}, within(EPS));

        ISchedule warmup = new WarmupSchedule(ITERATION, new FixedSchedule(0.1), 4, 0.0);
        assertThat(new double[] {iteration(warmup, 0), iteration(warmup, 2), iteration(warmup, 4), iteration(warmup, 100)})
                .containsExactly(new double[] {0.0, 0.05, 0.1, 0.1}, within(EPS));

        ISchedule warmCos = new WarmupCosineSchedule(ITERATION, 0.1, 5, 25, 0.0, 0.0);
        assertThat(new double[] {iteration(warmCos, 0), iteration(warmCos, 5), iteration(warmCos, 15), iteration(warmCos, 25)})
                .containsExactly(new double[] {0.0, 0.1, 0.05, 0.0}, within(EPS));

        ISchedule restarts = new CosineRestartsSchedule(EPOCH, 0.1, 10, 2.0, 0.0);
        assertThat(new double[] {epoch(restarts, 0), epoch(restarts, 5), epoch(restarts, 10), epoch(restarts, 20),
                epoch(restarts, 30)}).containsExactly(new double[] {0.1, 0.05, 0.1, 0.05, 0.1}, within(EPS));

        ISchedule oneCycle = new OneCycleSchedule(ITERATION, 0.1, 100, 0.3, 25, 1e4, Anneal.COS, false);
        assertThat(new double[] {iteration(oneCycle, 0), iteration(oneCycle, 29), iteration(oneCycle, 99)})
                .containsExactly(new double[] {0.004, 0.1, 4e-7}, within(EPS));

        ISchedule cyclic = new CyclicSchedule(ITERATION, 0.001, 0.1, 5, 3, Mode.TRIANGULAR, 1.0);
        assertThat(new double[] {iteration(cyclic, 0), iteration(cyclic, 5), iteration(cyclic, 8)})
                .containsExactly(new double[] {0.001, 0.1, 0.001}, within(EPS));

        ISchedule sequence = new SequentialSchedule(ITERATION, List.of(new LinearSchedule(ITERATION, 0.1, 0.1, 1.0, 5),
                new CosineDecaySchedule(ITERATION, 0.1, 20, 0.0)), 5);
        assertThat(new double[] {iteration(sequence, 0), iteration(sequence, 5), iteration(sequence, 15), iteration(sequence, 25)})
                .containsExactly(new double[] {0.01, 0.1, 0.05, 0.0}, within(EPS));

        assertThat(iteration(new ScaledSchedule(new FixedSchedule(0.1), 0.5), 123)).isCloseTo(0.05, within(EPS));
    }

    /** SGDR written as a loop over cycles, for multipliers PyTorch does not accept (non-integer) and peak decay. */
    private static double restartsByLoop(double peak, int firstCycle, double multiplier, double min, double decay, int k) {
        double start = 0;
        double length = firstCycle;
        double cyclePeak = peak;
        while (k >= start + length) {
            start += length;
            length *= multiplier;
            cyclePeak *= decay;
        }
        return min + (cyclePeak - min) * (1 + Math.cos(Math.PI * (k - start) / length)) / 2;
    }

    @Test
    void restartsMatchALoopOverCyclesForNonIntegerMultipliersAndPeakDecay() {
        double[][] configs = {{0.1, 7, 1.5, 0.001, 0.8}, {0.05, 3, 2.0, 0.0, 0.5}, {1.0, 4, 1.0, 0.1, 0.9},
                {0.2, 1, 3.0, 0.0, 1.0}};
        for (double[] c : configs) {
            ISchedule s = new CosineRestartsSchedule(ITERATION, c[0], (int) c[1], c[2], c[3], c[4]);
            for (int k = 0; k < 3000; k++) {
                assertThat(iteration(s, k)).as("%s at %s", s, k)
                        .isCloseTo(restartsByLoop(c[0], (int) c[1], c[2], c[3], c[4], k), within(1e-9 * c[0]));
            }
        }
    }

    @Test
    void restartsBeyondThePrecomputedCyclesFollowTheSameClosedForm() {
        // A multiplier this close to 1 gives about 14,600 cycles below the largest int step: the last ones are
        // computed with the logarithm instead of the table.
        CosineRestartsSchedule s = new CosineRestartsSchedule(ITERATION, 0.1, 1, 1.001, 0.0, 0.9999);
        java.util.Random random = new java.util.Random(7);
        int checked = 0;
        for (int n = 0; n < 400; n++) {
            int k = 1_000 + random.nextInt(Integer.MAX_VALUE - 1_000);
            double start = 0;
            double length = 1;
            double peak = 0.1;
            while (k >= start + length) {
                start += length;
                length *= 1.001;
                peak *= 0.9999;
            }
            if (k - start < 1e-3 * length || start + length - k < 1e-3 * length) {
                continue; // too close to a boundary for a loop that accumulates rounding errors
            }
            double expected = peak * (1 + Math.cos(Math.PI * (k - start) / length)) / 2;
            assertThat(iteration(s, k)).as("step %s", k).isCloseTo(expected, within(1e-6 * 0.1));
            checked++;
        }
        assertThat(checked).isGreaterThan(300);
    }

    @Test
    void restartsStayFiniteAndBoundedForHugeSteps() {
        ISchedule s = new CosineRestartsSchedule(ITERATION, 0.1, 10, 2.0, 0.001);
        for (int k : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 1, 1 << 30, (1 << 30) - 10}) {
            assertThat(iteration(s, k)).isBetween(0.001, 0.1);
        }
    }

    @Test
    void milestonesMatchCountingInALoop() {
        int[] milestones = {40, 5, 17, 17, 90, 0};
        ISchedule s = new MilestoneStepSchedule(ITERATION, 2.0, 0.7, milestones);
        for (int k = 0; k < 120; k++) {
            int count = 0;
            for (int m : milestones) {
                if (m <= k) {
                    count++;
                }
            }
            assertThat(iteration(s, k)).isCloseTo(2.0 * Math.pow(0.7, count), within(EPS));
        }
    }

    @Test
    void decaysNeverIncreaseAndStayWithinTheirRange() {
        List<ISchedule> decays = List.of(
                new MilestoneStepSchedule(ITERATION, 0.1, 0.5, 10, 20, 20, 35),
                new LinearSchedule(ITERATION, 0.1, 1.0, 0.05, 37),
                new PolynomialDecaySchedule(ITERATION, 0.1, 0.002, 0.5, 41),
                new PolynomialDecaySchedule(ITERATION, 0.1, 0.002, 3.0, 41),
                new CosineDecaySchedule(ITERATION, 0.1, 43, 0.002),
                new SequentialSchedule(ITERATION, List.of(new CosineDecaySchedule(ITERATION, 0.1, 20, 0.01),
                        new LinearSchedule(ITERATION, 0.01, 1.0, 0.2, 10)), 20));
        for (ISchedule s : decays) {
            double previous = Double.POSITIVE_INFINITY;
            for (int k = 0; k < 200; k++) {
                double v = iteration(s, k);
                assertThat(v).as("%s at %s", s, k).isLessThanOrEqualTo(previous).isBetween(0.0, 0.1 + EPS);
                previous = v;
            }
        }
    }

    @Test
    void warmupCosineRisesToThePeakThenFallsToTheMinimumWithoutJumps() {
        ISchedule s = new WarmupCosineSchedule(ITERATION, 0.3, 50, 1000, 0.003, 0.0);
        double previous = -1;
        for (int k = 0; k <= 50; k++) {
            assertThat(iteration(s, k)).isGreaterThan(previous);
            previous = iteration(s, k);
        }
        assertThat(previous).isEqualTo(0.3);
        for (int k = 51; k <= 1200; k++) {
            double v = iteration(s, k);
            assertThat(v).isLessThanOrEqualTo(previous).isGreaterThanOrEqualTo(0.003);
            // continuity: no step moves more than one warmup increment (0.3 / 50)
            assertThat(previous - v).isLessThanOrEqualTo(0.3 / 50);
            previous = v;
        }
        assertThat(previous).isEqualTo(0.003);
    }

    @Test
    void oneCycleStaysBetweenItsExtremesAndPeaksAtTheEndOfTheRise() {
        for (Anneal anneal : Anneal.values()) {
            for (boolean threePhase : new boolean[] {false, true}) {
                ISchedule lr = new OneCycleSchedule(ITERATION, 0.5, 200, 0.25, 20, 100, anneal, threePhase);
                ISchedule momentum = OneCycleSchedule.momentum(ITERATION, 200, 0.25, 0.85, 0.95, anneal, threePhase);
                for (int k = 0; k < 300; k++) {
                    assertThat(iteration(lr, k)).isBetween(0.5 / 20 / 100 - EPS, 0.5 + EPS);
                    assertThat(iteration(momentum, k)).isBetween(0.85 - EPS, 0.95 + EPS);
                }
                assertThat(iteration(lr, 49)).isCloseTo(0.5, within(EPS));
                assertThat(iteration(momentum, 49)).isCloseTo(0.85, within(EPS));
                assertThat(iteration(lr, 199)).isCloseTo(0.5 / 20 / 100, within(EPS));
                assertThat(iteration(momentum, 199)).isCloseTo(0.95, within(EPS));
            }
        }
    }

    @Test
    void cyclicTriangular2HalvesTheAmplitudeEachCycle() {
        ISchedule s = new CyclicSchedule(EPOCH, 0.0, 1.0, 4, 4, Mode.TRIANGULAR2, 1.0);
        assertThat(epoch(s, 4)).isCloseTo(1.0, within(EPS));
        assertThat(epoch(s, 12)).isCloseTo(0.5, within(EPS));
        assertThat(epoch(s, 20)).isCloseTo(0.25, within(EPS));
        assertThat(epoch(s, 8)).isCloseTo(0.0, within(EPS));
    }

    @Test
    void negativeStepsCountAsStepZero() {
        for (ScheduleCatalog.Entry e : ScheduleCatalog.all()) {
            assertThat(e.sample.valueAt(-5, -5)).as(e.toString()).isEqualTo(e.sample.valueAt(0, 0));
        }
    }

    @Test
    void sequenceGivesEachChildLocalTimeInItsOwnCounterAndPassesTheOtherOn() {
        ISchedule second = new LinearSchedule(EPOCH, 1.0, 1.0, 0.0, 10);
        ISchedule sequence = new SequentialSchedule(EPOCH, List.of(new FixedSchedule(5.0), second), 3);
        assertThat(sequence.valueAt(999, 2)).isEqualTo(5.0);
        assertThat(sequence.valueAt(999, 3)).isEqualTo(1.0);
        assertThat(sequence.valueAt(999, 8)).isCloseTo(0.5, within(EPS));
        assertThat(sequence.valueAt(999, 13)).isEqualTo(0.0);
        ISchedule iterationSequence = new SequentialSchedule(ITERATION,
                List.of(new FixedSchedule(5.0), new LinearSchedule(ITERATION, 1.0, 1.0, 0.0, 10), new FixedSchedule(7.0)),
                3, 13);
        assertThat(iterationSequence.valueAt(8, 999)).isCloseTo(0.5, within(EPS));
        assertThat(iterationSequence.valueAt(13, 999)).isEqualTo(7.0);
    }

    @Test
    void warmupCanWrapAnySchedule() {
        ISchedule milestones = new MilestoneStepSchedule(ITERATION, 0.1, 0.1, 100);
        ISchedule warm = new WarmupSchedule(ITERATION, milestones, 10, 0.0);
        assertThat(iteration(warm, 0)).isEqualTo(0.0);
        assertThat(iteration(warm, 5)).isCloseTo(0.05, within(EPS));
        assertThat(iteration(warm, 10)).isEqualTo(0.1);
        assertThat(iteration(warm, 109)).isEqualTo(0.1);
        assertThat(iteration(warm, 110)).isCloseTo(0.01, within(EPS));
        assertThat(new WarmupSchedule(ITERATION, milestones, 0, 0.0).valueAt(50, 0)).isEqualTo(milestones.valueAt(50, 0));
    }

    @Test
    void scalingAScaledScheduleMultipliesTheScales() {
        ScaledSchedule once = new ScaledSchedule(new FixedSchedule(0.2), 0.5);
        ScaledSchedule twice = new ScaledSchedule(once, 0.5);
        assertThat(twice.getSchedule()).isEqualTo(new FixedSchedule(0.2));
        assertThat(twice.getScale()).isEqualTo(0.25);
        assertThat(iteration(twice, 3)).isCloseTo(0.05, within(EPS));
        assertThat(once.withScale(0.1).getScale()).isEqualTo(0.1);
    }
}
