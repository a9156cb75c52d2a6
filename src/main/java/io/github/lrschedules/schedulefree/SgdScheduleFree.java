package io.github.lrschedules.schedulefree;

import io.github.lrschedules.internal.Args;
import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Schedule-free SGD (Defazio et al. 2024, Algorithm 1 with {@code r = 0} and {@code weight_lr_power = 2}, as in the
 * authors' {@code sgd_schedulefree_reference.py}) as a DL4J {@code IUpdater}: no learning-rate schedule to choose.
 *
 * <pre>
 * lr_t   = lr * (t+1) / warmupSteps  for t &lt; warmupSteps, else lr     (t = steps taken, from 0)
 * lr_max = max(lr_max, lr_t);  c = lr_max^2 / sum over steps of lr_max^2
 * z      = z - lr_t * g(y)
 * x      = (1 - c) x + c z
 * y      = momentum * x + (1 - momentum) * z
 * </pre>
 *
 * The network's parameters during training are {@code y}; evaluate, predict and export at {@code x} inside
 * {@link ScheduleFree#evaluationWeights}. {@code z = x = y} = the initial parameters. L2 is DL4J's own
 * {@code l2(...)} (it adds {@code l2 * y} to the gradient before the updater, as the reference's weight decay does).
 * A learning-rate {@link ISchedule} may replace the constant: {@code lr} above is then its value at
 * {@code (iteration, epoch)}, still multiplied by the warmup ramp.
 *
 * <p>State: {@code 2n + 4} numbers per parameter array of {@code n} values ({@code z}, {@code x}, and the step count,
 * weight sum, {@code lr_max} and a flag), in DL4J's updater state view: saved by
 * {@code ModelSerializer.writeModel(net, file, true)}, so a restored network continues exactly.
 *
 * <p>Example (a test asserts it): one parameter {@code w = 1}, gradient {@code 2w}, {@code lr = 0.1},
 * {@code momentum = 0.5}, no warmup: the first step gives {@code z = 0.8, x = 0.8, y = 0.8}; the second
 * {@code z = 0.64, x = 0.72, y = 0.68}.
 *
 * @see <a href="https://arxiv.org/abs/2405.15682">Defazio et al., The Road Less Scheduled (2024)</a>
 */
public final class SgdScheduleFree implements ScheduleFreeConfig {

    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_LEARNING_RATE = 1.0;
    public static final double DEFAULT_MOMENTUM = 0.9;

    private double learningRate;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    private ISchedule learningRateSchedule;
    private final double momentum;
    private final int warmupSteps;

    /**
     * @param learningRate the peak learning rate, &gt; 0 (the reference's default is 1.0)
     * @param momentum     interpolation {@code beta} between {@code x} and {@code z}, in [0, 1] (default 0.9)
     * @param warmupSteps  length of the linear warmup in steps, &gt;= 0
     */
    public SgdScheduleFree(double learningRate, double momentum, int warmupSteps) {
        this(learningRate, null, momentum, warmupSteps);
    }

    /** A learning-rate schedule instead of a constant; see the class comment. */
    public SgdScheduleFree(ISchedule learningRateSchedule, double momentum, int warmupSteps) {
        this(0, Args.schedule("learningRateSchedule", learningRateSchedule), momentum, warmupSteps);
    }

    /**
     * The constructor JSON uses; every property must be present ({@code learningRateSchedule} may be null, and then
     * {@code learningRate} must be &gt; 0; with a schedule {@code learningRate} is ignored and must be &gt;= 0).
     */
    @JsonCreator
    public SgdScheduleFree(@JsonProperty(value = "learningRate", required = true) double learningRate,
                           @JsonProperty(value = "learningRateSchedule", required = true) ISchedule learningRateSchedule,
                           @JsonProperty(value = "momentum", required = true) double momentum,
                           @JsonProperty(value = "warmupSteps", required = true) int warmupSteps) {
        this.learningRate = checkRate(learningRate, learningRateSchedule);
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = Args.inClosedRange("momentum", momentum, 0, 1);
        this.warmupSteps = Args.nonNegative("warmupSteps", warmupSteps);
    }

    static double checkRate(double learningRate, ISchedule schedule) {
        return schedule == null ? Args.positive("learningRate", learningRate)
                : Args.nonNegative("learningRate", learningRate);
    }

    /** A builder with the reference's defaults: learning rate 1.0, momentum 0.9, no warmup. */
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

    public double getMomentum() {
        return momentum;
    }

    public int getWarmupSteps() {
        return warmupSteps;
    }

    @Override
    public SgdScheduleFree clone() {
        return new SgdScheduleFree(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(),
                momentum, warmupSteps);
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
        this.learningRate = checkRate(lr, lrSchedule);
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public double interpolation() {
        return momentum;
    }

    @Override
    public int warmupSteps() {
        return warmupSteps;
    }

    @Override
    public double decoupledWeightDecay() {
        return 0;
    }

    @Override
    public boolean adaptive() {
        return false;
    }

    @Override
    public double secondMomentDecay() {
        return 0;
    }

    @Override
    public double epsilon() {
        return 0;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SgdScheduleFree)) {
            return false;
        }
        SgdScheduleFree that = (SgdScheduleFree) o;
        return Double.compare(learningRate, that.learningRate) == 0
                && Objects.equals(learningRateSchedule, that.learningRateSchedule)
                && Double.compare(momentum, that.momentum) == 0
                && warmupSteps == that.warmupSteps;
    }

    @Override
    public int hashCode() {
        int h = Double.hashCode(learningRate);
        h = 31 * h + Objects.hashCode(learningRateSchedule);
        h = 31 * h + Double.hashCode(momentum);
        return 31 * h + warmupSteps;
    }

    @Override
    public String toString() {
        return "SgdScheduleFree{learningRate=" + learningRate
                + (learningRateSchedule == null ? "" : ", learningRateSchedule=" + learningRateSchedule)
                + ", momentum=" + momentum + ", warmupSteps=" + warmupSteps + "}";
    }

    /** Builder for {@link SgdScheduleFree}; unset values are the reference's defaults. */
    public static final class Builder {
        private double learningRate = DEFAULT_LEARNING_RATE;
        private ISchedule learningRateSchedule;
        private double momentum = DEFAULT_MOMENTUM;
        private int warmupSteps;

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

        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        public Builder warmupSteps(int warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        public SgdScheduleFree build() {
            return learningRateSchedule == null ? new SgdScheduleFree(learningRate, momentum, warmupSteps)
                    : new SgdScheduleFree(learningRateSchedule, momentum, warmupSteps);
        }
    }
}
