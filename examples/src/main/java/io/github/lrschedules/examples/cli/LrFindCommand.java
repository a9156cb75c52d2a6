package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.report.Charts;
import io.github.lrschedules.examples.report.Words;
import io.github.lrschedules.examples.train.RangeTest;
import io.github.lrschedules.examples.train.RunSettings;
import io.github.lrschedules.finder.LearningRateFinder;
import io.github.lrschedules.finder.LearningRateFinderResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code examples/run lr-find}: Smith's LR range test on the examples' network and data. */
@Command(name = "lr-find", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the LR range test (LearningRateFinder, as fastai's lr_find) on the chosen network and"
                + " data: writes lr_find.csv (lr,loss,smoothed_loss) and lr_find.png to --out and prints the"
                + " suggested learning rate (steepest descent of the smoothed loss).", ""},
        footer = {"", "Example: examples/run lr-find --model lenet --iterations 150"})
public final class LrFindCommand implements Callable<Integer> {

    @Option(names = "--start-lr", defaultValue = "1e-6", paramLabel = "X",
            description = "Learning rate of the first mini-batch. Default: ${DEFAULT-VALUE}.")
    double minLr;

    @Option(names = "--end-lr", defaultValue = "10", paramLabel = "X",
            description = "Learning rate of the last mini-batch. Default: ${DEFAULT-VALUE}.")
    double maxLr;

    @Option(names = "--iterations", defaultValue = "100", paramLabel = "N",
            description = "Mini-batches from --start-lr to --end-lr. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Mixin
    DataOptions options;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        LearningRateFinder finder;
        try {
            finder = LearningRateFinder.builder().minLr(minLr).maxLr(maxLr).iterations(iterations).build();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Invalid --start-lr " + minLr + ", --end-lr "
                    + maxLr + " or --iterations " + iterations + ": " + e.getMessage());
        }
        RunContext context = RunContext.open(options, "lr-find", out::println);
        Path dir = context.outputDirectory();
        RunSettings settings = context.settings().build();
        LearningRateFinderResult result = RangeTest.run(finder, settings, context.data());

        OutputDirectory.prepare(dir, options.force);
        result.writeCsv(dir.resolve("lr_find.csv"));
        BitmapEncoder.saveBitmap(chart(result), dir.resolve("lr_find.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        out.println(String.format(Locale.ROOT, "%d mini-batches of %d, %s; stopped because %s",
                result.learningRates().length, settings.batch(), settings.model().id(), Words.rounded(result.stopReason())));
        out.println(String.format(Locale.ROOT, "minimum of the smoothed loss / 10: %.3g", result.minimumDividedByTenLr()));
        out.println(String.format(Locale.ROOT, "fastai's valley: %s; fastai's slide: %s; Lightning's steepest gradient: %s",
                suggestion(result::valleyLr), suggestion(result::slideLr), suggestion(result::steepestGradientLr)));
        out.println(String.format(Locale.ROOT, "suggested learning rate: %.3g (the steepest descent of the smoothed loss"
                + " against log lr; valley is fastai's default, and the safer pick on a noisy curve)",
                result.steepestDescentLr()));
        out.println("Outputs in " + dir + ": lr_find.csv, lr_find.png");
        return 0;
    }

    /** A suggestion formatted for the summary, or why the curve gives none. */
    private static String suggestion(java.util.function.DoubleSupplier rule) {
        try {
            return String.format(Locale.ROOT, "%.3g", rule.getAsDouble());
        } catch (IllegalStateException e) {
            return "none (" + e.getMessage() + ")";
        }
    }

    private static XYChart chart(LearningRateFinderResult result) {
        XYChart chart = Charts.xy("LR range test", "learning rate (log scale)", "loss", 900, 540);
        chart.getStyler().setXAxisLogarithmic(true);
        double[] range = lossRange(result);
        chart.getStyler().setYAxisMin(range[0]);
        chart.getStyler().setYAxisMax(range[1]);
        chart.getStyler().setXAxisDecimalPattern("0.#E0");
        XYSeries raw = chart.addSeries("loss", result.learningRates(), result.losses());
        raw.setMarker(SeriesMarkers.NONE);
        raw.setLineColor(Charts.muted());
        Charts.style(chart.addSeries("smoothed loss", result.learningRates(), result.smoothedLosses()), 0);
        mark(chart, result, "steepest descent", result.steepestDescentLr(), SeriesMarkers.CIRCLE);
        mark(chart, result, "minimum / 10", result.minimumDividedByTenLr(), SeriesMarkers.DIAMOND);
        return chart;
    }

    /**
     * The loss range worth seeing, as fastai's plot has it: from a little below the lowest smoothed loss to a little
     * above the starting loss; the divergence at the end (losses of 20 and more) goes off the top of the chart.
     *
     * @return {minimum, maximum} of the y-axis
     */
    static double[] lossRange(LearningRateFinderResult result) {
        double[] smoothed = result.smoothedLosses();
        double[] raw = result.losses();
        double low = Double.POSITIVE_INFINITY;
        double start = Double.NaN;
        for (int i = 0; i < smoothed.length; i++) {
            if (Double.isFinite(smoothed[i])) {
                low = Math.min(low, Math.min(smoothed[i], Double.isFinite(raw[i]) ? raw[i] : smoothed[i]));
                if (Double.isNaN(start)) {
                    start = smoothed[i];
                }
            }
        }
        if (!Double.isFinite(low)) {
            return new double[] {0, 1};
        }
        double high = Math.max(start, low) * 1.25;
        double pad = 0.05 * (high - low);
        return new double[] {Math.max(0, low - pad), high + pad};
    }

    /** A marker on the smoothed curve at the recorded learning rate nearest to {@code lr}. */
    private static void mark(XYChart chart, LearningRateFinderResult result, String name, double lr,
                             org.knowm.xchart.style.markers.Marker marker) {
        double[] lrs = result.learningRates();
        double[] smoothed = result.smoothedLosses();
        int nearest = 0;
        for (int i = 1; i < lrs.length; i++) {
            if (Math.abs(Math.log(lrs[i] / lr)) < Math.abs(Math.log(lrs[nearest] / lr))) {
                nearest = i;
            }
        }
        XYSeries point = chart.addSeries(String.format(Locale.ROOT, "%s: %.3g", name, lr),
                new double[] {lrs[nearest]}, new double[] {smoothed[nearest]});
        point.setMarker(marker);
        point.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    }
}
