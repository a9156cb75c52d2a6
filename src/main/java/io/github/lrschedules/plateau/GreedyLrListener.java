package io.github.lrschedules.plateau;

import io.github.lrschedules.checkpoint.Checkpointable;
import io.github.lrschedules.internal.Args;
import io.github.lrschedules.schedule.ScaledSchedule;
import java.io.File;
import java.io.Serializable;
import org.deeplearning4j.nn.api.Model;

/**
 * Raises the learning rate while a monitored metric keeps improving and lowers it on a plateau, with Hugging Face's
 * GreedyLR rule ({@link GreedyLr}), on top of whatever schedule the network already has. It applies the rule the
 * way {@link ReduceLROnPlateauListener} applies PyTorch's plateau rule, with the same code:
 *
 * <ul>
 * <li>every LR-bearing updater of a {@code MultiLayerNetwork} or {@code ComputationGraph} (weights and biases, every
 * layer) gets the same factor through a {@link ScaledSchedule} around its schedule or fixed rate: per-layer ratios
 * stay, a warmup or cosine keeps running underneath, updater state (Adam moments) is kept;</li>
 * <li>the rule sees the reference learning rate, the largest effective rate of the network's updaters at the next
 * step, and its first value is the rate a reset returns to;</li>
 * <li>metric sources: the mean training loss of the epoch (default), the loss, accuracy or F1 on a validation
 * iterator, or values passed to {@link #report(Model, double)} ({@code EarlyStoppingTrainer} through
 * {@link #earlyStoppingListener()}, {@code ParallelWrapper}'s root model); decisions at the end of every epoch or
 * every N iterations;</li>
 * <li>{@link #checkpoint(Model, File)}, {@link #saveState(File)} and {@link #restoreState(File)} keep the rule's state
 * (key {@value #STATE_KEY}) in the model zip, so a resumed run makes the same decisions.</li>
 * </ul>
 *
 * {@link #history()} lists every change, raises and lowerings alike, as {@link Reduction} records (old and new
 * reference rate). Thread-safe. Example: {@code GreedyLrListener.builder().patience(2).factor(0.9)
 * .validationLoss(validation).build()}.
 *
 * @see <a href="https://arxiv.org/abs/2512.14527">GreedyLR: A Novel Adaptive Learning Rate Scheduler</a>
 */
public final class GreedyLrListener extends MetricRuleListener implements Checkpointable<GreedyLrState> {

    /** Key of the listener's state among the model zip's extra objects. */
    public static final String STATE_KEY = "greedyLr";

    private GreedyLr rule;

    private GreedyLrListener(Builder b) {
        super(b);
        this.rule = b.rule.mode(source.mode()).build();
    }

    /** A builder with Hugging Face's defaults for the rule and the mean training loss, decided every epoch. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    synchronized double nextRate(double value, double currentLr) {
        return rule.step(value, currentLr);
    }

    @Override
    synchronized double best() {
        return rule.getBest();
    }

    @Override
    String ruleName() {
        return "GreedyLR";
    }

    @Override
    String stateKey() {
        return STATE_KEY;
    }

    @Override
    Serializable checkpointState() {
        return state();
    }

    @Override
    void restoreCheckpointState(Object state) {
        restore((GreedyLrState) state);
    }

    /** A copy of the rule in its current state. */
    public synchronized GreedyLr rule() {
        return rule.copy();
    }

    /** Everything needed to continue exactly: the rule, what was gathered since the last decision, the history. */
    /** {@value #STATE_KEY}: the key of this listener's state in a {@link io.github.lrschedules.checkpoint.Checkpoint}. */
    @Override
    public String checkpointKey() {
        return STATE_KEY;
    }

    @Override
    public synchronized GreedyLrState state() {
        return new GreedyLrState(rule, source.gatheredSum(), source.gatheredCount(), historyList());
    }

    /**
     * Continues from a state taken with {@link #state()}.
     *
     * @throws IllegalArgumentException if the state's rule monitors the other direction (MIN or MAX) than this
     *                                  listener's metric
     */
    @Override
    public synchronized void restore(GreedyLrState state) {
        Args.notNull("state", state);
        GreedyLr restored = state.getRule();
        if (restored.getMode() != source.mode()) {
            throw new IllegalArgumentException("state (a rule in mode " + restored.getMode() + ") must monitor "
                    + source.mode() + " like this listener's metric " + source.metric());
        }
        rule = restored;
        restoreGatheredAndHistory(state.getLossSum(), state.getLossCount(), state.getHistory());
    }

    @Override
    public synchronized String toString() {
        return "GreedyLrListener{" + describeTiming() + ", rule=" + rule + ", changes=" + history().size() + "}";
    }

    /**
     * Builds a {@link GreedyLrListener}: the rule's parameters (Hugging Face's defaults, see {@link GreedyLr}), and
     * at most one metric source and one timing, as for {@link ReduceLROnPlateauListener.Builder}. The metric decides
     * the rule's mode (MIN for losses, MAX for accuracy and F1, the given mode for {@code reported(mode)}).
     * {@link #build()} refuses options that contradict each other with an {@code IllegalStateException} naming both.
     */
    public static final class Builder extends MetricOptions<Builder> {
        private final GreedyLr.Builder rule = GreedyLr.builder();

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /** See {@link GreedyLr.Builder#factor(double)}: in (0, 1), default 0.95. */
        public Builder factor(double factor) {
            rule.factor(factor);
            return this;
        }

        /** See {@link GreedyLr.Builder#patience(int)}: &gt;= 0, default 10. */
        public Builder patience(int patience) {
            rule.patience(patience);
            return this;
        }

        /** See {@link GreedyLr.Builder#threshold(double)}: default 1e-6. */
        public Builder threshold(double threshold) {
            rule.threshold(threshold);
            return this;
        }

        /** See {@link GreedyLr.Builder#thresholdMode}: default ABS. */
        public Builder thresholdMode(PlateauTracker.ThresholdMode thresholdMode) {
            rule.thresholdMode(thresholdMode);
            return this;
        }

        /** Periods ignored after a lowering; default 0. */
        public Builder cooldown(int cooldown) {
            rule.cooldown(cooldown);
            return this;
        }

        /** Periods ignored after a raise; default 0. */
        public Builder warmup(int warmup) {
            rule.warmup(warmup);
            return this;
        }

        /** Lower bound of the reference rate; default 1e-3. */
        public Builder minLr(double minLr) {
            rule.minLr(minLr);
            return this;
        }

        /** Upper bound of the reference rate; default 1. */
        public Builder maxLr(double maxLr) {
            rule.maxLr(maxLr);
            return this;
        }

        /** Changes smaller than this are skipped; default 1e-8. */
        public Builder eps(double eps) {
            rule.eps(eps);
            return this;
        }

        /** Decide on the mean of the last {@code windowSize} metrics; default false. */
        public Builder smooth(boolean smooth) {
            rule.smooth(smooth);
            return this;
        }

        /** Length of the smoothing window; default 50. */
        public Builder windowSize(int windowSize) {
            rule.windowSize(windowSize);
            return this;
        }

        /** Lowerings at {@code minLr} before the rule resets to its first rate; default 500. */
        public Builder resetStart(int resetStart) {
            rule.resetStart(resetStart);
            return this;
        }

        /**
         * @throws IllegalStateException    for options that contradict each other (two metric sources, two timings,
         *                                  {@code reported(mode)} with a timing)
         * @throws IllegalArgumentException if {@code minLr > maxLr}
         */
        public GreedyLrListener build() {
            checkOptions();
            return new GreedyLrListener(this);
        }
    }
}
