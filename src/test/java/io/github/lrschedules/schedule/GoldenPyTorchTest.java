package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import io.github.lrschedules.schedule.CyclicSchedule.Mode;
import io.github.lrschedules.schedule.OneCycleSchedule.Anneal;
import io.github.lrschedules.schedule.WarmupStableDecaySchedule.Decay;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Every schedule against values computed by real PyTorch ({@code scripts/pytorch_reference.py}, files under
 * {@code src/test/resources/io/github/lrschedules/golden}): relative error at most 1e-9 at every step, built once
 * with {@code ITERATION} and once with {@code EPOCH} so that each reads the right counter.
 */
class GoldenPyTorchTest {

    private static final double REL_TOL = 1e-9;

    /** A golden CSV: the header and one row of doubles per line. */
    static final class Golden {
        final List<String> header;
        final double[][] rows;

        Golden(List<String> header, double[][] rows) {
            this.header = header;
            this.rows = rows;
        }

        double[] column(String name) {
            int c = header.indexOf(name);
            assertThat(c).as("column %s in %s", name, header).isNotNegative();
            return Arrays.stream(rows).mapToDouble(r -> r[c]).toArray();
        }
    }

    static Golden load(String file) {
        String resource = "/io/github/lrschedules/golden/" + file;
        try (InputStream in = GoldenPyTorchTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> header = Arrays.asList(reader.readLine().split(","));
            List<double[]> rows = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    rows.add(Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray());
                }
            }
            return new Golden(header, rows.toArray(new double[0][]));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void assertCloseRelative(double actual, double expected, String what) {
        assertThat(Math.abs(actual - expected)).as("%s: %s vs PyTorch %s", what, actual, expected)
                .isLessThanOrEqualTo(REL_TOL * Math.abs(expected) + 1e-18);
    }

