package io.github.lrschedules.examples.report;

import io.github.lrschedules.examples.train.EpochStats;
import io.github.lrschedules.examples.train.RunResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG charts of a comparison, drawn with XChart; every schedule keeps its colour, its line pattern and its marker
 * in every chart. Schedules that share a curve (constant, milestone and plateau until the first reduction) stay
 * apart: the first schedule is drawn widest and solid, each next one narrower and with its own dash pattern, so the
 * curves beneath show through the gaps.
 */
public final class Charts {

    public static final String LR_PNG = "lr.png";
    public static final String LOSS_PNG = "loss.png";
    public static final String ACCURACY_PNG = "accuracy.png";
    /** Learning rate and test accuracy side by side: the picture of a comparison. */
    public static final String OVERVIEW_PNG = "overview.png";

    static final int WIDTH = 1000;
    static final int HEIGHT = 560;
    /** Enough points for a smooth curve at {@link #WIDTH} pixels; longer series are thinned. */
    private static final int MAX_POINTS = 2_000;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private static final Color MUTED = new Color(0xbbbbbb);
    /** The line of an accuracy at averaged weights: thin, short dashes. */
    private static final BasicStroke AVERAGED = new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {6f, 4f}, 0f);

    /** Dash pattern of the i-th schedule (null: solid). */
    private static final float[][] DASHES = {null, {9f, 5f}, {2f, 4f}, {12f, 4f, 2f, 4f}, {5f, 5f},
        {16f, 6f}, {2f, 3f, 2f, 3f, 8f, 3f}};
    private static final org.knowm.xchart.style.markers.Marker[] MARKERS = {SeriesMarkers.CIRCLE,
        SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND, SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN,
        SeriesMarkers.CROSS, SeriesMarkers.PLUS};

    private Charts() {
    }

    /** Writes lr.png, loss.png, accuracy.png and overview.png into {@code dir}. */
    public static void writeAll(Comparison comparison, Path dir) throws IOException {
        XYChart lr = learningRate(comparison, WIDTH, HEIGHT);
        XYChart accuracy = accuracy(comparison, WIDTH, HEIGHT);
        save(lr, dir.resolve(LR_PNG));
        save(accuracy, dir.resolve(ACCURACY_PNG));
        save(loss(comparison, WIDTH, HEIGHT), dir.resolve(LOSS_PNG));
        BufferedImage left = BitmapEncoder.getBufferedImage(learningRate(comparison, 800, 480));
        BufferedImage right = BitmapEncoder.getBufferedImage(accuracy(comparison, 800, 480));
        BufferedImage both = new BufferedImage(left.getWidth() + right.getWidth(), left.getHeight(),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.drawImage(left, 0, 0, null);
        g.drawImage(right, left.getWidth(), 0, null);
        g.dispose();
        ImageIO.write(both, "png", dir.resolve(OVERVIEW_PNG).toFile());
    }

    /** Applied learning rate per iteration, log scale, x in epochs. */
    static XYChart learningRate(Comparison comparison, int width, int height) {
        XYChart chart = chart("Learning rate applied (first layer's weights)", "epochs trained", "learning rate (log scale)",
                width, height, epochs(comparison));
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisDecimalPattern("0.0E0");
        int i = 0;
        for (RunResult run : comparison.runs()) {
            Series s = new Series();
            double[] lr = run.learningRates();
            int stride = Math.max(1, lr.length / MAX_POINTS);
            for (int k = 0; k < lr.length; k++) {
                // log scale: zero (the first warmup step) cannot be drawn
                if ((k % stride == 0 || k == lr.length - 1 || k > 0 && lr[k] != lr[k - 1]) && lr[k] > 0) {
                    s.add((double) run.iterations()[k] / run.batchesPerEpoch(), lr[k]);
                }
            }
            line(chart, run, s, i++);
        }
        niceEpochTicks(chart);
        return chart;
    }

    /**
     * XChart puts the ticks of an axis whose x values are equally spaced on the data points (here every few
     * iterations, so epochs labelled 0, 0.8, 1.7, ...); one invisible point off the grid makes it choose round epochs.
     */
    private static void niceEpochTicks(XYChart chart) {
        XYSeries any = chart.getSeriesMap().values().iterator().next();
        double y = any.getYData()[0];
        XYSeries anchor = chart.addSeries(" ", new double[] {Math.PI / 100}, new double[] {y});
        anchor.setMarker(SeriesMarkers.NONE);
        anchor.setLineStyle(SeriesLines.NONE);
        anchor.setShowInLegend(false);
    }

    /**
     * Test accuracy after each epoch, in percent; with weight averaging also the accuracy at the averaged weights, a
     * thin dashed line without markers in the schedule's colour.
     */
    static XYChart accuracy(Comparison comparison, int width, int height) {
        XYChart chart = chart(comparison.averaged() ? "Test accuracy after each epoch (dashed: at the averaged weights)"
                : "Test accuracy after each epoch", "epochs trained", "test accuracy (%)", width, height,
                epochs(comparison));
        double low = 100;
        int i = 0;
        for (RunResult run : comparison.runs()) {
            Series s = new Series();
            for (EpochStats e : run.epochStats()) {
                // a diverged run's NaN loss still has an accuracy (NaN outputs count as wrong)
                if (Double.isFinite(e.testAccuracy())) {
                    s.add(e.epoch() + 1, 100 * e.testAccuracy()); // after epoch e: e + 1 epochs trained
                    low = Math.min(low, 100 * e.testAccuracy());
                }
            }
            XYSeries series = line(chart, run, s, i);
            if (series != null) {
                series.setMarker(MARKERS[i % MARKERS.length]);
            }
            Series averaged = new Series();
            for (EpochStats e : run.epochStats()) {
                if (Double.isFinite(e.averagedTestAccuracy())) {
                    averaged.add(e.epoch() + 1, 100 * e.averagedTestAccuracy());
                    low = Math.min(low, 100 * e.averagedTestAccuracy());
                }
            }
            if (!averaged.x.isEmpty()) {
                XYSeries dashed = chart.addSeries(run.schedule().id() + " averaged", averaged.x, averaged.y);
                dashed.setMarker(SeriesMarkers.NONE);
                dashed.setLineColor(COLORS[i % COLORS.length]);
                dashed.setLineStyle(AVERAGED);
            }
            i++;
        }
        // every point is on the chart, the first (after epoch 0, one epoch trained) included
        chart.getStyler().setYAxisMin(Math.max(0, Math.floor(low - 1)));
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setXAxisMin(1.0);
        chart.getStyler().setXAxisDecimalPattern("0");
        return chart;
    }

    /** Training loss, averaged over a quarter epoch, and test loss after each epoch (markers), log scale. */
    static XYChart loss(Comparison comparison, int width, int height) {
        XYChart chart = chart("Loss: training (lines, mean over 1/4 epoch) and test (markers, per epoch)", "epochs trained",
                "cross-entropy (log scale)", width, height, epochs(comparison));
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisDecimalPattern("0.0E0");
        int i = 0;
        for (RunResult run : comparison.runs()) {
            double[] loss = run.losses();
            int window = Math.max(1, run.batchesPerEpoch() / 4);
            Series train = new Series();
            int stride = Math.max(1, loss.length / MAX_POINTS);
            double sum = 0;
            for (int k = 0; k < loss.length; k++) {
                sum += loss[k];
                if (k >= window) {
                    sum -= loss[k - window];
                }
                int n = Math.min(k + 1, window);
                if ((k % stride == 0 || k == loss.length - 1) && sum / n > 0) {
                    train.add((double) (run.iterations()[k] + 1) / run.batchesPerEpoch(), sum / n);
                }
            }
            line(chart, run, train, i);
            Series test = new Series();
            for (EpochStats e : run.epochStats()) {
                if (e.testLoss() > 0) {
                    test.add(e.epoch() + 1, e.testLoss());
                }
            }
            if (!test.x.isEmpty()) {
                XYSeries series = chart.addSeries(run.schedule().id() + " (test)", test.x, test.y);
                series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                series.setMarker(MARKERS[i % MARKERS.length]);
                series.setMarkerColor(COLORS[i % COLORS.length]);
                series.setShowInLegend(false);
            }
            i++;
        }
        niceEpochTicks(chart);
        return chart;
    }

    private static XYChart chart(String title, String x, String y, int width, int height, int epochs) {
        XYChart chart = xy(title, x, y, width, height);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax((double) epochs);
        chart.getStyler().setXAxisDecimalPattern("0.#");
        return chart;
    }

    /**
     * An empty chart in the examples' one style (white, light grid, bold title, legend outside on the right,
     * anti-aliased): every chart of the examples starts here.
     */
    public static XYChart xy(String title, String xTitle, String yTitle, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        XYStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(0xdddddd));
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        styler.setAntiAlias(true);
        return chart;
    }

    /** Draws {@code series} as the {@code index}-th line of a chart: its palette colour and line, no markers. */
    public static XYSeries style(XYSeries series, int index) {
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(COLORS[index % COLORS.length]);
        series.setMarkerColor(COLORS[index % COLORS.length]);
        series.setLineStyle(stroke(index));
        return series;
    }

    /** The palette's colour for what is drawn behind the lines (raw, unsmoothed data). */
    public static Color muted() {
        return MUTED;
    }

    /** Adds {@code s} in the run's colour; a series with no drawable point is left out. */
    private static XYSeries line(XYChart chart, RunResult run, Series s, int index) {
        if (s.x.isEmpty()) {
            return null;
        }
        return style(chart.addSeries(run.schedule().id(), s.x, s.y), index);
    }

    /** The i-th schedule's line: widest and solid first, then narrower, each with its own dashes. */
    static BasicStroke stroke(int index) {
        float width = Math.max(1.2f, 3.4f - 0.35f * (index % DASHES.length));
        float[] dash = DASHES[index % DASHES.length];
        return dash == null ? new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND)
                : new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f);
    }

    /** The longest run's number of epochs. */
    private static int epochs(Comparison comparison) {
        int epochs = 1;
        for (RunResult run : comparison.runs()) {
            epochs = Math.max(epochs, run.epochStats().size());
        }
        return epochs;
    }

    private static void save(XYChart chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static final class Series {
        final List<Double> x = new ArrayList<>();
        final List<Double> y = new ArrayList<>();

        void add(double xValue, double yValue) {
            x.add(xValue);
            y.add(yValue);
        }
    }
}
