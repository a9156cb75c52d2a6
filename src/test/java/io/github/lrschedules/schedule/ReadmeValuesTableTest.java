package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import io.github.lrschedules.schedule.CyclicSchedule.Mode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The README's table of values is computed by the schedules it names: this test holds each row's code and
 * schedule, and fails with the row as it should read when the README and the code disagree.
 */
class ReadmeValuesTableTest {

    private static final int[] STEPS = {0, 5, 10, 25, 50, 75, 90, 99, 120};

    /** The rows of the table: the code shown (with {@code t} for the type) and the schedule it builds. */
    static Map<String, ISchedule> rows() {
        ScheduleType t = ITERATION;
        Map<String, ISchedule> rows = new LinkedHashMap<>();
        rows.put("MilestoneStepSchedule.atFractions(t, 0.1, 0.1, 100, 0.5, 0.75)",
                MilestoneStepSchedule.atFractions(t, 0.1, 0.1, 100, 0.5, 0.75));
        rows.put("LinearSchedule.decay(t, 0.1, 0.0, 100)", LinearSchedule.decay(t, 0.1, 0.0, 100));
        rows.put("PolynomialDecaySchedule.builder(t, 0.1, 100).power(2.0).build()",
                PolynomialDecaySchedule.builder(t, 0.1, 100).power(2.0).build());
        rows.put("CosineDecaySchedule.builder(t, 0.1, 100).build()", CosineDecaySchedule.builder(t, 0.1, 100).build());
        rows.put("CosineDecaySchedule.builder(t, 0.1, 100).kDecay(2.0).build()",
                CosineDecaySchedule.builder(t, 0.1, 100).kDecay(2.0).build());
        rows.put("WarmupCosineSchedule.builder(t, 0.1, 100).warmupSteps(10).build()",
                WarmupCosineSchedule.builder(t, 0.1, 100).warmupSteps(10).build());
        rows.put("CosineRestartsSchedule.builder(t, 0.1, 10).cycleMultiplier(2.0).build()",
                CosineRestartsSchedule.builder(t, 0.1, 10).cycleMultiplier(2.0).build());
        rows.put("CosineRestartsSchedule.builder(t, 0.1, 10).cycleMultiplier(2.0).cycleLimit(3).build()",
                CosineRestartsSchedule.builder(t, 0.1, 10).cycleMultiplier(2.0).cycleLimit(3).build());
        rows.put("OneCycleSchedule.builder(t, 0.1, 100).pctStart(0.25).build()",
                OneCycleSchedule.builder(t, 0.1, 100).pctStart(0.25).build());
        rows.put("OneCycleSchedule.builder(t, 0.1, 100).pctStart(0.25).buildMomentum()",
                OneCycleSchedule.builder(t, 0.1, 100).pctStart(0.25).buildMomentum());
        rows.put("CyclicSchedule.builder(t, 0.001, 0.1, 10).mode(TRIANGULAR2).build()",
                CyclicSchedule.builder(t, 0.001, 0.1, 10).mode(Mode.TRIANGULAR2).build());
        rows.put("WarmupStableDecaySchedule.builder(t, 0.1, 100).warmupSteps(10).build()",
                WarmupStableDecaySchedule.builder(t, 0.1, 100).warmupSteps(10).build());
        rows.put("WarmupStableDecaySchedule.builder(t, 0.1, 100).warmupSteps(10).decay(LINEAR).build()",
                WarmupStableDecaySchedule.builder(t, 0.1, 100).warmupSteps(10)
                        .decay(WarmupStableDecaySchedule.Decay.LINEAR).build());
        rows.put("WarmupStableDecaySchedule.builder(t, 0.1, 100).warmupSteps(10).decay(COSINE).build()",
                WarmupStableDecaySchedule.builder(t, 0.1, 100).warmupSteps(10)
                        .decay(WarmupStableDecaySchedule.Decay.COSINE).build());
        rows.put("new InverseSqrtSchedule(t, 0.1, 10, 10)", new InverseSqrtSchedule(t, 0.1, 10, 10));
        rows.put("new PiecewiseConstantSchedule(t, new int[] {30, 60, 90}, new double[] {0.1, 0.05, 0.01, 0.001})",
                new PiecewiseConstantSchedule(t, new int[] {30, 60, 90}, new double[] {0.1, 0.05, 0.01, 0.001}));
        rows.put("new WarmupSchedule(t, new MilestoneStepSchedule(t, 0.1, 0.1, 50), 10, 0.0)",
                new WarmupSchedule(t, new MilestoneStepSchedule(t, 0.1, 0.1, 50), 10, 0.0));
        rows.put("new ScaledSchedule(CosineDecaySchedule.builder(t, 0.1, 100).build(), 0.5)",
                new ScaledSchedule(CosineDecaySchedule.builder(t, 0.1, 100).build(), 0.5));
        rows.put("CosineDecaySchedule.builder(t, 0.1, 100).exponent(2.0).build()",
                CosineDecaySchedule.builder(t, 0.1, 100).exponent(2.0).build());
        rows.put("TanhSchedule.builder(t, 0.1, 100).build()", TanhSchedule.builder(t, 0.1, 100).build());
        rows.put("TanhSchedule.builder(t, 0.1, 25).cycleDecay(0.5).cycleLimit(0).build()",
                TanhSchedule.builder(t, 0.1, 25).cycleDecay(0.5).cycleLimit(0).build());
        rows.put("new PiecewiseInterpolateSchedule(t, COSINE, 0.1, new int[] {10, 50, 90}, new double[] {2.0, 0.5, 0.1})",
                new PiecewiseInterpolateSchedule(t, PiecewiseInterpolateSchedule.Interpolation.COSINE, 0.1,
                        new int[] {10, 50, 90}, new double[] {2.0, 0.5, 0.1}));
        rows.put("WarmupStableDecaySchedule.builder(t, 0.1, 100).warmupSteps(10).decaySteps(20).decay(COSINE).minLrRatio(0.1).build()",
                WarmupStableDecaySchedule.builder(t, 0.1, 100).warmupSteps(10).decaySteps(20)
                        .decay(WarmupStableDecaySchedule.Decay.COSINE).minLrRatio(0.1).build());
        rows.put("new WarmupSchedule(t, new FixedSchedule(0.1), 10, 0.0, Ramp.LOG)",
                new WarmupSchedule(t, new FixedSchedule(0.1), 10, 0.0, WarmupSchedule.Ramp.LOG));
        rows.put("new ProductSchedule(List.of(CosineDecaySchedule.builder(t, 0.1, 100).build(), new MilestoneStepSchedule(t, 1.0, 0.5, 50)))",
                new ProductSchedule(List.of(CosineDecaySchedule.builder(t, 0.1, 100).build(),
                        new MilestoneStepSchedule(t, 1.0, 0.5, 50))));
        return rows;
    }

