package io.github.lrschedules.plateau;

import io.github.lrschedules.internal.Args;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * The GreedyLR decision rule, exactly as Hugging Face transformers 5.x {@code GreedyLR} decides: feed it one metric
 * value per period and the current learning rate, and it returns the learning rate for the next period. Where
 * ReduceLROnPlateau only lowers the rate, GreedyLR also raises it while the metric keeps improving.
 *
 * <pre>
 * m = smooth ? mean of the last windowSize metrics : metric
 * step(metric, lr):
 *   if cooldownLeft &gt; 0:     cooldownLeft -= 1, goodEpochs = badEpochs = 0
 *   else if warmupLeft &gt; 0:  warmupLeft -= 1,   goodEpochs = badEpochs = 0
 *   else:
 *     if better(m): best = m, badEpochs = 0, goodEpochs += 1   else  badEpochs += 1, goodEpochs = 0
 *     if goodEpochs &gt; patience:  new = min(lr / factor, maxLr); if new - lr &gt; eps: lr = new
 *                                warmupLeft = warmup, goodEpochs = 0, resetLeft = resetStart
 *     else if badEpochs &gt; patience: new = max(lr * factor, minLr); if lr - new &gt; eps: lr = new
 *                                cooldownLeft = cooldown, badEpochs = 0
 *                                if lr &lt;= minLr: resetLeft -= 1; if resetLeft &lt;= 0: reset
 *   return lr
 * reset: lr = the rate of the first step, best, counters and the smoothing window start over
 * </pre>
 *
 * {@code better} is {@link PlateauTracker}'s (MIN/MAX, REL/ABS threshold). Patience counts as in PyTorch's
 * plateau rule: with {@code patience = 2} the third good (or bad) period in a row changes the rate. Hugging Face's
 * defaults, which differ from the plateau rule's: MIN, {@code factor} 0.95, {@code patience} 10, {@code threshold}
 * 1e-6 ABS, {@code cooldown} 0, {@code warmup} 0, {@code minLr} 1e-3, {@code maxLr} 1, {@code eps} 1e-8, no
 * smoothing ({@code windowSize} 50), {@code resetStart} 500.
 *
 * <p>A NaN or infinite metric counts as a period without improvement and is kept out of the smoothing window
 * (Hugging Face's running sum would stay NaN from then on). The rule is a small serializable object: a copy saved
 * mid-sequence (Java serialization) and restored continues exactly. Example, {@code GreedyLr.builder().patience(2)
 * .factor(0.5).build()} fed a metric that falls by 0.1 every period at a rate of 0.1: periods 1 and 2 keep 0.1,
 * period 3 raises it to 0.2.
 *
 * @see <a href="https://arxiv.org/abs/2512.14527">GreedyLR: A Novel Adaptive Learning Rate Scheduler</a>
 */
public final class GreedyLr implements Serializable {

    private static final long serialVersionUID = 1L;

    private final PlateauTracker.Mode mode;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final PlateauTracker.ThresholdMode thresholdMode;
    private final int cooldown;
    private final int warmup;
    private final double minLr;
    private final double maxLr;
    private final double eps;
    private final boolean smooth;
    private final int windowSize;
    private final int resetStart;

    private double initialLr = Double.NaN;
    private double best;
    private int badEpochs;
    private int goodEpochs;
    private int cooldownLeft;
    private int warmupLeft;
    private int resetLeft;
    private int steps;
    // The smoothing window: a ring of the last windowSize metrics and their running sum (Hugging Face's order of
    // additions and subtractions, so that the smoothed values are the same doubles).
    private final double[] window;
    private int windowHead;
    private int windowCount;
    private double windowSum;

    private GreedyLr(Builder b) {
        if (!(b.minLr <= b.maxLr)) {
            throw new IllegalArgumentException("minLr (" + b.minLr + ") must be <= maxLr (" + b.maxLr + ")");
        }
        this.mode = b.mode;
        this.factor = b.factor;
        this.patience = b.patience;
        this.threshold = b.threshold;
        this.thresholdMode = b.thresholdMode;
        this.cooldown = b.cooldown;
        this.warmup = b.warmup;
        this.minLr = b.minLr;
        this.maxLr = b.maxLr;
        this.eps = b.eps;
        this.smooth = b.smooth;
        this.windowSize = b.windowSize;
        this.resetStart = b.resetStart;
        this.window = new double[smooth ? windowSize : 0];
        this.best = worst();
        this.resetLeft = resetStart;
    }

    /** A builder with Hugging Face's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with the same parameters as this rule, which builds it in its initial state. */
    public Builder toBuilder() {
        return new Builder().mode(mode).factor(factor).patience(patience).threshold(threshold)
                .thresholdMode(thresholdMode).cooldown(cooldown).warmup(warmup).minLr(minLr).maxLr(maxLr).eps(eps)
                .smooth(smooth).windowSize(windowSize).resetStart(resetStart);
    }

    private double worst() {
        return mode == PlateauTracker.Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /**
     * Takes the metric of the period that just ended and returns the learning rate for the next period. The first
     * call's {@code currentLr} is the rate a reset returns to.
     *
     * @param metric    the monitored value; NaN or infinite counts as no improvement
     * @param currentLr the learning rate now, finite and &gt;= 0
     * @return {@code currentLr}, or the raised, lowered or reset learning rate
     */
    public synchronized double step(double metric, double currentLr) {
        Args.nonNegative("currentLr", currentLr);
        if (steps == 0) {
            initialLr = currentLr;
        }
        steps++;
        boolean finite = Double.isFinite(metric);
        double current = smooth && finite ? smoothed(metric) : metric;
        double lr = currentLr;
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
            goodEpochs = 0;
        } else if (warmupLeft > 0) {
            warmupLeft--;
            badEpochs = 0;
            goodEpochs = 0;
        } else {
            if (finite && isBetter(current)) {
                best = current;
                badEpochs = 0;
                goodEpochs++;
            } else {
                badEpochs++;
                goodEpochs = 0;
            }
            if (goodEpochs > patience) {
                double raised = Math.min(lr / factor, maxLr);
                if (raised - lr > eps) {
                    lr = raised;
                }
                resetLeft = resetStart;
                warmupLeft = warmup;
                goodEpochs = 0;
            } else if (badEpochs > patience) {
                double lowered = Math.max(lr * factor, minLr);
                if (lr - lowered > eps) {
                    lr = lowered;
                }
                boolean atMin = !(lr > minLr);
                if (atMin) {
                    resetLeft--;
                    if (resetLeft <= 0) {
                        lr = reset();
                    }
                }
                // After a reset Hugging Face sets the cooldown and clears the bad periods again.
                cooldownLeft = cooldown;
                badEpochs = 0;
            }
        }
        return lr;
    }

    /** Hugging Face's {@code StreamingAverage.streamavg}. */
    private double smoothed(double value) {
        windowSum += value;
        if (windowCount < windowSize) {
            window[(windowHead + windowCount) % windowSize] = value;
            windowCount++;
        } else {
            double removed = window[windowHead];
            window[windowHead] = value;
            windowHead = (windowHead + 1) % windowSize;
            windowSum -= removed;
        }
        return windowSum / windowCount;
    }

    private double reset() {
        best = worst();
        badEpochs = 0;
        goodEpochs = 0;
        cooldownLeft = 0;
        warmupLeft = 0;
        resetLeft = resetStart;
        windowHead = 0;
        windowCount = 0;
        windowSum = 0;
        return initialLr;
    }

    /** Whether {@code metric} improves on the best value so far, by this rule's threshold. */
    public synchronized boolean isBetter(double metric) {
        if (!Double.isFinite(metric)) {
            return false;
        }
        if (mode == PlateauTracker.Mode.MIN) {
            return thresholdMode == PlateauTracker.ThresholdMode.REL ? metric < best * (1.0 - threshold)
                    : metric < best - threshold;
        }
        return thresholdMode == PlateauTracker.ThresholdMode.REL ? metric > best * (1.0 + threshold)
                : metric > best + threshold;
    }

    /** The best (smoothed) metric since the start or the last reset. */
    public synchronized double getBest() {
        return best;
    }

    /** Number of {@link #step} calls so far. */
    public synchronized int getSteps() {
        return steps;
    }

    /** The rate of the first step, which a reset returns to; NaN before the first step. */
    public synchronized double getInitialLr() {
        return initialLr;
    }

    /** A copy of this rule in its current state, which continues independently. */
    public synchronized GreedyLr copy() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(this);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return (GreedyLr) in.readObject();
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot copy " + this, e);
        }
    }

    public PlateauTracker.Mode getMode() {
        return mode;
    }

    public double getFactor() {
        return factor;
    }

    public int getPatience() {
        return patience;
    }

    public double getThreshold() {
        return threshold;
    }

    public PlateauTracker.ThresholdMode getThresholdMode() {
        return thresholdMode;
    }

    public int getCooldown() {
        return cooldown;
    }

    public int getWarmup() {
        return warmup;
    }

    public double getMinLr() {
        return minLr;
    }

    public double getMaxLr() {
        return maxLr;
    }

    public double getEps() {
        return eps;
    }

    public boolean isSmooth() {
        return smooth;
    }

    public int getWindowSize() {
        return windowSize;
    }

    public int getResetStart() {
        return resetStart;
    }

    @Override
    public synchronized String toString() {
        return "GreedyLr{mode=" + mode + ", factor=" + factor + ", patience=" + patience + ", threshold=" + threshold
                + ", thresholdMode=" + thresholdMode + ", cooldown=" + cooldown + ", warmup=" + warmup + ", minLr="
                + minLr + ", maxLr=" + maxLr + ", eps=" + eps + ", smooth=" + smooth + ", windowSize=" + windowSize
                + ", resetStart=" + resetStart + ", steps=" + steps + ", best=" + best + ", goodEpochs=" + goodEpochs
                + ", badEpochs=" + badEpochs + "}";
    }

    /** Builds a {@link GreedyLr}; every setter checks its argument, {@link #build()} that minLr &lt;= maxLr. */
    public static final class Builder {
        private PlateauTracker.Mode mode = PlateauTracker.Mode.MIN;
        private double factor = 0.95;
        private int patience = 10;
        private double threshold = 1e-6;
        private PlateauTracker.ThresholdMode thresholdMode = PlateauTracker.ThresholdMode.ABS;
        private int cooldown = 0;
        private int warmup = 0;
        private double minLr = 1e-3;
        private double maxLr = 1.0;
        private double eps = 1e-8;
        private boolean smooth = false;
        private int windowSize = 50;
        private int resetStart = 500;

        private Builder() {
        }

        /** MIN for a loss, MAX for an accuracy; default MIN. */
        public Builder mode(PlateauTracker.Mode mode) {
            this.mode = Args.notNull("mode", mode, "MIN or MAX");
            return this;
        }

        /** The rate is divided by it on improvement and multiplied by it on a plateau, in (0, 1); default 0.95. */
        public Builder factor(double factor) {
            this.factor = Args.inOpenRange("factor", factor, 0, 1);
            return this;
        }

        /** Good (or bad) periods in a row tolerated before a change, &gt;= 0; default 10. */
        public Builder patience(int patience) {
            this.patience = Args.nonNegative("patience", patience);
            return this;
        }

        /** Minimum change that counts as an improvement, &gt;= 0 and finite; default 1e-6. */
        public Builder threshold(double threshold) {
            this.threshold = Args.nonNegative("threshold", threshold);
            return this;
        }

        /** REL or ABS; default ABS (Hugging Face's; the plateau rule's default is REL). */
        public Builder thresholdMode(PlateauTracker.ThresholdMode thresholdMode) {
            this.thresholdMode = Args.notNull("thresholdMode", thresholdMode, "REL or ABS");
            return this;
        }

        /** Periods ignored after a lowering, &gt;= 0; default 0. */
        public Builder cooldown(int cooldown) {
            this.cooldown = Args.nonNegative("cooldown", cooldown);
            return this;
        }

        /** Periods ignored after a raise, &gt;= 0; default 0. */
        public Builder warmup(int warmup) {
            this.warmup = Args.nonNegative("warmup", warmup);
            return this;
        }

        /** Lower bound of the rate, &gt;= 0 and finite; default 1e-3. */
        public Builder minLr(double minLr) {
            this.minLr = Args.nonNegative("minLr", minLr);
            return this;
        }

        /** Upper bound of the rate, &gt; 0 and finite; default 1. */
        public Builder maxLr(double maxLr) {
            this.maxLr = Args.positive("maxLr", maxLr);
            return this;
        }

        /** Changes smaller than this are skipped, &gt;= 0 and finite; default 1e-8. */
        public Builder eps(double eps) {
            this.eps = Args.nonNegative("eps", eps);
            return this;
        }

        /** Decide on the mean of the last {@code windowSize} metrics; default false. */
        public Builder smooth(boolean smooth) {
            this.smooth = smooth;
            return this;
        }

        /** Length of the smoothing window, &gt;= 1; default 50. */
        public Builder windowSize(int windowSize) {
            this.windowSize = Args.positive("windowSize", windowSize);
            return this;
        }

        /** Lowerings at {@code minLr} before the rule resets to its first rate, &gt;= 1; default 500. */
        public Builder resetStart(int resetStart) {
            this.resetStart = Args.positive("resetStart", resetStart);
            return this;
        }

        public GreedyLr build() {
            return new GreedyLr(this);
        }
    }
}
