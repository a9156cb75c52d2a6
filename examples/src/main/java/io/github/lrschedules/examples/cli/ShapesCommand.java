package io.github.lrschedules.examples.cli;

import io.github.lrschedules.schedule.CosineDecayRestartsSchedule;
import io.github.lrschedules.schedule.CosineDecaySchedule;
import io.github.lrschedules.schedule.LinearSchedule;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.PiecewiseInterpolateSchedule;
import io.github.lrschedules.schedule.ProductSchedule;
import io.github.lrschedules.schedule.TanhSchedule;
import io.github.lrschedules.schedule.WarmupSchedule;
import java.util.List;
import io.github.lrschedules.examples.report.Charts;
import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.schedule.CosineDecaySchedule;
import io.github.lrschedules.schedule.InverseSqrtSchedule;
import io.github.lrschedules.schedule.PiecewiseConstantSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.schedule.WarmupStableDecaySchedule;
import io.github.lrschedules.schedule.WarmupStableDecaySchedule.Decay;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code examples/run shapes}: the values of the schedules of current practice over one horizon, as CSV and PNG. */
@Command(name = "shapes", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draws what the schedules of current practice do over one horizon, before any training:"
                + " warmup-stable-decay with its three cool-downs, a cool-down branched from the stable phase,"
                + " inverse square root, piecewise constant, and warmup-cosine (plain and with timm's kDecay 2) for"
                + " comparison. Writes shapes.csv (step and each schedule's value) and shapes.png into --out, and the"
                + " same for the schedules the anchors added since (timm's tanh, optax's cosine exponent and piecewise"
                + " interpolation, DeepSpeed's log warmup, Hugging Face's WSD options, Keras' cosine restarts, a"
                + " product): shapes-new.csv, shapes-new.png.", ""},
        footer = {"", "Example: examples/run shapes --steps 1000 --out docs"})
public final class ShapesCommand implements Callable<Integer> {

