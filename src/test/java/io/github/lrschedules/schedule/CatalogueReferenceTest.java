package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import io.github.lrschedules.schedule.PiecewiseInterpolateSchedule.Interpolation;
import io.github.lrschedules.schedule.WarmupSchedule.Ramp;
import io.github.lrschedules.schedule.WarmupStableDecaySchedule.Decay;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The schedules and options added after 1.0 against the current releases of their references
 * ({@code scripts/catalogue_reference.py}: torch 2.13 {@code ChainedScheduler}, timm 1.0 {@code TanhLRScheduler},
 * transformers 5.18 {@code get_wsd_schedule}, DeepSpeed's log warmup transcribed; {@code scripts/optax_reference.py}:
 * optax 0.2.8 in float64), files under {@code src/test/resources/io/github/lrschedules/schedule/reference}. Every
 * reference computes in float64: relative error at most 1e-9 at every step, before, at and past every boundary and
 * horizon, built once with ITERATION and once with EPOCH.
 */
class CatalogueReferenceTest {

    private static final double REL_TOL = 1e-9;
    private static final String DIR = "/io/github/lrschedules/schedule/reference/";

    /** Steps and values of a reference CSV ({@code step,lr}). */
    static double[][] load(String file) {
        try (InputStream in = CatalogueReferenceTest.class.getResourceAsStream(DIR + file)) {
            assertThat(in).as(DIR + file).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            assertThat(reader.readLine()).isEqualTo("step,lr");
            List<double[]> rows = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] cells = line.split(",");
                rows.add(new double[] {Double.parseDouble(cells[0]), Double.parseDouble(cells[1])});
            }
            return rows.toArray(new double[0][]);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Arguments reference(String file, Function<ScheduleType, ISchedule> factory) {
        return Arguments.of(file, factory);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                reference("product_linear_exponential.csv", t -> new ProductSchedule(List.of(
                        new LinearSchedule(t, 0.1, 0.5, 1.0, 4), new ExponentialSchedule(t, 1.0, 0.9)))),
                reference("product_three.csv", t -> new ProductSchedule(List.of(
                        new LinearSchedule(t, 0.2, 0.25, 1.0, 6), new ExponentialSchedule(t, 1.0, 0.95),
                        new MilestoneStepSchedule(t, 1.0, 0.5, 5, 12)))),
                reference("tanh_basic.csv", t -> TanhSchedule.builder(t, 0.1, 20).minValue(0.001).build()),
                reference("tanh_warmup.csv", t -> TanhSchedule.builder(t, 0.1, 20).minValue(0.001).warmupSteps(5)
                        .warmupStartValue(0.01).build()),
                reference("tanh_prefix_cycles.csv", t -> TanhSchedule.builder(t, 0.1, 6).lowerBound(-5).upperBound(4)
                        .minValue(0.002).cycleMultiplier(2.0).cycleDecay(0.5).cycleLimit(3).warmupSteps(4)
                        .warmupPrefix(true).build()),
                reference("tanh_cycles_iterations.csv", t -> TanhSchedule.builder(t, 0.05, 7).cycleDecay(0.8)
                        .cycleLimit(0).build()),
                reference("tanh_cycles_iterations.csv", t -> TanhSchedule.builder(t, 0.05, 7).cycleDecay(0.8)
                        .cycleLimit(1000).build()),
                reference("tanh_cycle_mul_fraction.csv", t -> TanhSchedule.builder(t, 0.1, 10).minValue(0.001)
                        .cycleMultiplier(1.5).cycleLimit(4).warmupSteps(3).warmupStartValue(0.02).build()),
                reference("wsd_hf_defaults.csv", t -> WarmupStableDecaySchedule.builder(t, 0.1, 40).warmupSteps(5)
                        .decaySteps(10).decay(Decay.COSINE).build()),
                reference("wsd_hf_cosine_warmup_sqrt_decay.csv", t -> WarmupStableDecaySchedule.builder(t, 0.1, 40)
                        .warmupSteps(8).decaySteps(12).warmupShape(Decay.COSINE).decay(Decay.ONE_MINUS_SQRT)
                        .minLrRatio(0.1).build()),
                reference("wsd_hf_sqrt_warmup_full_wave.csv", t -> WarmupStableDecaySchedule.builder(t, 0.3, 36)
                        .warmupSteps(10).decaySteps(16).warmupShape(Decay.ONE_MINUS_SQRT).decay(Decay.COSINE)
                        .minLrRatio(0.05).numCycles(1.0).build()),
                reference("wsd_hf_linear_no_warmup.csv", t -> WarmupStableDecaySchedule.builder(t, 0.02, 20)
                        .decaySteps(8).decay(Decay.LINEAR).minLrRatio(0.2).build()),
                reference("warmup_log.csv", t -> new WarmupSchedule(t, new FixedSchedule(0.1), 10, 0.001, Ramp.LOG)),
                reference("warmup_log_one_step.csv", t -> new WarmupSchedule(t, new FixedSchedule(0.05), 1, 0.0,
                        Ramp.LOG)),
                reference("warmup_log_decay.csv", t -> new WarmupSchedule(t,
                        new PolynomialDecaySchedule(t, 0.1, 0.001, 1.0, 20), 10, 0.001, Ramp.LOG)),
                reference("optax_cosine_exponent2.csv", t -> CosineDecaySchedule.builder(t, 0.1, 50).minValue(0.01 * 0.1)
                        .exponent(2.0).build()),
                reference("optax_cosine_exponent_half.csv", t -> CosineDecaySchedule.builder(t, 0.3, 17)
                        .exponent(0.5).build()),
                reference("optax_piecewise_linear.csv", t -> new PiecewiseInterpolateSchedule(t, Interpolation.LINEAR,
                        0.1, new int[] {5, 20, 30}, new double[] {2.0, 0.5, 0.1})),
                reference("optax_piecewise_cosine.csv", t -> new PiecewiseInterpolateSchedule(t, Interpolation.COSINE,
                        0.2, new int[] {0, 10, 11, 25}, new double[] {0.5, 4.0, 0.25, 0.0})));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void matchesTheReferenceAtEveryStep(String file, Function<ScheduleType, ISchedule> factory) {
        double[][] rows = load(file);
        assertThat(rows.length).isGreaterThan(5);
        ISchedule byIteration = factory.apply(ITERATION);
        ISchedule byEpoch = factory.apply(EPOCH);
        for (double[] row : rows) {
            int k = (int) row[0];
            double expected = row[1];
            // The other counter is set to a value that would give a wrong answer if it were read.
            assertClose(byIteration.valueAt(k, 7777), expected, file + " ITERATION step " + k);
            assertClose(byEpoch.valueAt(7777, k), expected, file + " EPOCH step " + k);
        }
    }

    static void assertClose(double actual, double expected, String what) {
        assertThat(Math.abs(actual - expected)).as("%s: %s vs reference %s", what, actual, expected)
                .isLessThanOrEqualTo(REL_TOL * Math.abs(expected) + 1e-18);
    }

    @Test
    void referenceFilesComeFromTheCurrentReleases() throws IOException {
        try (InputStream in = getClass().getResourceAsStream(DIR + "VERSION");
             InputStream optax = getClass().getResourceAsStream(DIR + "VERSION-optax")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .startsWith("torch 2.13").contains("timm 1.0").contains("transformers 5.18");
            assertThat(new String(optax.readAllBytes(), StandardCharsets.UTF_8)).startsWith("optax 0.2.8")
                    .contains("float64");
        }
    }
}
