package io.github.lrschedules.plateau;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link ReduceLROnPlateauListener} needs to continue exactly where it was: the tracker's state (best,
 * bad periods, cooldown), what the metric source gathered since the last decision (the partial training loss of the
 * epoch), and the reductions made so far. Taken with {@link ReduceLROnPlateauListener#state()}, given back with
 * {@link ReduceLROnPlateauListener#restore(ReduceLROnPlateauState)}, and stored in a model zip (Java serialization)
 * by {@link ReduceLROnPlateauListener#checkpoint} and {@link ReduceLROnPlateauListener#saveState}. Immutable.
 */
public final class ReduceLROnPlateauState implements Serializable {
    private static final long serialVersionUID = 1L;

    private final PlateauTracker.State tracker;
    private final double lossSum;
    private final long lossCount;
    private final List<Reduction> history;

    ReduceLROnPlateauState(PlateauTracker.State tracker, double lossSum, long lossCount, List<Reduction> history) {
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.lossSum = lossSum;
        this.lossCount = lossCount;
        this.history = new ArrayList<>(history);
    }

    public PlateauTracker.State getTracker() {
        return tracker;
    }

    /** The reductions made so far, oldest first. */
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
    public boolean equals(Object o) {
        if (!(o instanceof ReduceLROnPlateauState)) {
            return false;
        }
        ReduceLROnPlateauState s = (ReduceLROnPlateauState) o;
        return tracker.equals(s.tracker) && Double.compare(lossSum, s.lossSum) == 0 && lossCount == s.lossCount
                && history.equals(s.history);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tracker, lossSum, lossCount, history);
    }

    @Override
    public String toString() {
        return "ReduceLROnPlateauState{tracker=" + tracker + ", lossSum=" + lossSum + ", lossCount=" + lossCount
                + ", reductions=" + history.size() + "}";
    }
}
