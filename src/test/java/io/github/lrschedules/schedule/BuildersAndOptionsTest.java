package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import io.github.lrschedules.schedule.CyclicSchedule.Mode;
import io.github.lrschedules.schedule.OneCycleSchedule.Anneal;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * The 1.0 API: builders with PyTorch's defaults, the absolute-value factories of {@code LinearSchedule}, timm's
 * {@code kDecay} and cycle limit, and composites that refuse children of the other {@code ScheduleType}.
 */
class BuildersAndOptionsTest {

    private static final double EPS = 1e-12;

    @Test
    void buildersWithoutSettersGivePyTorchsDefaults() {
        assertThat(OneCycleSchedule.builder(ITERATION, 0.1, 100).build())
                .isEqualTo(new OneCycleSchedule(ITERATION, 0.1, 100, 0.3, 25, 1e4, Anneal.COS, false));
        assertThat(OneCycleSchedule.builder(ITERATION, 0.1, 100).buildMomentum())
                .isEqualTo(OneCycleSchedule.momentum(ITERATION, 100, 0.3, 0.85, 0.95, Anneal.COS, false));
        assertThat(CyclicSchedule.builder(ITERATION, 0.001, 0.1, 2000).build())
                .isEqualTo(new CyclicSchedule(ITERATION, 0.001, 0.1, 2000, 2000, Mode.TRIANGULAR, 1.0));
        assertThat(WarmupCosineSchedule.builder(EPOCH, 0.1, 90).build())
                .isEqualTo(new WarmupCosineSchedule(EPOCH, 0.1, 0, 90, 0.0, 0.0));
        assertThat(CosineRestartsSchedule.builder(EPOCH, 0.1, 10).build())
                .isEqualTo(new CosineRestartsSchedule(EPOCH, 0.1, 10, 1.0, 0.0, 1.0));
        assertThat(CosineDecaySchedule.builder(EPOCH, 0.1, 90).build())
                .isEqualTo(new CosineDecaySchedule(EPOCH, 0.1, 90, 0.0));
        assertThat(PolynomialDecaySchedule.builder(EPOCH, 0.1, 5).build())
                .isEqualTo(new PolynomialDecaySchedule(EPOCH, 0.1, 0.0, 1.0, 5));
        assertThat(LinearSchedule.builder(EPOCH, 0.1, 5).build())
                .isEqualTo(new LinearSchedule(EPOCH, 0.1, 1.0 / 3, 1.0, 5));
    }

    @Test
    void everyBuilderSetterReachesTheSchedule() {
        assertThat(OneCycleSchedule.builder(EPOCH, 0.2, 50).pctStart(0.25).divFactor(10).finalDivFactor(100)
                .anneal(Anneal.LINEAR).threePhase(true).build())
                .isEqualTo(new OneCycleSchedule(EPOCH, 0.2, 50, 0.25, 10, 100, Anneal.LINEAR, true));
        assertThat(OneCycleSchedule.builder(EPOCH, 0.2, 50).pctStart(0.25).anneal(Anneal.LINEAR).threePhase(true)
                .baseMomentum(0.8).maxMomentum(0.9).buildMomentum())
                .isEqualTo(OneCycleSchedule.momentum(EPOCH, 50, 0.25, 0.8, 0.9, Anneal.LINEAR, true));
        assertThat(CyclicSchedule.builder(EPOCH, 0.01, 0.1, 4).stepDown(6).mode(Mode.EXP_RANGE).gamma(0.99).build())
                .isEqualTo(new CyclicSchedule(EPOCH, 0.01, 0.1, 4, 6, Mode.EXP_RANGE, 0.99));
        assertThat(WarmupCosineSchedule.builder(ITERATION, 1e-3, 20_000).warmupSteps(500).minValue(1e-5)
                .warmupStartValue(1e-4).kDecay(2).build())
                .isEqualTo(new WarmupCosineSchedule(ITERATION, 1e-3, 500, 20_000, 1e-5, 1e-4, 2));
        assertThat(CosineRestartsSchedule.builder(EPOCH, 0.1, 10).cycleMultiplier(2).minValue(1e-4).peakDecay(0.5)
                .kDecay(1.5).cycleLimit(3).build())
                .isEqualTo(new CosineRestartsSchedule(EPOCH, 0.1, 10, 2, 1e-4, 0.5, 1.5, 3));
        assertThat(PolynomialDecaySchedule.builder(EPOCH, 0.1, 5).minValue(0.01).power(2).build())
                .isEqualTo(new PolynomialDecaySchedule(EPOCH, 0.1, 0.01, 2.0, 5));
        assertThat(LinearSchedule.builder(EPOCH, 0.1, 5).startFactor(0.1).endFactor(0.5).build())
                .isEqualTo(new LinearSchedule(EPOCH, 0.1, 0.1, 0.5, 5));
    }

