package io.github.lrschedules.plateau;

import java.io.Serializable;
import java.util.Objects;

/**
 * One learning-rate reduction made by a {@link ReduceLROnPlateauListener}: when (the first step that uses the reduced
 * rate), on which metric value, the best value so far, and the reference learning rate before and after. A
 * {@link GreedyLrListener} records its changes, raises ({@code newLr > oldLr}) as well as lowerings, the same way.
 *
 * <p>Example: a listener with {@code factor(0.5)} on a network trained at 0.1 whose loss stalled after epoch 3 of
 * {@code fit(iterator)} records {@code Reduction{epoch=4, iteration=<steps so far>, metric=..., best=..., lr 0.1 ->
 * 0.05}}. Immutable; serializable as part of {@link ReduceLROnPlateauState}.
 */
public final class Reduction implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int iteration;
    private final double metric;
    private final double best;
    private final double oldLr;
    private final double newLr;

    Reduction(int epoch, int iteration, double metric, double best, double oldLr, double newLr) {
        this.epoch = epoch;
        this.iteration = iteration;
        this.metric = metric;
        this.best = best;
        this.oldLr = oldLr;
        this.newLr = newLr;
    }

    /** Epoch of the first step that uses the reduced rate. */
    public int getEpoch() {
        return epoch;
    }

    /** Iteration of the first step that uses the reduced rate. */
    public int getIteration() {
        return iteration;
    }

    /** The metric value that led to the reduction. */
    public double getMetric() {
        return metric;
    }

    /** The best metric value seen before the reduction. */
    public double getBest() {
        return best;
    }

    /** The reference learning rate before the reduction. */
    public double getOldLr() {
        return oldLr;
    }

    /** The reference learning rate after the reduction. */
    public double getNewLr() {
        return newLr;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Reduction)) {
            return false;
        }
        Reduction r = (Reduction) o;
        return epoch == r.epoch && iteration == r.iteration && Double.compare(metric, r.metric) == 0
                && Double.compare(best, r.best) == 0 && Double.compare(oldLr, r.oldLr) == 0
                && Double.compare(newLr, r.newLr) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, iteration, metric, best, oldLr, newLr);
    }

    @Override
    public String toString() {
        return "Reduction{epoch=" + epoch + ", iteration=" + iteration + ", metric=" + metric + ", best=" + best
                + ", lr " + oldLr + " -> " + newLr + "}";
    }
}