    public static final String CSV = "shapes.csv";
    public static final String PNG = "shapes.png";
    public static final String NEW_CSV = "shapes-new.csv";
    public static final String NEW_PNG = "shapes-new.png";

    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "1000", paramLabel = "N",
            description = "The horizon in steps (>= 20). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--peak", defaultValue = "0.1", paramLabel = "X",
            description = "The peak learning rate of every schedule. Default: ${DEFAULT-VALUE}.")
    double peak;

    @Option(names = "--out", defaultValue = ".", paramLabel = "DIR",
            description = "Where shapes.csv and shapes.png go. Default: the working directory.")
    Path out;

    /** The schedules drawn, by label, for a horizon of {@code steps} and a peak of {@code peak}. */
    public static Map<String, ISchedule> schedules(int steps, double peak) {
        ScheduleType t = ScheduleType.ITERATION;
        int warmup = steps / 20;
        Map<String, ISchedule> shapes = new LinkedHashMap<>();
        WarmupStableDecaySchedule wsd = WarmupStableDecaySchedule.builder(t, peak, steps).warmupSteps(warmup).build();
        shapes.put("WSD, 1-sqrt cool-down (last 20%)", wsd);
        shapes.put("WSD, linear cool-down", WarmupStableDecaySchedule.builder(t, peak, steps).warmupSteps(warmup)
                .decay(Decay.LINEAR).build());
        shapes.put("WSD, cosine cool-down", WarmupStableDecaySchedule.builder(t, peak, steps).warmupSteps(warmup)
                .decay(Decay.COSINE).build());
        shapes.put("WSD branched: cool-down from 50%", wsd.coolDownFrom(steps / 2, steps / 10));
        shapes.put("inverse square root", new InverseSqrtSchedule(t, peak, warmup, warmup));
        shapes.put("piecewise constant", new PiecewiseConstantSchedule(t,
                new int[] {steps / 2, steps * 3 / 4}, new double[] {peak, peak / 10, peak / 100}));
        shapes.put("warmup-cosine", WarmupCosineSchedule.builder(t, peak, steps).warmupSteps(warmup).build());
        shapes.put("warmup-cosine, kDecay 2", WarmupCosineSchedule.builder(t, peak, steps).warmupSteps(warmup)
                .kDecay(2.0).build());
        return shapes;
    }

    /** The schedules added since 1.0, by label, drawn the same way ({@code shapes-new.png}). */
    public static Map<String, ISchedule> newSchedules(int steps, double peak) {
        ScheduleType t = ScheduleType.ITERATION;
        int warmup = steps / 20;
        Map<String, ISchedule> shapes = new LinkedHashMap<>();
        shapes.put("tanh (timm), lb -7, ub 3", TanhSchedule.builder(t, peak, steps).warmupSteps(warmup)
                .warmupStartValue(peak / 100).build());
        shapes.put("cosine, exponent 2 (optax)", CosineDecaySchedule.builder(t, peak, steps).exponent(2.0).build());
        shapes.put("piecewise interpolate, cosine (optax)", new PiecewiseInterpolateSchedule(t,
                PiecewiseInterpolateSchedule.Interpolation.COSINE, peak, new int[] {steps / 4, steps / 2, steps * 3 / 4},
                new double[] {0.5, 0.5, 0.2}));
        shapes.put("log warmup (DeepSpeed) + cosine", new WarmupSchedule(t, CosineDecaySchedule.builder(t, peak,
                steps - warmup * 4).build(), warmup * 4, 0.0, WarmupSchedule.Ramp.LOG));
        shapes.put("WSD as Hugging Face: cosine warmup, min ratio 0.1", WarmupStableDecaySchedule.builder(t, peak, steps)
                .warmupSteps(warmup * 2).warmupShape(Decay.COSINE).decay(Decay.COSINE).minLrRatio(0.1).build());
        shapes.put("cosine restarts as Keras: tMul 2, mMul 0.7, alpha 0.1", CosineDecayRestartsSchedule.builder(t, peak,
                steps / 7).tMul(2.0).mMul(0.7).alpha(0.1).build());
        shapes.put("product: linear warmup x milestones", new ProductSchedule(List.of(
                LinearSchedule.warmup(t, peak / 10, peak, warmup * 2),
                new MilestoneStepSchedule(t, 1.0, 0.3, steps / 2, steps * 3 / 4))));
        return shapes;
    }

    @Override
    public Integer call() throws IOException {
        if (steps < 20) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--steps': " + steps
                    + " (must be >= 20)");
        }
        if (!(peak > 0) || Double.isInfinite(peak)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--peak': " + peak
                    + " (must be > 0 and finite)");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ExamplesException("--out " + out + " is a file, not a directory");
        }
        Files.createDirectories(out);
        int horizon = steps + steps / 10;
        write(schedules(steps, peak), horizon, CSV, PNG, "Schedules of current practice");
        write(newSchedules(steps, peak), horizon, NEW_CSV, NEW_PNG, "Schedules added since 1.0");
        return 0;
    }

    private void write(Map<String, ISchedule> shapes, int horizon, String csvName, String pngName, String title)
            throws IOException {
        StringBuilder csv = new StringBuilder("step");
        shapes.keySet().forEach(label -> csv.append(",\"").append(label).append('"'));
        csv.append('\n');
        for (int k = 0; k <= horizon; k++) {
            csv.append(k);
            for (ISchedule s : shapes.values()) {
                csv.append(',').append(s.valueAt(k, 0));
            }
            csv.append('\n');
        }
        Files.writeString(out.resolve(csvName), csv, StandardCharsets.UTF_8);
        BitmapEncoder.saveBitmap(chart(shapes, horizon, title), out.resolve(pngName).toString(),
                BitmapEncoder.BitmapFormat.PNG);
        PrintWriter console = spec.commandLine().getOut();
        console.printf(Locale.ROOT, "%d schedules over %d steps: %s, %s%n", shapes.size(), horizon,
                out.resolve(csvName), out.resolve(pngName));
        console.flush();
    }

    private XYChart chart(Map<String, ISchedule> shapes, int horizon, String title) {
        XYChart chart = Charts.xy(title + ", peak " + peak + ", " + steps + " steps", "step",
                "learning rate", 1100, 560);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax((double) horizon);
        chart.getStyler().setYAxisMin(0.0);
        double[] x = new double[horizon + 1];
        for (int k = 0; k <= horizon; k++) {
            x[k] = k;
        }
        int i = 0;
        for (Map.Entry<String, ISchedule> e : shapes.entrySet()) {
            double[] y = new double[horizon + 1];
            for (int k = 0; k <= horizon; k++) {
                y[k] = e.getValue().valueAt(k, 0);
            }
            Charts.style(chart.addSeries(e.getKey(), x, y), i);
            i++;
        }
        // XChart puts the ticks of equally spaced x values on the data (0, 62, 124, ...); one invisible point off
        // the grid makes it choose round steps.
        XYSeries anchor = chart.addSeries(" ", new double[] {Math.PI / 100}, new double[] {0.0});
        anchor.setMarker(SeriesMarkers.NONE);
        anchor.setLineStyle(SeriesLines.NONE);
        anchor.setShowInLegend(false);
        return chart;
    }
}
