package io.github.lrschedules.plateau;

import io.github.lrschedules.internal.Args;
import java.io.Serializable;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ReduceLROnPlateau decision rule, exactly as PyTorch's {@code torch.optim.lr_scheduler.ReduceLROnPlateau}
 * decides: feed it one metric value per period (usually an epoch) and the current learning rate, and it returns the
 * learning rate for the next period.
 *
 * <pre>
 * better(a) = a &lt; best * (1 - threshold)     MIN, REL
 *             a &lt; best - threshold           MIN, ABS
 *             a &gt; best * (1 + threshold)     MAX, REL
 *             a &gt; best + threshold           MAX, ABS
 * step(metric, lr):
 *   if better(metric): best = metric, badEpochs = 0  else  badEpochs += 1
 *   if cooldownLeft &gt; 0: cooldownLeft -= 1, badEpochs = 0      (best still updates during cooldown)
 *   if badEpochs &gt; patience:
 *       newLr = max(lr * factor, minLr); if lr - newLr &gt; eps: lr = newLr
 *       cooldownLeft = cooldown, badEpochs = 0
 *   return lr
 * </pre>
 *
 * <p>Patience counts the periods without improvement that are tolerated: with {@code patience = 2} the third bad
 * period in a row reduces. Keras' {@code ReduceLROnPlateau} reduces one period earlier ({@code wait >= patience}):
 * <table>
 * <caption>Period of the first reduction after the last improvement (at period 0)</caption>
 * <tr><th>patience</th><th>this class and PyTorch</th><th>Keras</th></tr>
 * <tr><td>0</td><td>1</td><td>1 (Keras treats 0 like 1)</td></tr>
 * <tr><td>1</td><td>2</td><td>1</td></tr>
 * <tr><td>2</td><td>3</td><td>2</td></tr>
 * <tr><td>10</td><td>11</td><td>10</td></tr>
 * </table>
 * To get Keras' behaviour pass {@code patience - 1}.
 *
 * <p>A NaN or infinite metric counts as a period without improvement; it never becomes the best value and never
 * reaches the learning rate. It is logged once as a warning. The state (best, bad periods, cooldown left,
 * reductions) is a small serializable value: {@link #state()} and {@link #restore(State)}.
 *
 * <p>Defaults are PyTorch's: MIN, factor 0.1, patience 10, threshold 1e-4 REL, cooldown 0, minLr 0, eps 1e-8.
 */
public final class PlateauTracker implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(PlateauTracker.class);

    /** Whether the monitored metric should go down (loss) or up (accuracy). */
    public enum Mode { MIN, MAX }

    /** Whether {@code threshold} is relative to the best value or an absolute difference. */
    public enum ThresholdMode { REL, ABS }

    private final Mode mode;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final ThresholdMode thresholdMode;
    private final int cooldown;
    private final double minLr;
    private final double eps;

    private double best;
    private int badEpochs;
    private int cooldownLeft;
    private int reductions;
    private int steps;
    private boolean warnedNonFinite;

    private PlateauTracker(Builder b) {
        this.mode = Objects.requireNonNull(b.mode, "mode");
        this.factor = b.factor;
        this.patience = b.patience;
        this.threshold = b.threshold;
        this.thresholdMode = Objects.requireNonNull(b.thresholdMode, "thresholdMode");
        this.cooldown = b.cooldown;
        this.minLr = b.minLr;
        this.eps = b.eps;
        this.best = worst();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder with the same parameters as this tracker, in its initial state. */
    public Builder toBuilder() {
        return new Builder().mode(mode).factor(factor).patience(patience).threshold(threshold)
                .thresholdMode(thresholdMode).cooldown(cooldown).minLr(minLr).eps(eps);
    }

    private double worst() {
        return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /**
     * Takes the metric of the period that just ended and returns the learning rate for the next period.
     *
     * @param metric    the monitored value; NaN or infinite counts as no improvement
     * @param currentLr the learning rate now, finite and &gt;= 0
     * @return {@code currentLr}, or the reduced learning rate
     */
    public synchronized double step(double metric, double currentLr) {
        Args.nonNegative("currentLr", currentLr);
        steps++;
        if (!Double.isFinite(metric)) {
            if (!warnedNonFinite) {
                log.warn("Plateau metric is {} at step {}: counted as a period without improvement "
                        + "(further non-finite values are not logged)", metric, steps);
                warnedNonFinite = true;
            }
            badEpochs++;
        } else if (isBetter(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        double nextLr = currentLr;
        if (badEpochs > patience) {
            double reduced = Math.max(currentLr * factor, minLr);
            if (currentLr - reduced > eps) {
                nextLr = reduced;
                reductions++;
            }
            cooldownLeft = cooldown;
            badEpochs = 0;
        }
        return nextLr;
    }

    /** Whether {@code metric} is an improvement over the best value so far, by this tracker's threshold. */
    public synchronized boolean isBetter(double metric) {
        if (!Double.isFinite(metric)) {
            return false;
        }
        if (mode == Mode.MIN) {
            return thresholdMode == ThresholdMode.REL ? metric < best * (1 - threshold) : metric < best - threshold;
        }
        return thresholdMode == ThresholdMode.REL ? metric > best * (threshold + 1) : metric > best + threshold;
    }

    /** The state now: a value that {@link #restore(State)} brings back. */
    public synchronized State state() {
        return new State(best, badEpochs, cooldownLeft, reductions, steps);
    }

    /** Continues from a state taken with {@link #state()} (for example from a checkpoint). */
    public synchronized void restore(State state) {
        Objects.requireNonNull(state, "state");
        this.best = state.best;
        this.badEpochs = state.badEpochs;
        this.cooldownLeft = state.cooldownLeft;
        this.reductions = state.reductions;
        this.steps = state.steps;
    }

    public Mode getMode() {
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

    public ThresholdMode getThresholdMode() {
        return thresholdMode;
    }

    public int getCooldown() {
        return cooldown;
    }

    public double getMinLr() {
        return minLr;
    }

    public double getEps() {
        return eps;
    }

    @Override
    public synchronized String toString() {
        return "PlateauTracker{mode=" + mode + ", factor=" + factor + ", patience=" + patience + ", threshold="
                + threshold + ", thresholdMode=" + thresholdMode + ", cooldown=" + cooldown + ", minLr=" + minLr
                + ", eps=" + eps + ", state=" + state() + "}";
    }

    /**
     * The tracker's state: best value so far, periods without improvement, cooldown periods left, reductions made
     * and periods seen. Immutable and serializable.
     */
    public static final class State implements Serializable {

        private static final long serialVersionUID = 1L;

        private final double best;
        private final int badEpochs;
        private final int cooldownLeft;
        private final int reductions;
        private final int steps;

        public State(double best, int badEpochs, int cooldownLeft, int reductions, int steps) {
            if (Double.isNaN(best)) {
                throw new IllegalArgumentException("best (NaN) must be a number");
            }
            this.best = best;
            this.badEpochs = Args.nonNegative("badEpochs", badEpochs);
            this.cooldownLeft = Args.nonNegative("cooldownLeft", cooldownLeft);
            this.reductions = Args.nonNegative("reductions", reductions);
            this.steps = Args.nonNegative("steps", steps);
        }

        public double getBest() {
            return best;
        }

        public int getBadEpochs() {
            return badEpochs;
        }

        public int getCooldownLeft() {
            return cooldownLeft;
        }

        public int getReductions() {
            return reductions;
        }

        public int getSteps() {
            return steps;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof State)) {
                return false;
            }
            State that = (State) o;
            return Double.compare(best, that.best) == 0 && badEpochs == that.badEpochs
                    && cooldownLeft == that.cooldownLeft && reductions == that.reductions && steps == that.steps;
        }

        @Override
        public int hashCode() {
            return Objects.hash(best, badEpochs, cooldownLeft, reductions, steps);
        }

        @Override
        public String toString() {
            return "State{best=" + best + ", badEpochs=" + badEpochs + ", cooldownLeft=" + cooldownLeft
                    + ", reductions=" + reductions + ", steps=" + steps + "}";
        }
    }

    /** Builds a {@link PlateauTracker}; every setter checks its argument. */
    public static final class Builder {
        private Mode mode = Mode.MIN;
        private double factor = 0.1;
        private int patience = 10;
        private double threshold = 1e-4;
        private ThresholdMode thresholdMode = ThresholdMode.REL;
        private int cooldown = 0;
        private double minLr = 0;
        private double eps = 1e-8;

        private Builder() {
        }

        public Builder mode(Mode mode) {
            this.mode = Args.notNull("mode", mode, "MIN or MAX");
            return this;
        }

        /** Multiplier of the learning rate at a reduction, in (0, 1). */
        public Builder factor(double factor) {
            this.factor = Args.inOpenRange("factor", factor, 0, 1);
            return this;
        }

        /** Periods without improvement tolerated before a reduction, &gt;= 0. */
        public Builder patience(int patience) {
            this.patience = Args.nonNegative("patience", patience);
            return this;
        }

        /** Minimum change that counts as an improvement, &gt;= 0 and finite. */
        public Builder threshold(double threshold) {
            this.threshold = Args.nonNegative("threshold", threshold);
            return this;
        }

        public Builder thresholdMode(ThresholdMode thresholdMode) {
            this.thresholdMode = Args.notNull("thresholdMode", thresholdMode, "REL or ABS");
            return this;
        }

        /** Periods after a reduction during which bad periods are not counted, &gt;= 0. */
        public Builder cooldown(int cooldown) {
            this.cooldown = Args.nonNegative("cooldown", cooldown);
            return this;
        }

        /** Lower bound of the learning rate at a reduction, &gt;= 0 and finite. */
        public Builder minLr(double minLr) {
            this.minLr = Args.nonNegative("minLr", minLr);
            return this;
        }

        /** Reductions smaller than this are skipped, &gt;= 0 and finite. */
        public Builder eps(double eps) {
            this.eps = Args.nonNegative("eps", eps);
            return this;
        }

        public PlateauTracker build() {
            return new PlateauTracker(this);
        }
    }
}
