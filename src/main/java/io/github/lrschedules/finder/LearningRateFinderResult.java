package io.github.lrschedules.finder;

import io.github.lrschedules.internal.AtomicFiles;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;

/**
 * The curves of a learning-rate range test and the two usual suggestions read from them.
 */
public final class LearningRateFinderResult {

    private final double[] learningRates;
    private final double[] losses;
    private final double[] smoothedLosses;
    private final String stopReason;

    LearningRateFinderResult(double[] learningRates, double[] losses, double[] smoothedLosses, String stopReason) {
        this.learningRates = learningRates;
        this.losses = losses;
        this.smoothedLosses = smoothedLosses;
        this.stopReason = stopReason;
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

    @Override
    public String toString() {
        return "LearningRateFinderResult{points=" + learningRates.length + ", steepest=" + steepestDescentLr()
                + ", minimum/10=" + minimumDividedByTenLr() + ", stop=" + stopReason + "}";
    }
}
