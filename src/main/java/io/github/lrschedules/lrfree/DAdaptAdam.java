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
 * D-Adaptation Adam (Defazio &amp; Mishchenko 2023), the learning-rate-free Adam that Prodigy refines, as a DL4J
 * {@code IUpdater}. The step of {@code optax.contrib.dadapt_adamw}, per updater block, with {@code t} the steps
 * taken, {@code lr = lr(iteration, epoch)} and {@code sb2 = sqrt(beta2)}:
 *
 * <pre>
 * bc  = sqrt(1 - beta2^(t+1)) / (1 - beta1^(t+1));   dlr = d * lr * bc                 (d = estimatedLr0 at t = 0)
 * num = sb2 num + (1 - sb2) dlr &lt;g, s / (sqrt(v) + epsilon)&gt;          (s and v before this step)
 * m   = beta1 m + (1 - beta1) dlr g;   v = beta2 v + (1 - beta2) g^2;   s = sb2 s + (1 - sb2) dlr g
 * d'  = max(d, num / ((1 - sb2) sum|s|))
 * x   = x - m / (sqrt(v) + epsilon) - weightDecay * dlr * x
 * </pre>
 *
 * Unlike Prodigy it needs neither {@code x0} nor the parameters, so {@link LearningRateFree#attach} is only needed
 * for {@code weightDecay > 0} (decoupled, optax's); DL4J's {@code l2(...)} is the coupled decay. The effective
 * learning rate of step {@code t} is {@code d * lr(t)}. Where optax divides 0 by 0 (every {@code s} still 0), {@code d}
 * stays as it is instead of becoming NaN. The estimate is per updater block, as for {@link Prodigy}.
 *
 * <p>State: {@code 3n + 5} numbers per parameter array of {@code n} values ({@code m}, {@code v}, {@code s}; the step
 * count, {@code d}, {@code num} and what the last step used) in DL4J's updater state view.
 *
 * <p>Example (a test asserts it): one parameter {@code w = 1}, gradient {@code 2w}, the defaults. The first step
 * moves {@code w} by {@code 9.99999842e-7} (as Prodigy's first step) and leaves {@code d = 1e-6} (the numerator
 * is 0 while {@code s} was 0); the second raises it: the third step uses {@code d = 4.2677255e-6}.
 *
 * @see <a href="https://arxiv.org/abs/2301.07733">Defazio &amp; Mishchenko, Learning-Rate-Free Learning by
 *     D-Adaptation (2023)</a>
 */
public final class DAdaptAdam implements IUpdater {

    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_LEARNING_RATE = 1.0;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;
    public static final double DEFAULT_ESTIMATED_LR0 = 1e-6;

    private double learningRate;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    private ISchedule learningRateSchedule;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double estimatedLr0;
    private final double weightDecay;

    /**
     * The constructor JSON uses; every property must be present. The builder has optax's defaults.
     *
     * @param learningRate         multiplies the estimated step, &gt; 0 (default 1); ignored (and &gt;= 0) with a
     *                             schedule
     * @param learningRateSchedule a schedule instead of the constant, or null
     * @param beta1                first-moment decay, in [0, 1) (default 0.9)
     * @param beta2                second-moment decay, in [0, 1) (default 0.999)
     * @param epsilon              added to {@code sqrt(v)}, &gt; 0 (default 1e-8)
     * @param estimatedLr0         the initial under-estimate of {@code d}, &gt; 0 (default 1e-6)
     * @param weightDecay          decoupled weight decay, &gt;= 0 (default 0; &gt; 0 needs {@link LearningRateFree#attach})
     */
    @JsonCreator
    public DAdaptAdam(@JsonProperty(value = "learningRate", required = true) double learningRate,
                      @JsonProperty(value = "learningRateSchedule", required = true) ISchedule learningRateSchedule,
                      @JsonProperty(value = "beta1", required = true) double beta1,
                      @JsonProperty(value = "beta2", required = true) double beta2,
                      @JsonProperty(value = "epsilon", required = true) double epsilon,
                      @JsonProperty(value = "estimatedLr0", required = true) double estimatedLr0,
                      @JsonProperty(value = "weightDecay", required = true) double weightDecay) {
        this.learningRate = Prodigy.checkRate(learningRate, learningRateSchedule);
        this.learningRateSchedule = learningRateSchedule;
        this.beta1 = Args.inHalfOpenRange("beta1", beta1, 0, 1);
        this.beta2 = Args.inHalfOpenRange("beta2", beta2, 0, 1);
        this.epsilon = Args.positive("epsilon", epsilon);
        this.estimatedLr0 = Args.positive("estimatedLr0", estimatedLr0);
        this.weightDecay = Args.nonNegative("weightDecay", weightDecay);
    }

    /** A builder with optax's defaults: lr 1, betas 0.9/0.999, eps 1e-8, d0 1e-6, no decay. */
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

    public double getEstimatedLr0() {
        return estimatedLr0;
    }

    public double getWeightDecay() {
        return weightDecay;
    }

    @Override
    public long stateSize(long numParams) {
        return LearningRateFreeUpdater.stateSize(DAdaptAdamUpdater.ARRAYS, numParams);
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        return LearningRateFreeUpdater.bind(new DAdaptAdamUpdater(this), viewArray, initializeViewArray);
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        return LearningRateFreeUpdater.bind(new DAdaptAdamUpdater(this), updaterState, initializeStateArrays);
    }

    @Override
    public DAdaptAdam clone() {
        return new DAdaptAdam(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), beta1,
                beta2, epsilon, estimatedLr0, weightDecay);
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
        this.learningRate = Prodigy.checkRate(lr, lrSchedule);
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DAdaptAdam)) {
            return false;
        }
        DAdaptAdam that = (DAdaptAdam) o;
        return Double.compare(learningRate, that.learningRate) == 0
                && Objects.equals(learningRateSchedule, that.learningRateSchedule)
                && Double.compare(beta1, that.beta1) == 0
                && Double.compare(beta2, that.beta2) == 0
                && Double.compare(epsilon, that.epsilon) == 0
                && Double.compare(estimatedLr0, that.estimatedLr0) == 0
                && Double.compare(weightDecay, that.weightDecay) == 0;
    }

    @Override
    public int hashCode() {
        int h = Double.hashCode(learningRate);
        h = 31 * h + Objects.hashCode(learningRateSchedule);
        h = 31 * h + Double.hashCode(beta1);
        h = 31 * h + Double.hashCode(beta2);
        h = 31 * h + Double.hashCode(epsilon);
        h = 31 * h + Double.hashCode(estimatedLr0);
        return 31 * h + Double.hashCode(weightDecay);
    }

    @Override
    public String toString() {
        return "DAdaptAdam{" + (learningRateSchedule == null ? "learningRate=" + learningRate
                : "learningRateSchedule=" + learningRateSchedule)
                + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ", estimatedLr0=" + estimatedLr0
                + ", weightDecay=" + weightDecay + "}";
    }

    /** Builder for {@link DAdaptAdam}; unset values are optax's defaults. */
    public static final class Builder {
        private double learningRate = DEFAULT_LEARNING_RATE;
        private ISchedule learningRateSchedule;
        private double beta1 = DEFAULT_BETA1;
        private double beta2 = DEFAULT_BETA2;
        private double epsilon = DEFAULT_EPSILON;
        private double estimatedLr0 = DEFAULT_ESTIMATED_LR0;
        private double weightDecay;

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

        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Builder estimatedLr0(double estimatedLr0) {
            this.estimatedLr0 = estimatedLr0;
            return this;
        }

        /** Decoupled weight decay (needs {@link LearningRateFree#attach}). */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        public DAdaptAdam build() {
            return new DAdaptAdam(learningRateSchedule == null ? learningRate : 0, learningRateSchedule, beta1, beta2,
                    epsilon, estimatedLr0, weightDecay);
        }
    }
}
