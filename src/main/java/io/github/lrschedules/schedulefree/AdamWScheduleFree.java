package io.github.lrschedules.schedulefree;

import io.github.lrschedules.internal.Args;
import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Schedule-free AdamW (Defazio et al. 2024, Algorithm 1 with {@code r = 0} and {@code weight_lr_power = 2}, as in the
 * authors' {@code adamw_schedulefree_reference.py}) as a DL4J {@code IUpdater}; the winner of the AlgoPerf 2024
 * self-tuning track.
 *
 * <pre>
 * lr_t   = lr * (t+1) / warmupSteps  for t &lt; warmupSteps, else lr     (t = steps taken, from 0)
 * lr_max = max(lr_max, lr_t);  c = lr_max^2 / sum over steps of lr_max^2
 * v      = beta2 v + (1 - beta2) g(y)^2
 * z      = z - lr_t * weightDecay * y - lr_t * g(y) / (sqrt(v / (1 - beta2^(t+1))) + epsilon)
 * x      = (1 - c) x + c z
 * y      = beta1 * x + (1 - beta1) * z
 * </pre>
 *
 * The network's parameters during training are {@code y}; evaluate, predict and export at {@code x} inside
 * {@link ScheduleFree#evaluationWeights}. There is no first moment: {@code beta1} is the interpolation. Decoupled
 * weight decay ({@code weightDecay > 0}) needs the absolute parameters, which DL4J does not pass to updaters: call
 * {@link ScheduleFree#attach} once before training, or the first step fails with a message that says so. DL4J's
 * {@code l2(...)} still works and adds {@code l2 * y} to the gradient (coupled L2, normalised by {@code v}).
 *
 * <p>State: {@code 3n + 4} numbers per parameter array of {@code n} values ({@code z}, {@code x}, {@code v}, and the
 * step count, weight sum, {@code lr_max} and a flag), in DL4J's updater state view: saved by
 * {@code ModelSerializer.writeModel(net, file, true)}.
 *
 * <p>Example (a test asserts it): one parameter {@code w = 1}, gradient {@code 2w}, {@code lr = 0.1},
 * {@code beta1 = 0.5}, {@code beta2 = 0.999}, {@code epsilon = 1e-8}, no warmup, no decay: the bias-corrected
 * {@code v} of the first step is {@code g^2}, so {@code z} moves by {@code lr * 2 / (2 + 1e-8)}:
 * {@code z = x = y = 0.9} (to 1e-9).
 *
 * @see <a href="https://arxiv.org/abs/2405.15682">Defazio et al., The Road Less Scheduled (2024)</a>
 */
public final class AdamWScheduleFree implements ScheduleFreeConfig {

    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_LEARNING_RATE = 0.0025;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;

    private double learningRate;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    private ISchedule learningRateSchedule;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final int warmupSteps;
    private final double weightDecay;

    /**
     * @param learningRate the peak learning rate, &gt; 0 (the reference's default is 0.0025)
     * @param beta1        interpolation between {@code x} and {@code z}, in [0, 1] (default 0.9)
     * @param beta2        decay of the second moment, in [0, 1) (default 0.999)
     * @param epsilon      added to the root of the second moment, &gt; 0 (default 1e-8)
     * @param warmupSteps  length of the linear warmup in steps, &gt;= 0
     * @param weightDecay  decoupled weight decay at {@code y}, &gt;= 0 (needs {@link ScheduleFree#attach} when &gt; 0)
     */
    public AdamWScheduleFree(double learningRate, double beta1, double beta2, double epsilon, int warmupSteps,
                             double weightDecay) {
        this(learningRate, null, beta1, beta2, epsilon, warmupSteps, weightDecay);
    }

    /** A learning-rate schedule instead of a constant (still multiplied by the warmup ramp). */
    public AdamWScheduleFree(ISchedule learningRateSchedule, double beta1, double beta2, double epsilon,
                             int warmupSteps, double weightDecay) {
        this(0, Args.schedule("learningRateSchedule", learningRateSchedule), beta1, beta2, epsilon, warmupSteps,
                weightDecay);
    }

    /**
     * The constructor JSON uses; every property must be present ({@code learningRateSchedule} may be null, and then
     * {@code learningRate} must be &gt; 0; with a schedule {@code learningRate} is ignored and must be &gt;= 0).
     */
    @JsonCreator
    public AdamWScheduleFree(@JsonProperty(value = "learningRate", required = true) double learningRate,
                             @JsonProperty(value = "learningRateSchedule", required = true)
                                     ISchedule learningRateSchedule,
                             @JsonProperty(value = "beta1", required = true) double beta1,
                             @JsonProperty(value = "beta2", required = true) double beta2,
                             @JsonProperty(value = "epsilon", required = true) double epsilon,
                             @JsonProperty(value = "warmupSteps", required = true) int warmupSteps,
                             @JsonProperty(value = "weightDecay", required = true) double weightDecay) {
        this.learningRate = SgdScheduleFree.checkRate(learningRate, learningRateSchedule);
        this.learningRateSchedule = learningRateSchedule;
        this.beta1 = Args.inClosedRange("beta1", beta1, 0, 1);
        this.beta2 = Args.inHalfOpenRange("beta2", beta2, 0, 1);
        this.epsilon = Args.positive("epsilon", epsilon);
        this.warmupSteps = Args.nonNegative("warmupSteps", warmupSteps);
        this.weightDecay = Args.nonNegative("weightDecay", weightDecay);
    }

    /** A builder with the reference's defaults: lr 0.0025, betas 0.9/0.999, epsilon 1e-8, no warmup, no decay. */
    public static Builder builder() {
        return new Builder();
    }

    public double getLearningRate() {
        return learningRate;
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public ISchedule getLearningRateSchedule() {
        return learningRateSchedule;
    }

    public double getBeta1() {
        return beta1;
    }

    public double getBeta2() {
        return beta2;
    }

    public double getEpsilon() {
        return epsilon;
    }

    public int getWarmupSteps() {
        return warmupSteps;
    }

    public double getWeightDecay() {
        return weightDecay;
    }

    @Override
    public AdamWScheduleFree clone() {
        return new AdamWScheduleFree(learningRate,
                learningRateSchedule == null ? null : learningRateSchedule.clone(), beta1, beta2, epsilon,
                warmupSteps, weightDecay);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    /** What DL4J's {@code setLearningRate} and the plateau listener call; validated like the constructor. */
    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = SgdScheduleFree.checkRate(lr, lrSchedule);
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public double interpolation() {
        return beta1;
    }

    @Override
    public int warmupSteps() {
        return warmupSteps;
    }

    @Override
    public double decoupledWeightDecay() {
        return weightDecay;
    }

    @Override
    public boolean adaptive() {
        return true;
    }

    @Override
    public double secondMomentDecay() {
        return beta2;
    }

    @Override
    public double epsilon() {
        return epsilon;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AdamWScheduleFree)) {
            return false;
        }
        AdamWScheduleFree that = (AdamWScheduleFree) o;
        return Double.compare(learningRate, that.learningRate) == 0
                && Objects.equals(learningRateSchedule, that.learningRateSchedule)
                && Double.compare(beta1, that.beta1) == 0
                && Double.compare(beta2, that.beta2) == 0
                && Double.compare(epsilon, that.epsilon) == 0
                && warmupSteps == that.warmupSteps
                && Double.compare(weightDecay, that.weightDecay) == 0;
    }

    @Override
    public int hashCode() {
        int h = Double.hashCode(learningRate);
        h = 31 * h + Objects.hashCode(learningRateSchedule);
        h = 31 * h + Double.hashCode(beta1);
        h = 31 * h + Double.hashCode(beta2);
        h = 31 * h + Double.hashCode(epsilon);
        h = 31 * h + warmupSteps;
        return 31 * h + Double.hashCode(weightDecay);
    }

    @Override
    public String toString() {
        return "AdamWScheduleFree{learningRate=" + learningRate
                + (learningRateSchedule == null ? "" : ", learningRateSchedule=" + learningRateSchedule)
                + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ", warmupSteps=" + warmupSteps
                + ", weightDecay=" + weightDecay + "}";
    }

    /** Builder for {@link AdamWScheduleFree}; unset values are the reference's defaults. */
    public static final class Builder {
        private double learningRate = DEFAULT_LEARNING_RATE;
        private ISchedule learningRateSchedule;
        private double beta1 = DEFAULT_BETA1;
        private double beta2 = DEFAULT_BETA2;
        private double epsilon = DEFAULT_EPSILON;
        private int warmupSteps;
        private double weightDecay;

        private Builder() {
        }

        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** Replaces the constant learning rate by a schedule (still multiplied by the warmup ramp). */
        public Builder learningRateSchedule(ISchedule learningRateSchedule) {
            this.learningRateSchedule = learningRateSchedule;
            return this;
        }

        public Builder beta1(double beta1) {
            this.beta1 = beta1;
            return this;
        }

        public Builder beta2(double beta2) {
            this.beta2 = beta2;
            return this;
        }

        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Builder warmupSteps(int warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public AdamWScheduleFree build() {
            return learningRateSchedule == null
                    ? new AdamWScheduleFree(learningRate, beta1, beta2, epsilon, warmupSteps, weightDecay)
                    : new AdamWScheduleFree(learningRateSchedule, beta1, beta2, epsilon, warmupSteps, weightDecay);
        }
    }
}
