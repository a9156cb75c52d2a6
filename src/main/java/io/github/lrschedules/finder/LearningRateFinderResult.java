package io.github.lrschedules.finder;

import io.github.lrschedules.internal.AtomicFiles;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * The curves of a learning-rate range test and the usual suggestions read from them: fastai's {@link #valleyLr()}
 * (its default), {@link #slideLr()}, {@link #minimumDividedByTenLr()} and {@link #steepestDescentLr()}, and
 * Lightning's {@link #steepestGradientLr()}. All are computed on {@link #smoothedLosses()}, the curve both libraries
 * record.
 */
public final class LearningRateFinderResult {

    private final double[] learningRates;
    private final double[] losses;
    private final double[] smoothedLosses;
    private final String stopReason;
    private final int plannedIterations;

    LearningRateFinderResult(double[] learningRates, double[] losses, double[] smoothedLosses, String stopReason) {
        this(learningRates, losses, smoothedLosses, stopReason, learningRates.length);
    }

    /** {@code plannedIterations}: the length of the test had it not stopped early (fastai trims by it). */
    LearningRateFinderResult(double[] learningRates, double[] losses, double[] smoothedLosses, String stopReason,
                             int plannedIterations) {
        this.learningRates = learningRates;
        this.losses = losses;
        this.smoothedLosses = smoothedLosses;
        this.stopReason = stopReason;
        this.plannedIterations = plannedIterations;
    }

    /** The learning rate of each recorded mini-batch (a copy). */
    public double[] learningRates() {
        return learningRates.clone();
    }

    /** The raw loss of each recorded mini-batch (a copy). */
    public double[] losses() {
        return losses.clone();
    }

    /** The bias-corrected exponential moving average of the loss (a copy). */
    public double[] smoothedLosses() {
        return smoothedLosses.clone();
    }

    /** Why the test stopped: maxLr reached, divergence, a non-finite loss, or data that ran dry. */
    public String stopReason() {
        return stopReason;
    }

    /**
     * The learning rate where the smoothed loss falls fastest against log(lr) (fastai's "steep" suggestion): the
     * start of the steepest descending segment before the minimum of the smoothed loss. The first tenth of the curve
     * is skipped (as fastai's plot skips its first points): there the moving average still settles, and its first
     * steps fall for that reason alone.
     */
    public double steepestDescentLr() {
        int minimum = argminSmoothed();
        int from = Math.max(1, learningRates.length / 10);
        if (minimum - from < 1) {
            from = 0;
        }
        int to = Math.max(minimum, from + 1);
        int bestIndex = from;
        double steepest = Double.POSITIVE_INFINITY;
        for (int i = from; i < to && i + 1 < learningRates.length; i++) {
            double slope = (smoothedLosses[i + 1] - smoothedLosses[i])
                    / (Math.log(learningRates[i + 1]) - Math.log(learningRates[i]));
            if (slope < steepest) {
                steepest = slope;
                bestIndex = i;
            }
        }
        return learningRates[bestIndex];
    }

    private int argminSmoothed() {
        int bestIndex = 0;
        for (int i = 1; i < smoothedLosses.length; i++) {
            if (smoothedLosses[i] < smoothedLosses[bestIndex]) {
                bestIndex = i;
            }
        }
        return bestIndex;
    }

    /** The learning rate at the minimum of the smoothed loss, divided by 10 (fastai's "minimum" suggestion). */
    public double minimumDividedByTenLr() {
        return learningRates[argminSmoothed()] / 10;
    }

    /**
     * fastai's default suggestion, {@code valley}: the longest valley of the smoothed loss (the longest decreasing
     * subsequence, as fastai finds it), and the point 1/3 + 1/6 of its length from its start, about where the loss
     * falls steepest before flattening. As fastai's {@code lr_find} applies it: on the points from
     * {@code plannedIterations / 10} to the fifth from the end, cut at the first NaN.
     *
     * @throws IllegalStateException when fewer than 2 points remain
     * @see <a href="https://forums.fast.ai/t/automated-learning-rate-suggester/44199/30">the valley rule (ESRI)</a>
     */
    public double valleyLr() {
        double[][] curve = fastaiCurve();
        double[] lrs = curve[0];
        double[] loss = curve[1];
        int n = loss.length;
        int maxStart = 0;
        int maxEnd = 0;
        int[] lds = new int[n];
        Arrays.fill(lds, 1);
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (loss[i] < loss[j] && lds[i] < lds[j] + 1) {
                    lds[i] = lds[j] + 1;
                }
                // inside the inner loop, as fastai's: the start is fixed when i first becomes the longest
                if (lds[maxEnd] < lds[i]) {
                    maxEnd = i;
                    maxStart = maxEnd - lds[maxEnd];
                }
            }
        }
        double sections = (maxEnd - maxStart) / 3.0;
        int index = maxStart + (int) sections + (int) (sections / 2);
        return lrs[index];
    }

    /**
     * fastai's {@code slide} suggestion: walking left from the end in windows of 15 points, the rate at the left end of
     * the first window whose ends have loss gradients ({@code np.gradient}, unit spacing) within 0.005 of each other;
     * on the points {@link #valleyLr()} uses.
     *
     * @throws IllegalStateException when 15 or fewer points remain (fastai fails there too)
     * @see <a href="https://forums.fast.ai/t/automated-learning-rate-suggester/44199">the slide rule (Novetta)</a>
     */
    public double slideLr() {
        double[][] curve = fastaiCurve();
        double[] lrs = curve[0];
        double[] loss = curve[1];
        int n = loss.length;
        int lrDiff = 15;
        double thresh = 0.005;
        if (n <= lrDiff) {
            throw new IllegalStateException("slideLr needs more than " + lrDiff
                    + " points after fastai's trimming, not "
                    + n + ": run the range test longer");
        }
        double[] grad = gradient(loss, null);
        int right = n - 1;
        int left = right - lrDiff;
        double localMinLr = lrs[left];
        while (left >= 0 && Math.abs(grad[right] - grad[left]) > thresh) {
            localMinLr = lrs[left];
            right--;
            left--;
        }
        return localMinLr;
    }

    /**
     * Lightning's suggestion ({@code lr_finder.suggestion()}): the rate where the gradient of the smoothed loss against
     * the rate itself (not its log; {@code torch.gradient} with the rates as coordinates: second-order central
     * differences inside, one-sided at the ends) is most negative, skipping the first 10 points and the last one, and
     * non-finite losses. Against the rate, small rates weigh heavily: on a noisy start it often suggests a rate near
     * the start of the test.
     *
     * @throws IllegalStateException when fewer than 2 finite points remain (Lightning returns None there)
     */
    public double steepestGradientLr() {
        int skipBegin = 10;
        int skipEnd = 1;
        int count = 0;
        for (int i = skipBegin; i < learningRates.length - skipEnd; i++) {
            if (Double.isFinite(smoothedLosses[i])) {
                count++;
            }
        }
        if (count < 2) {
            throw new IllegalStateException("steepestGradientLr needs at least 2 finite points after skipping 10 at"
                    + " the start and 1 at the end, not " + count + ": run the range test longer");
        }
        double[] lrs = new double[count];
        double[] loss = new double[count];
        int k = 0;
        for (int i = skipBegin; i < learningRates.length - skipEnd; i++) {
            if (Double.isFinite(smoothedLosses[i])) {
                lrs[k] = learningRates[i];
                loss[k] = smoothedLosses[i];
                k++;
            }
        }
        double[] grad = gradient(loss, lrs);
        int best = 0;
        for (int i = 1; i < grad.length; i++) {
            if (grad[i] < grad[best]) {
                best = i;
            }
        }
        return lrs[best];
    }

    /** The rates and smoothed losses fastai's {@code lr_find} passes on: {@code [planned/10, -5)}, cut at a NaN. */
    private double[][] fastaiCurve() {
        int from = plannedIterations / 10;
        int to = learningRates.length - 5;
        for (int i = from; i < to; i++) {
            if (Double.isNaN(smoothedLosses[i])) {
                to = i;
                break;
            }
        }
        if (to - from < 2) {
            throw new IllegalStateException("fastai's suggestions need at least 2 points from the " + from
                    + "th to the fifth from the end, not " + Math.max(0, to - from) + ": run the range test longer");
        }
        return new double[][]{Arrays.copyOfRange(learningRates, from, to),
                Arrays.copyOfRange(smoothedLosses, from, to)};
    }

    /**
     * numpy's and torch's {@code gradient}, edge order 1: unit spacing when {@code x} is null, else the non-uniform
     * second-order formula inside and one-sided differences at the ends.
     */
    static double[] gradient(double[] f, double[] x) {
        int n = f.length;
        double[] g = new double[n];
        if (x == null) {
            g[0] = f[1] - f[0];
            g[n - 1] = f[n - 1] - f[n - 2];
            for (int i = 1; i < n - 1; i++) {
                g[i] = (f[i + 1] - f[i - 1]) / 2.0;
            }
            return g;
        }
        g[0] = (f[1] - f[0]) / (x[1] - x[0]);
        g[n - 1] = (f[n - 1] - f[n - 2]) / (x[n - 1] - x[n - 2]);
        for (int i = 1; i < n - 1; i++) {
            double dx1 = x[i] - x[i - 1];
            double dx2 = x[i + 1] - x[i];
            double a = -dx2 / (dx1 * (dx1 + dx2));
            double b = (dx2 - dx1) / (dx1 * dx2);
            double c = dx1 / (dx2 * (dx1 + dx2));
            g[i] = a * f[i - 1] + b * f[i] + c * f[i + 1];
        }
        return g;
    }

    /** Writes {@code lr,loss,smoothed_loss}, one row per mini-batch; the file appears only when complete. */
    public void writeCsv(Path file) throws IOException {
        AtomicFiles.writeText(file, this::writeCsv);
    }

    /** Writes the CSV of {@link #writeCsv(Path)} to {@code out}. */
    public void writeCsv(Writer out) throws IOException {
        out.write("lr,loss,smoothed_loss\n");
        for (int i = 0; i < learningRates.length; i++) {
            out.write(learningRates[i] + "," + losses[i] + "," + smoothedLosses[i] + "\n");
        }
    }

    private static String suggestion(DoubleSupplier rule) {
        try {
            return String.valueOf(rule.getAsDouble());
        } catch (IllegalStateException tooShort) {
            return "none";
        }
    }

    @Override
    public String toString() {
        return "LearningRateFinderResult{points=" + learningRates.length + ", valley=" + suggestion(this::valleyLr)
                + ", steepest=" + steepestDescentLr()
                + ", minimum/10=" + minimumDividedByTenLr() + ", stop=" + stopReason + "}";
    }
}
