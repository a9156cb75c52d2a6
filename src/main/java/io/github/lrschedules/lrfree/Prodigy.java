package io.github.lrschedules.lrfree;

import io.github.lrschedules.internal.Args;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Prodigy (Mishchenko &amp; Defazio 2023), a learning-rate-free Adam, as a DL4J {@code IUpdater}: it estimates the step
 * size {@code d} from the distance travelled, so the learning rate stays 1 (or a schedule that treats 1 as its peak,
 * the authors recommend a cosine over the run). The step of {@code optax.contrib.prodigy}, per updater block, with
 * {@code t} the steps taken, {@code lr = lr(iteration, epoch)}, {@code x0} the parameters before the first step:
 *
 * <pre>
 * bc  = sqrt(1 - beta2^(t+1)) / (1 - beta1^(t+1));   dlr = d * lr * bc                 (d = estimatedLr0 at t = 0)
 * m   = beta1 m + (1 - beta1) d g;                     v = beta2 v + (1 - beta2) d^2 g^2
 * s   = beta3 s + (dlr, or d with safeguardWarmup) * d g / estimatedLr0
 * num = beta3 num + (d / estimatedLr0) * dlr * &lt;g, x0 - x&gt;
 * d'  = max(d, estimatedLrCoefficient * num / sum|s|)
 * x   = x - dlr * m / (sqrt(v) + d' * epsilon) - weightDecay * dlr * x
 * </pre>
 *
 * The effective learning rate of step {@code t} is {@code d * lr(t)} ({@link LearningRateFree#effectiveLearningRates});
 * the estimate only grows. Where optax divides 0 by 0 (every {@code s} still 0, e.g. a warmup that starts at lr 0),
 * {@code d} stays as it is instead of becoming NaN.
 *
 * <p>Needs {@code x0 - x}, which DL4J does not pass to updaters: call {@link LearningRateFree#attach(org.deeplearning4j.nn.api.Model)}
 * (or {@code ScheduleFree.attach}) once before training and again after a restore; without it the first step fails
 * with a message that says so. With it the difference is taken from the network's real parameters, so it stays
 * exact when DL4J changes them outside the updater (its {@code WeightDecay} regularization, constraints).
 * {@code weightDecay} here is the decoupled decay of optax and the authors ({@code dlr * weightDecay * x}); DL4J's
 * {@code l2(...)} is the coupled one (optax's {@code add_decayed_weights} before the optimizer); DL4J's
 * {@code weightDecay(...)} regularization scales by {@code lr(t)}, not by {@code d}.
 *
 * <p>The estimate is per updater block: one {@code d} over every parameter the block holds. One updater
 * configuration for the whole network is one block, as optax's estimate is over the whole parameter tree; layers
 * (or biases) given different configurations are separate blocks, each with its own {@code d} (optax's
 * {@code partition} with one {@code prodigy} per group).
 *
 * <p>State: {@code 4n + 5} numbers per parameter array of {@code n} values ({@code m}, {@code v}, {@code s},
 * {@code x0}; the step count, {@code d}, {@code num} and what the last step used) in DL4J's updater state view:
 * saved by {@code ModelSerializer.writeModel(net, file, true)}, so a restored network continues exactly.
 *
 * <p>Example (a test asserts it): one parameter {@code w = 1}, gradient {@code 2w}, the defaults. The first step
 * uses {@code d = 1e-6}: {@code m = 2e-7}, {@code sqrt(v) = 6.3246e-8}, {@code dlr = 1e-6 * sqrt(0.001) / 0.1}, so
 * {@code w} moves by {@code 1e-6 * sqrt(v) / (sqrt(v) + 1e-14) = 9.99999842e-7}; {@code d} is still {@code 1e-6}
 * at the third step (a single parameter this close to {@code x0} gives a numerator far below {@code d * sum|s|}).
 *
 * @see <a href="https://arxiv.org/abs/2306.06101">Mishchenko &amp; Defazio, Prodigy (2023)</a>
 */
public final class Prodigy implements IUpdater {

    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_LEARNING_RATE = 1.0;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;
    public static final double DEFAULT_ESTIMATED_LR0 = 1e-6;
    public static final double DEFAULT_ESTIMATED_LR_COEFFICIENT = 1.0;

    private double learningRate;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    private ISchedule learningRateSchedule;
    private final double beta1;
    private final double beta2;
    private final double beta3;
    private final double epsilon;
    private final double estimatedLr0;
    private final double estimatedLrCoefficient;
    private final double weightDecay;
    private final boolean safeguardWarmup;

    /**
     * The constructor JSON uses; every property must be present. The builder has optax's defaults.
     *
     * @param learningRate           multiplies the estimated step, &gt; 0 (default 1); ignored (and &gt;= 0) with a
     *                               schedule
     * @param learningRateSchedule   a schedule instead of the constant, or null
     * @param beta1                  first-moment decay, in [0, 1) (default 0.9)
     * @param beta2                  second-moment decay, in [0, 1) (default 0.999)
     * @param beta3                  decay of the estimate's sums, in [0, 1] (default {@code sqrt(beta2)})
     * @param epsilon                added to {@code sqrt(v)} after scaling by {@code d}, &gt; 0 (default 1e-8)
     * @param estimatedLr0           the initial under-estimate of {@code d}, &gt; 0 (default 1e-6)
     * @param estimatedLrCoefficient multiplies every estimate, &gt; 0 (default 1)
     * @param weightDecay            decoupled weight decay, &gt;= 0 (default 0)
     * @param safeguardWarmup        leave {@code lr} out of the sum {@code s} (default false), for warmups
     */
    @JsonCreator
    public Prodigy(@JsonProperty(value = "learningRate", required = true) double learningRate,
                   @JsonProperty(value = "learningRateSchedule", required = true) ISchedule learningRateSchedule,
                   @JsonProperty(value = "beta1", required = true) double beta1,
                   @JsonProperty(value = "beta2", required = true) double beta2,
                   @JsonProperty(value = "beta3", required = true) double beta3,
                   @JsonProperty(value = "epsilon", required = true) double epsilon,
                   @JsonProperty(value = "estimatedLr0", required = true) double estimatedLr0,
                   @JsonProperty(value = "estimatedLrCoefficient", required = true) double estimatedLrCoefficient,
                   @JsonProperty(value = "weightDecay", required = true) double weightDecay,
                   @JsonProperty(value = "safeguardWarmup", required = true) boolean safeguardWarmup) {
        this.learningRate = checkRate(learningRate, learningRateSchedule);
        this.learningRateSchedule = learningRateSchedule;
        this.beta1 = Args.inHalfOpenRange("beta1", beta1, 0, 1);
        this.beta2 = Args.inHalfOpenRange("beta2", beta2, 0, 1);
        this.beta3 = Args.inClosedRange("beta3", beta3, 0, 1);
        this.epsilon = Args.positive("epsilon", epsilon);
        this.estimatedLr0 = Args.positive("estimatedLr0", estimatedLr0);
        this.estimatedLrCoefficient = Args.positive("estimatedLrCoefficient", estimatedLrCoefficient);
        this.weightDecay = Args.nonNegative("weightDecay", weightDecay);
        this.safeguardWarmup = safeguardWarmup;
    }

    static double checkRate(double learningRate, ISchedule schedule) {
        return schedule == null ? Args.positive("learningRate", learningRate)
                : Args.nonNegative("learningRate", learningRate);
    }

    /** A builder with optax's defaults: lr 1, betas 0.9/0.999, beta3 sqrt(beta2), eps 1e-8, d0 1e-6, no decay. */
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

    public double getBeta3() {
        return beta3;
    }

    public double getEpsilon() {
        return epsilon;
    }

    public double getEstimatedLr0() {
        return estimatedLr0;
    }

    public double getEstimatedLrCoefficient() {
        return estimatedLrCoefficient;
    }

    public double getWeightDecay() {
        return weightDecay;
    }

    public boolean isSafeguardWarmup() {
        return safeguardWarmup;
    }

    @Override
    public long stateSize(long numParams) {
        return LearningRateFreeUpdater.stateSize(ProdigyUpdater.ARRAYS, numParams);
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        return LearningRateFreeUpdater.bind(new ProdigyUpdater(this), viewArray, initializeViewArray);
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        return LearningRateFreeUpdater.bind(new ProdigyUpdater(this), updaterState, initializeStateArrays);
    }

    @Override
    public Prodigy clone() {
        return new Prodigy(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), beta1,
                beta2, beta3, epsilon, estimatedLr0, estimatedLrCoefficient, weightDecay, safeguardWarmup);
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
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Prodigy)) {
            return false;
        }
        Prodigy that = (Prodigy) o;
        return Double.compare(learningRate, that.learningRate) == 0
                && Objects.equals(learningRateSchedule, that.learningRateSchedule)
                && Double.compare(beta1, that.beta1) == 0
                && Double.compare(beta2, that.beta2) == 0
                && Double.compare(beta3, that.beta3) == 0
                && Double.compare(epsilon, that.epsilon) == 0
                && Double.compare(estimatedLr0, that.estimatedLr0) == 0
                && Double.compare(estimatedLrCoefficient, that.estimatedLrCoefficient) == 0
                && Double.compare(weightDecay, that.weightDecay) == 0
                && safeguardWarmup == that.safeguardWarmup;
    }

    @Override
    public int hashCode() {
        int h = Double.hashCode(learningRate);
        h = 31 * h + Objects.hashCode(learningRateSchedule);
        h = 31 * h + Double.hashCode(beta1);
        h = 31 * h + Double.hashCode(beta2);
        h = 31 * h + Double.hashCode(beta3);
        h = 31 * h + Double.hashCode(epsilon);
        h = 31 * h + Double.hashCode(estimatedLr0);
        h = 31 * h + Double.hashCode(estimatedLrCoefficient);
        h = 31 * h + Double.hashCode(weightDecay);
        return 31 * h + Boolean.hashCode(safeguardWarmup);
    }

    @Override
    public String toString() {
        return "Prodigy{" + (learningRateSchedule == null ? "learningRate=" + learningRate
                : "learningRateSchedule=" + learningRateSchedule)
                + ", beta1=" + beta1 + ", beta2=" + beta2 + ", beta3=" + beta3 + ", epsilon=" + epsilon
                + ", estimatedLr0=" + estimatedLr0 + ", estimatedLrCoefficient=" + estimatedLrCoefficient
                + ", weightDecay=" + weightDecay + ", safeguardWarmup=" + safeguardWarmup + "}";
    }

    /** Builder for {@link Prodigy}; unset values are optax's defaults ({@code beta3}: {@code sqrt(beta2)}). */
    public static final class Builder {
        private double learningRate = DEFAULT_LEARNING_RATE;
        private ISchedule learningRateSchedule;
        private double beta1 = DEFAULT_BETA1;
        private double beta2 = DEFAULT_BETA2;
        private Double beta3;
        private double epsilon = DEFAULT_EPSILON;
        private double estimatedLr0 = DEFAULT_ESTIMATED_LR0;
        private double estimatedLrCoefficient = DEFAULT_ESTIMATED_LR_COEFFICIENT;
        private double weightDecay;
        private boolean safeguardWarmup;

        private Builder() {
        }

        /** A constant that multiplies the estimated step (default 1); replaces a schedule set before. */
        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            this.learningRateSchedule = null;
            return this;
        }

        /** A schedule that multiplies the estimated step, e.g. a cosine from 1 to 0 over the run. */
        public Builder learningRate(ISchedule learningRateSchedule) {
            this.learningRateSchedule = Args.schedule("learningRateSchedule", learningRateSchedule);
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

        /** Decay of the estimate's sums; {@code sqrt(beta2)} when not set. */
        public Builder beta3(double beta3) {
            this.beta3 = beta3;
            return this;
        }

        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Builder estimatedLr0(double estimatedLr0) {
            this.estimatedLr0 = estimatedLr0;
            return this;
        }

        public Builder estimatedLrCoefficient(double estimatedLrCoefficient) {
            this.estimatedLrCoefficient = estimatedLrCoefficient;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public Builder safeguardWarmup(boolean safeguardWarmup) {
            this.safeguardWarmup = safeguardWarmup;
            return this;
        }

        public Prodigy build() {
            return new Prodigy(learningRateSchedule == null ? learningRate : 0, learningRateSchedule, beta1, beta2,
                    beta3 != null ? beta3 : Math.sqrt(beta2), epsilon, estimatedLr0, estimatedLrCoefficient,
                    weightDecay, safeguardWarmup);
        }
    }
}