    @Test
    void buildValidatesWithTheConstructorsMessages() {
        assertThatThrownBy(() -> WarmupCosineSchedule.builder(ITERATION, 0.1, 30).warmupSteps(30).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("warmupSteps (30) must be < totalSteps (30)");
        assertThatThrownBy(() -> OneCycleSchedule.builder(ITERATION, 0.1, 100).pctStart(1.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pctStart (1.5) must be in (0, 1)");
        assertThatThrownBy(() -> CyclicSchedule.builder(ITERATION, 0.001, 0.1, 0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("stepUp (0) must be > 0");
        assertThatThrownBy(() -> CosineRestartsSchedule.builder(EPOCH, 0.1, 10).cycleLimit(-2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("cycleLimit (-2) must be >= 0");
    }

    @Test
    void javadocExamplesOfTheBuilders() {
        OneCycleSchedule lr = OneCycleSchedule.builder(ITERATION, 0.1, 100).build();
        OneCycleSchedule momentum = OneCycleSchedule.builder(ITERATION, 0.1, 100).buildMomentum();
        assertThat(new double[] {lr.valueAt(0, 0), lr.valueAt(29, 0), lr.valueAt(99, 0)})
                .containsExactly(new double[] {0.004, 0.1, 4e-7}, within(EPS));
        assertThat(new double[] {momentum.valueAt(0, 0), momentum.valueAt(29, 0), momentum.valueAt(99, 0)})
                .containsExactly(new double[] {0.95, 0.85, 0.95}, within(EPS));

        CyclicSchedule cyclic = CyclicSchedule.builder(ITERATION, 0.001, 0.1, 5).build();
        assertThat(new double[] {cyclic.valueAt(0, 0), cyclic.valueAt(5, 0), cyclic.valueAt(8, 0)})
                .containsExactly(new double[] {0.001, 0.1, 0.0406}, within(EPS));

        CosineDecaySchedule cosine = CosineDecaySchedule.builder(EPOCH, 0.1, 10).build();
        assertThat(new double[] {cosine.valueAt(0, 0), cosine.valueAt(0, 5), cosine.valueAt(0, 10), cosine.valueAt(0, 20)})
                .containsExactly(new double[] {0.1, 0.05, 0, 0}, within(EPS));
        assertThat(CosineDecaySchedule.builder(EPOCH, 0.1, 10).kDecay(2.0).build().valueAt(0, 5))
                .isCloseTo(0.08536, within(1e-5));

        CosineRestartsSchedule restarts = CosineRestartsSchedule.builder(EPOCH, 0.1, 10).cycleMultiplier(2.0).build();
        assertThat(new double[] {restarts.valueAt(0, 0), restarts.valueAt(0, 5), restarts.valueAt(0, 10),
                restarts.valueAt(0, 20), restarts.valueAt(0, 30)})
                .containsExactly(new double[] {0.1, 0.05, 0.1, 0.05, 0.1}, within(EPS));
        assertThat(CosineRestartsSchedule.builder(EPOCH, 0.1, 10).cycleMultiplier(2.0).cycleLimit(2).build()
                .valueAt(0, 30)).isEqualTo(0.0);

        WarmupCosineSchedule warm = WarmupCosineSchedule.builder(ITERATION, 0.1, 25).warmupSteps(5).build();
        assertThat(new double[] {warm.valueAt(0, 0), warm.valueAt(5, 0), warm.valueAt(15, 0), warm.valueAt(25, 0)})
                .containsExactly(new double[] {0, 0.1, 0.05, 0}, within(EPS));
    }

    @Test
    void linearDecayInAbsoluteValuesEqualsPolynomialOfPowerOne() {
        LinearSchedule linear = LinearSchedule.decay(ITERATION, 0.1, 0.002, 100);
        PolynomialDecaySchedule polynomial = new PolynomialDecaySchedule(ITERATION, 0.1, 0.002, 1.0, 100);
        for (int k = 0; k <= 150; k++) {
            assertThat(linear.valueAt(k, 0)).as("step %s", k).isCloseTo(polynomial.valueAt(k, 0), within(1e-15));
        }
        assertThat(linear.valueAt(100, 0)).isCloseTo(0.002, within(1e-15));

        LinearSchedule warmup = LinearSchedule.warmup(EPOCH, 0.01, 0.1, 9);
        assertThat(new double[] {warmup.valueAt(0, 0), warmup.valueAt(0, 3), warmup.valueAt(0, 9), warmup.valueAt(0, 50)})
                .containsExactly(new double[] {0.01, 0.04, 0.1, 0.1}, within(1e-15));
        assertThatThrownBy(() -> LinearSchedule.decay(ITERATION, 0.0, 0.0, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("initialValue (0.0) must not be 0");
    }

    /** timm's formula, {@code t^k / T^k} as timm writes it rather than the {@code (t / T)^k} of the class. */
    private static double timmCosine(double min, double max, double t, double period, double kDecay) {
        return min + 0.5 * (max - min) * (1 + Math.cos(Math.PI * Math.pow(t, kDecay) / Math.pow(period, kDecay)));
    }

    @Test
    void kDecayFollowsTimmsCosineInEveryCosineSchedule() {
        for (double kDecay : new double[] {0.5, 1.0, 2.0, 3.7}) {
            CosineDecaySchedule cosine = CosineDecaySchedule.builder(ITERATION, 0.1, 40).minValue(0.001)
                    .kDecay(kDecay).build();
            WarmupCosineSchedule warm = WarmupCosineSchedule.builder(ITERATION, 0.1, 50).warmupSteps(10)
                    .minValue(0.001).kDecay(kDecay).build();
            CosineRestartsSchedule restarts = CosineRestartsSchedule.builder(ITERATION, 0.1, 8).cycleMultiplier(2)
                    .minValue(0.001).kDecay(kDecay).build();
            for (int k = 0; k <= 60; k++) {
                double t = Math.min(k, 40);
                assertThat(cosine.valueAt(k, 0)).as("cosine k=%s kDecay=%s", k, kDecay)
                        .isCloseTo(timmCosine(0.001, 0.1, t, 40, kDecay), within(EPS));
                if (k >= 10) {
                    assertThat(warm.valueAt(k, 0)).as("warmup-cosine k=%s kDecay=%s", k, kDecay)
                            .isCloseTo(timmCosine(0.001, 0.1, Math.min(k - 10, 40), 40, kDecay), within(EPS));
                }
                int start = 0;
                int length = 8;
                while (k >= start + length) {
                    start += length;
                    length *= 2;
                }
                assertThat(restarts.valueAt(k, 0)).as("restarts k=%s kDecay=%s", k, kDecay)
                        .isCloseTo(timmCosine(0.001, 0.1, k - start, length, kDecay), within(EPS));
            }
        }
        // kDecay > 1 keeps the value near the peak longer: above the plain cosine everywhere inside the decay.
        CosineDecaySchedule plain = CosineDecaySchedule.builder(ITERATION, 0.1, 40).build();
        CosineDecaySchedule slow = CosineDecaySchedule.builder(ITERATION, 0.1, 40).kDecay(2).build();
        for (int k = 1; k < 40; k++) {
            assertThat(slow.valueAt(k, 0)).isGreaterThan(plain.valueAt(k, 0));
        }
    }

    @Test
    void cycleLimitHoldsTheMinimumAfterTheLastCycle() {
        CosineRestartsSchedule limited = CosineRestartsSchedule.builder(ITERATION, 0.1, 10).cycleMultiplier(2)
                .minValue(0.001).cycleLimit(2).build();
        CosineRestartsSchedule unlimited = CosineRestartsSchedule.builder(ITERATION, 0.1, 10).cycleMultiplier(2)
                .minValue(0.001).build();
        for (int k = 0; k < 30; k++) {
            assertThat(limited.valueAt(k, 0)).as("step %s", k).isEqualTo(unlimited.valueAt(k, 0));
        }
        for (int k = 30; k < 1000; k += 7) {
            assertThat(limited.valueAt(k, 0)).as("step %s", k).isEqualTo(0.001);
        }
        // Equal-length cycles take the other code path.
        CosineRestartsSchedule equal = CosineRestartsSchedule.builder(EPOCH, 0.1, 10).cycleLimit(1).build();
        assertThat(equal.valueAt(0, 9)).isGreaterThan(0.0);
        assertThat(equal.valueAt(0, 10)).isEqualTo(0.0);
        assertThat(equal.valueAt(0, 10_000)).isEqualTo(0.0);
    }

    @Test
    void jsonUsesTheOneVocabulary() throws Exception {
        String oneCycle = NeuralNetConfiguration.mapper().writeValueAsString(OneCycleSchedule.builder(ITERATION, 0.1, 100).build());
        assertThat(oneCycle).contains("\"warmupStartValue\"", "\"peakValue\"", "\"minValue\"")
                .doesNotContain("initialValue", "finalValue", "maxValue");
        String cyclic = NeuralNetConfiguration.mapper().writeValueAsString(CyclicSchedule.builder(ITERATION, 0.001, 0.1, 5).build());
        assertThat(cyclic).contains("\"minValue\"", "\"peakValue\"").doesNotContain("baseValue", "maxValue");
        String polynomial = NeuralNetConfiguration.mapper().writeValueAsString(PolynomialDecaySchedule.builder(ITERATION, 0.1, 5).build());
        assertThat(polynomial).contains("\"initialValue\"", "\"minValue\"").doesNotContain("endValue");
        String cosine = NeuralNetConfiguration.mapper().writeValueAsString(CosineDecaySchedule.builder(ITERATION, 0.1, 5).build());
        assertThat(cosine).contains("\"kDecay\"").doesNotContain("kdecay");
    }

    @Test
    void compositesRefuseChildrenOfTheOtherScheduleType() {
        ISchedule epochCosine = new CosineDecaySchedule(EPOCH, 0.1, 10, 0.0);
        assertThatThrownBy(() -> new WarmupSchedule(ITERATION, epochCosine, 5, 0.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schedule (CosineDecaySchedule with scheduleType EPOCH)")
                .hasMessageContaining("(ITERATION)");
        // DL4J's own schedules report their type too, also behind a ScaledSchedule.
        ISchedule dl4jStep = new StepSchedule(ScheduleType.EPOCH, 0.1, 0.5, 10);
        assertThatThrownBy(() -> new SequentialSchedule(ITERATION,
                List.of(new LinearSchedule(ITERATION, 0.1, 0.1, 1.0, 5), dl4jStep), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schedules[1] (StepSchedule");
        assertThatThrownBy(() -> new WarmupSchedule(ITERATION, new ScaledSchedule(epochCosine, 0.5), 5, 0.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheduleType EPOCH");
        // Children of the same type, and schedules that report no type (DL4J's FixedSchedule, a user's lambda-like
        // class), are accepted.
        ISchedule usersOwn = new ISchedule() {
            @Override
            public double valueAt(int iteration, int epoch) {
                return 0.01 * (epoch + 1);
            }

            @Override
            public ISchedule clone() {
                return this;
            }
        };
        SequentialSchedule mixed = new SequentialSchedule(EPOCH,
                List.of(new FixedSchedule(0.1), usersOwn, epochCosine, dl4jStep), 2, 4, 6);
        assertThat(mixed.valueAt(0, 0)).isEqualTo(0.1);
        assertThat(mixed.valueAt(0, 3)).isCloseTo(0.02, within(EPS));
        assertThat(new WarmupSchedule(EPOCH, epochCosine, 2, 0.0).valueAt(0, 2)).isEqualTo(0.1);
    }
}
