package io.github.lrschedules.plateau;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link GreedyLrListener} needs to continue exactly where it was: a copy of its {@link GreedyLr} rule
 * (parameters, counters, smoothing window), what the metric source gathered since the last decision (the partial
 * training loss of the epoch), and the rate changes made so far. Taken with {@link GreedyLrListener#state()}, given
 * back with {@link GreedyLrListener#restore(GreedyLrState)}, and stored in a model zip (Java serialization) by
 * {@link GreedyLrListener#checkpoint} and {@link GreedyLrListener#saveState}. Immutable: the rule inside is a copy,
 * and {@link #getRule()} returns another.
 */
public final class GreedyLrState implements Serializable {
    private static final long serialVersionUID = 1L;

    private final GreedyLr rule;
    private final double lossSum;
    private final long lossCount;
    private final List<Reduction> history;

    GreedyLrState(GreedyLr rule, double lossSum, long lossCount, List<Reduction> history) {
        this.rule = Objects.requireNonNull(rule, "rule").copy();
        this.lossSum = lossSum;
        this.lossCount = lossCount;
        this.history = new ArrayList<>(history);
    }

    /** A copy of the rule in the saved state. */
    public GreedyLr getRule() {
        return rule.copy();
    }

    /** The rate changes made so far (raises and lowerings), oldest first. */
    public List<Reduction> getHistory() {
        return Collections.unmodifiableList(history);
    }

    /** Sum of the mini-batch scores since the last decision (training-loss source; 0 for the others). */
    double getLossSum() {
        return lossSum;
    }

    /** Number of mini-batch scores since the last decision (training-loss source; 0 for the others). */
    long getLossCount() {
        return lossCount;
    }

    @Override
    public String toString() {
        return "GreedyLrState{rule=" + rule + ", lossSum=" + lossSum + ", lossCount=" + lossCount + ", changes="
                + history.size() + "}";
    }
}
