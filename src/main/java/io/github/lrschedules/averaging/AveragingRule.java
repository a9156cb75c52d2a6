package io.github.lrschedules.averaging;

import java.io.Serializable;
import java.util.Objects;

/**
 * When a {@link WeightAveraging} averages and with what weight: the EMA rule of timm's {@code ModelEmaV3} or the
 * equal average of PyTorch's {@code AveragedModel}. Immutable, compared by value (a restored state must come from a
 * listener built the same way).
 */
final class AveragingRule implements Serializable {
    private static final long serialVersionUID = 1L;

    enum Kind { EMA, SWA }

    final Kind kind;
    final double decay;
    final double minDecay;
    final boolean warmup;
    final double warmupGamma;
    final double warmupPower;
    final int updateAfterStep;
    /** Average after the parameter updates {@code s} with {@code s % everyIterations == 0}; 0: at epoch ends. */
    final int everyIterations;
    final int startEpoch;
    final int everyEpochs;

    private AveragingRule(Kind kind, double decay, double minDecay, boolean warmup, double warmupGamma,
                          double warmupPower, int updateAfterStep, int everyIterations, int startEpoch,
                          int everyEpochs) {
        this.kind = kind;
        this.decay = decay;
        this.minDecay = minDecay;
        this.warmup = warmup;
        this.warmupGamma = warmupGamma;
        this.warmupPower = warmupPower;
        this.updateAfterStep = updateAfterStep;
        this.everyIterations = everyIterations;
        this.startEpoch = startEpoch;
        this.everyEpochs = everyEpochs;
    }

    static AveragingRule ema(double decay, double minDecay, boolean warmup, double warmupGamma, double warmupPower,
                             int updateAfterStep, int everyIterations) {
        return new AveragingRule(Kind.EMA, decay, minDecay, warmup, warmupGamma, warmupPower, updateAfterStep,
                everyIterations, 0, 0);
    }

    static AveragingRule swa(int startEpoch, int everyEpochs, int everyIterations) {
        return new AveragingRule(Kind.SWA, 0, 0, false, 0, 0, 0, everyIterations, startEpoch, everyEpochs);
    }

    /** True if the rule averages after the parameter update {@code s} (1-based), made in epoch {@code epoch}. */
    boolean averagesAfterIteration(long s, int epoch) {
        if (everyIterations == 0 || s % everyIterations != 0) {
            return false;
        }
        return kind == Kind.EMA || epoch >= startEpoch;
    }

    /** True if the rule averages at the end of epoch {@code epoch} (0-based, as {@code onEpochEnd} sees it). */
    boolean averagesAfterEpoch(int epoch) {
        return kind == Kind.SWA && everyIterations == 0 && epoch >= startEpoch
                && (epoch - startEpoch) % everyEpochs == 0;
    }

    /**
     * The weight of the network's parameters in an update ({@code avg = avg + weight * (params - avg)}): 1 for the
     * first update ({@code averaged == 0}) and for an EMA step whose decay is 0.
     *
     * @param s        parameter updates so far, this one included
     * @param averaged updates of the average before this one
     */
    double weight(long s, long averaged) {
        if (averaged == 0) {
            return 1.0;
        }
        return kind == Kind.EMA ? 1.0 - decay(s) : 1.0 / (averaged + 1);
    }

    /** timm's {@code ModelEmaV3.get_decay(step)}. */
    double decay(long s) {
        long k = Math.max(0, s - updateAfterStep - 1);
        if (k == 0) {
            return 0.0;
        }
        if (!warmup) {
            return decay;
        }
        double warm = 1 - Math.pow(1 + k / warmupGamma, -warmupPower);
        return Math.max(Math.min(warm, decay), minDecay);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AveragingRule)) {
            return false;
        }
        AveragingRule r = (AveragingRule) o;
        return kind == r.kind && Double.compare(decay, r.decay) == 0 && Double.compare(minDecay, r.minDecay) == 0
                && warmup == r.warmup && Double.compare(warmupGamma, r.warmupGamma) == 0
                && Double.compare(warmupPower, r.warmupPower) == 0 && updateAfterStep == r.updateAfterStep
                && everyIterations == r.everyIterations && startEpoch == r.startEpoch && everyEpochs == r.everyEpochs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, decay, minDecay, warmup, warmupGamma, warmupPower, updateAfterStep, everyIterations,
                startEpoch, everyEpochs);
    }

    /** The builder calls that make this rule: {@code ema(0.999).warmup(1.0, 0.75).everyIterations(2)}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (kind == Kind.EMA) {
            b.append("ema(").append(decay).append(')');
            if (warmup) {
                b.append(".warmup(").append(warmupGamma).append(", ").append(warmupPower).append(')');
            }
            b.append(".minDecay(").append(minDecay).append(").updateAfterStep(").append(updateAfterStep)
                    .append(").everyIterations(").append(everyIterations).append(')');
        } else {
            b.append("swa().startEpoch(").append(startEpoch).append(')');
            b.append(everyIterations > 0 ? ".everyIterations(" + everyIterations + ")"
                    : ".everyEpochs(" + everyEpochs + ")");
        }
        return b.toString();
    }
}
