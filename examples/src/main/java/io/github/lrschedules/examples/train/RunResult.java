package io.github.lrschedules.examples.train;

import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.plateau.Reduction;
import java.io.Serializable;
import java.util.List;

/**
 * One schedule's run: per-iteration learning rate and loss, per-epoch measurements, totals. Serializable, so that a
 * resumable run can keep the schedules that finished (and the epochs done so far of the one that is running).
 */
public final class RunResult implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ScheduleName schedule;
    private final String configuration;
    private final int batchesPerEpoch;
    private final int[] iterations;
    private final int[] epochs;
    private final double[] learningRates;
    private final double[] losses;
    private final List<EpochStats> epochStats;
    private final List<Reduction> reductions;
    private final double seconds;
    private final double target;
    private final int divergedAt;

    public RunResult(ScheduleName schedule, String configuration, int batchesPerEpoch, int[] iterations, int[] epochs,
              double[] learningRates, double[] losses, List<EpochStats> epochStats,
              List<Reduction> reductions, double seconds, double target, int divergedAt) {
        this.schedule = schedule;
        this.configuration = configuration;
        this.batchesPerEpoch = batchesPerEpoch;
        this.iterations = iterations;
        this.epochs = epochs;
        this.learningRates = learningRates;
        this.losses = losses;
        this.epochStats = List.copyOf(epochStats);
        this.reductions = List.copyOf(reductions);
        this.seconds = seconds;
        this.target = target;
        this.divergedAt = divergedAt;
    }

    /** The epoch (from 0) whose training loss became NaN or infinite, after which the run stopped; -1 if none. */
    public int divergedAt() {
        return divergedAt;
    }

    public ScheduleName schedule() {
        return schedule;
    }

    /** The updater as configured (the library's {@code toString} of the schedules). */
    public String configuration() {
        return configuration;
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** DL4J's iteration number of each recorded step (not copied). */
    public int[] iterations() {
        return iterations;
    }

    /** DL4J's 0-based epoch of each recorded step (not copied). */
    public int[] epochs() {
        return epochs;
    }

    /** Learning rate applied to the first layer's weights at each step, as recorded (not copied). */
    public double[] learningRates() {
        return learningRates;
    }

    /** Mini-batch loss of each step (not copied). */
    public double[] losses() {
        return losses;
    }

    public List<EpochStats> epochStats() {
        return epochStats;
    }

    /** Plateau reductions, oldest first (empty for other schedules). */
    public List<Reduction> reductions() {
        return reductions;
    }

    /** Wall time of the run: training and the per-epoch evaluations. */
    public double seconds() {
        return seconds;
    }

    public EpochStats last() {
        return epochStats.get(epochStats.size() - 1);
    }

    public double testAccuracy() {
        return last().testAccuracy();
    }

    /** The epoch with the highest test accuracy (the earliest of equals). */
    public EpochStats best() {
        EpochStats best = epochStats.get(0);
        for (EpochStats e : epochStats) {
            if (e.testAccuracy() > best.testAccuracy()) {
                best = e;
            }
        }
        return best;
    }

    /** The accuracy {@link #epochsToTarget()} waits for. */
    public double target() {
        return target;
    }

    /** Epochs trained until the test accuracy reached the target (1 if it did after epoch 0), or -1 if it never did. */
    public int epochsToTarget() {
        for (EpochStats e : epochStats) {
            if (e.testAccuracy() >= target) {
                return e.epoch() + 1;
            }
        }
        return -1;
    }
}