    static Arguments golden(String file, String column, Function<ScheduleType, ISchedule> factory) {
        return Arguments.of(file, column, factory);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                golden("multistep.csv", "lr", t -> new MilestoneStepSchedule(t, 0.1, 0.1, 60, 90)),
                golden("multistep.csv", "lr", t -> MilestoneStepSchedule.atFractions(t, 0.1, 0.1, 120, 0.5, 0.75)),
                golden("multistep_repeated.csv", "lr", t -> new MilestoneStepSchedule(t, 1.0, 0.5, 3, 3, 7)),
                golden("multistep_repeated.csv", "lr", t -> new MilestoneStepSchedule(t, 1.0, 0.5, 7, 3, 3)),
                golden("linear_decay.csv", "lr", t -> new LinearSchedule(t, 0.1, 1.0, 0.3, 7)),
                golden("linear_warmup.csv", "lr", t -> new LinearSchedule(t, 0.05, 0.25, 1.0, 5)),
                golden("cosine.csv", "lr", t -> new CosineDecaySchedule(t, 0.1, 50, 0.001)),
                golden("cosine.csv", "lr", t -> new WarmupCosineSchedule(t, 0.1, 0, 50, 0.001, 0.0)),
                golden("warmup_cosine.csv", "lr", t -> new WarmupCosineSchedule(t, 0.1, 5, 30, 0.001, 0.01)),
                golden("warmup_cosine.csv", "lr", t -> new WarmupSchedule(t, new CosineDecaySchedule(t, 0.1, 25, 0.001), 5, 0.01)),
                golden("warmup_cosine.csv", "lr", t -> new SequentialSchedule(t,
                        List.of(new LinearSchedule(t, 0.1, 0.1, 1.0, 5), new CosineDecaySchedule(t, 0.1, 25, 0.001)), 5)),
                golden("cosine_restarts_mult2.csv", "lr", t -> new CosineRestartsSchedule(t, 0.1, 10, 2.0, 0.001)),
                golden("cosine_restarts_mult1.csv", "lr", t -> new CosineRestartsSchedule(t, 0.1, 7, 1.0, 0.0)),
                golden("onecycle_cos.csv", "lr", t -> new OneCycleSchedule(t, 0.1, 100, 0.3, 25, 1e4, Anneal.COS, false)),
                golden("onecycle_cos.csv", "momentum", t -> OneCycleSchedule.momentum(t, 100, 0.3, 0.85, 0.95, Anneal.COS, false)),
                golden("onecycle_linear.csv", "lr", t -> new OneCycleSchedule(t, 0.1, 100, 0.3, 25, 1e4, Anneal.LINEAR, false)),
                golden("onecycle_linear.csv", "momentum", t -> OneCycleSchedule.momentum(t, 100, 0.3, 0.85, 0.95, Anneal.LINEAR, false)),
                golden("onecycle_cos_three_phase.csv", "lr", t -> new OneCycleSchedule(t, 0.1, 100, 0.3, 25, 1e4, Anneal.COS, true)),
                golden("onecycle_cos_three_phase.csv", "momentum", t -> OneCycleSchedule.momentum(t, 100, 0.3, 0.85, 0.95, Anneal.COS, true)),
                golden("onecycle_linear_three_phase.csv", "lr", t -> new OneCycleSchedule(t, 0.1, 50, 0.25, 25, 1e4, Anneal.LINEAR, true)),
                golden("onecycle_linear_three_phase.csv", "momentum", t -> OneCycleSchedule.momentum(t, 50, 0.25, 0.85, 0.95, Anneal.LINEAR, true)),
                golden("cyclic_triangular.csv", "lr", t -> new CyclicSchedule(t, 0.001, 0.1, 5, 3, Mode.TRIANGULAR, 1.0)),
                golden("cyclic_triangular2.csv", "lr", t -> new CyclicSchedule(t, 0.001, 0.1, 5, 3, Mode.TRIANGULAR2, 1.0)),
                golden("cyclic_exp_range.csv", "lr", t -> new CyclicSchedule(t, 0.001, 0.1, 5, 3, Mode.EXP_RANGE, 0.9)),
                golden("wsd_linear.csv", "lr", t -> new WarmupStableDecaySchedule(t, 0.1, 5, 40, 0.001, 0.01, 10, Decay.LINEAR)),
                golden("wsd_cosine.csv", "lr", t -> new WarmupStableDecaySchedule(t, 0.1, 5, 40, 0.001, 0.01, 10, Decay.COSINE)),
                golden("wsd_one_minus_sqrt.csv", "lr", t -> new WarmupStableDecaySchedule(t, 0.1, 5, 40, 0.001, 0.001, 10, Decay.ONE_MINUS_SQRT)),
                golden("wsd_one_minus_sqrt.csv", "lr", t -> WarmupStableDecaySchedule.builder(t, 0.1, 40).warmupSteps(5)
                        .decaySteps(10).minValue(0.001).warmupStartValue(0.001).build()),
                golden("wsd_linear.csv", "lr", t -> new WarmupStableDecaySchedule(t, 0.1, 5, 60, 0.001, 0.01, 10, Decay.LINEAR)
                        .coolDownFrom(30, 10)),
                golden("inverse_sqrt.csv", "lr", t -> new InverseSqrtSchedule(t, 0.1, 10, 10)),
                golden("inverse_sqrt.csv", "lr", t -> InverseSqrtSchedule.builder(t, 0.1, 10).build()),
                golden("inverse_sqrt_timescale.csv", "lr", t -> new InverseSqrtSchedule(t, 0.1, 8, 20)),
                golden("piecewise_constant.csv", "lr", t -> new PiecewiseConstantSchedule(t, new int[] {3, 10, 25},
                        new double[] {0.1, 0.05, 0.01, 0.001})));
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("cases")
    void matchesPyTorchAtEveryStep(String file, String column, Function<ScheduleType, ISchedule> factory) {
        Golden golden = load(file);
        double[] steps = golden.column("step");
        double[] expected = golden.column(column);
        assertThat(expected.length).isGreaterThan(5);
        ISchedule byIteration = factory.apply(ITERATION);
        ISchedule byEpoch = factory.apply(EPOCH);
        for (int r = 0; r < expected.length; r++) {
            int k = (int) steps[r];
            // The other counter is set to a value that would give a wrong answer if it were read.
            assertCloseRelative(byIteration.valueAt(k, 7777), expected[r], file + " ITERATION step " + k);
            assertCloseRelative(byEpoch.valueAt(7777, k), expected[r], file + " EPOCH step " + k);
        }
    }

    @Test
    void goldenFilesComeFromPyTorch() {
        try (InputStream in = GoldenPyTorchTest.class.getResourceAsStream("/io/github/lrschedules/golden/VERSION")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).startsWith("torch 1.");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void pastTheHorizonTheFinalValueIsHeldWherePyTorchSwingsBackOrThrows() {
        double[] cosine = load("cosine.csv").column("lr");
        ISchedule cos = new CosineDecaySchedule(ITERATION, 0.1, 50, 0.001);
        for (int k = 50; k < 500; k += 7) {
            assertThat(cos.valueAt(k, 0)).isEqualTo(cosine[50]);
        }
        double[] oneCycle = load("onecycle_linear.csv").column("lr");
        ISchedule oc = new OneCycleSchedule(ITERATION, 0.1, 100, 0.3, 25, 1e4, Anneal.LINEAR, false);
        for (int k = 99; k < 1000; k += 13) {
            assertCloseRelative(oc.valueAt(k, 0), oneCycle[99], "one-cycle past the end at " + k);
            assertThat(oc.valueAt(k, 0)).isPositive();
        }
        ISchedule warmCos = new WarmupCosineSchedule(EPOCH, 0.1, 5, 30, 0.001, 0.01);
        assertThat(warmCos.valueAt(0, 30)).isEqualTo(0.001);
        assertThat(warmCos.valueAt(0, Integer.MAX_VALUE)).isEqualTo(0.001);
        ISchedule linear = new LinearSchedule(EPOCH, 0.1, 1.0, 0.3, 7);
        assertThat(linear.valueAt(0, 1_000_000)).isEqualTo(linear.valueAt(0, 7));
    }
}