    /** Four significant digits; below 1e-3 in scientific notation. */
    static String format(double v) {
        if (v == 0) {
            return "0.000";
        }
        if (Math.abs(v) < 1e-3) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        return new BigDecimal(v).round(new MathContext(4)).toPlainString();
    }

    static String row(String code, ISchedule schedule) {
        StringBuilder row = new StringBuilder("| `" + code + "` |");
        for (int k : STEPS) {
            row.append(' ').append(format(schedule.valueAt(k, 0))).append(" |");
        }
        return row.toString();
    }

    @Test
    void everyRowOfTheReadmeTableIsWhatTheCodeComputes() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder("| step k |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int k : STEPS) {
            header.append(' ').append(k).append(" |");
            rule.append("---:|");
        }
        StringBuilder table = new StringBuilder(header + "\n" + rule + "\n");
        rows().forEach((code, schedule) -> table.append(row(code, schedule)).append('\n'));
        // The table as it should read, for pasting into the README.
        Files.writeString(Path.of("target", "readme-values-table.md"), table, StandardCharsets.UTF_8);
        assertThat(readme).contains(header + "\n" + rule + "\n");
        for (Map.Entry<String, ISchedule> e : rows().entrySet()) {
            assertThat(readme).as("README row for %s", e.getKey()).contains(row(e.getKey(), e.getValue()) + "\n");
        }
    }
}
