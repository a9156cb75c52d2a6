package io.github.lrschedules.updater;

import io.github.lrschedules.internal.Args;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * PyTorch's Adam, and AdamW's decoupled weight decay, with a schedule for the learning rate, for {@code beta1} and for
 * the weight decay: the one-cycle recipe of PyTorch ({@code OneCycleLR(cycle_momentum=True)} cycles Adam's
 * {@code beta1} against the rate), which DL4J's {@code Adam} (a fixed {@code beta1}) cannot follow.
 *
 * <pre>
 * lr, beta1, wd = the three schedules at (iteration, epoch);  t = iteration + 1
 * p = p - lr * wd * p                                       (decoupled weight decay, only when wd != 0)
 * m = m + (1 - beta1) (g - m)                               (PyTorch's lerp)
 * v = beta2 v + (1 - beta2) g^2
 * p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)
 * </pre>
 *
 * as {@code torch.optim.Adam}/{@code AdamW} compute it, with the bias correction of the current {@code beta1} (as
 * PyTorch does when a scheduler changes it). The step count {@code t} is DL4J's iteration count plus one, as for DL4J's
 * own {@code Adam}. With {@code OneCycleSchedule}:
 *
 * <pre>
 * OneCycleSchedule.Builder cycle = OneCycleSchedule.builder(ScheduleType.ITERATION, 0.01, totalSteps);
 * new ScheduledAdam(cycle.build(), cycle.buildMomentum(), 0.999, 1e-8, new FixedSchedule(0.01));  // AdamW
 * </pre>
 *
 * <p>Decoupled weight decay ({@code weightDecay} non-zero at a step) needs the parameters, which DL4J never passes to
 * an updater: call {@code ScheduleFree.attach(net)} once before training (after {@code setListeners}; again after a
 * restore), or the step fails with a message that says so. Alternatively leave {@code weightDecay} at 0 and use DL4J's
 * own {@code WeightDecay(schedule, true)} regularization on weights and biases: it multiplies by
 * {@link #getLearningRate(int, int)}, the scheduled rate, and gives the same step.
 *
 * <p>State: {@code m} and {@code v}, two numbers per parameter, in DL4J's updater state view (saved by
 * {@code ModelSerializer.writeModel(net, file, true)}; a restored network continues exactly). A schedule value out of
 * range at a step ({@code beta1} outside [0, 1), a negative or NaN rate or decay) stops the step with an
 * {@code IllegalStateException} naming it.
 *
 * <p>Example (a test asserts it): one parameter {@code p = 1}, gradient 2, {@code lr = 0.1}, {@code beta1 = 0.9},
 * {@code beta2 = 0.999}, {@code epsilon = 1e-8}: the bias-corrected moments of the first step are {@code g} and
 * {@code g^2}, so {@code p = 1 - 0.1 * 2 / (2 + 1e-8) = 0.9} (to 1e-9); with {@code weightDecay = 0.5} also
 * {@code - 0.1 * 0.5 * 1}: {@code p = 0.85}.
 *
 * @see <a href="https://arxiv.org/abs/1412.6980">Kingma and Ba, Adam (2014)</a>
 * @see <a href="https://arxiv.org/abs/1711.05101">Loshchilov and Hutter, Decoupled weight decay regularization
 *      (2017)</a>
 */
public final class ScheduledAdam implements IUpdater {

    private static final long serialVersionUID = 1L;

    /** PyTorch's defaults. */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;
    /** AdamW's default weight decay in PyTorch (Adam's is 0, the builder's default). */
    public static final double DEFAULT_ADAMW_WEIGHT_DECAY = 0.01;

    private ISchedule learningRateSchedule;
    private final ISchedule beta1Schedule;
    private final double beta2;
    private final double epsilon;
    private final ISchedule weightDecaySchedule;

    /**
     * @param learningRate the learning rate per step ({@code FixedSchedule} for a constant)
     * @param beta1        the first-moment decay per step, values in [0, 1) ({@code buildMomentum()} of a
     *                     {@code OneCycleSchedule.Builder} for PyTorch's cycled momentum)
     * @param beta2        the second-moment decay, in [0, 1)
     * @param epsilon      added to the root of the second moment, &gt; 0
     * @param weightDecay  decoupled weight decay per step, values &gt;= 0 ({@code FixedSchedule(0)}: plain Adam)
     */
    @JsonCreator
    public ScheduledAdam(@JsonProperty(value = "learningRateSchedule", required = true) ISchedule learningRate,
                         @JsonProperty(value = "beta1Schedule", required = true) ISchedule beta1,
                         @JsonProperty(value = "beta2", required = true) double beta2,
                         @JsonProperty(value = "epsilon", required = true) double epsilon,
                         @JsonProperty(value = "weightDecaySchedule", required = true) ISchedule weightDecay) {
        this.learningRateSchedule = Args.schedule("learningRate", learningRate);
        this.beta1Schedule = Args.schedule("beta1", beta1);
        this.beta2 = Args.inHalfOpenRange("beta2", beta2, 0, 1);
        this.epsilon = Args.positive("epsilon", epsilon);
        this.weightDecaySchedule = Args.schedule("weightDecay", weightDecay);
    }

    /** A builder with PyTorch Adam's defaults: lr 1e-3, betas 0.9/0.999, epsilon 1e-8, no weight decay. */
    public static Builder builder() {
        return new Builder();
    }

    /** The learning-rate schedule. */
    public ISchedule getLearningRateSchedule() {
        return learningRateSchedule;
    }

    /** The schedule of {@code beta1}. */
    public ISchedule getBeta1Schedule() {
        return beta1Schedule;
    }

    /** The second-moment decay. */
    public double getBeta2() {
        return beta2;
    }

    /** Added to the root of the second moment. */
    public double getEpsilon() {
        return epsilon;
    }

    /** The schedule of the decoupled weight decay. */
    public ISchedule getWeightDecaySchedule() {
        return weightDecaySchedule;
    }

    /** {@code beta1} at a step. */
    public double beta1(int iteration, int epoch) {
        return beta1Schedule.valueAt(iteration, epoch);
    }

    /** The decoupled weight decay at a step. */
    public double weightDecay(int iteration, int epoch) {
        return weightDecaySchedule.valueAt(iteration, epoch);
    }

    /** The learning-rate schedule's value: what DL4J's {@code WeightDecay(coefficient, true)} multiplies by. */
    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule.valueAt(iteration, epoch);
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    /**
     * What DL4J's {@code setLearningRate} and the plateau listener call: {@code lrSchedule}, or a
     * {@code FixedSchedule(lr)} when it is null. The updater state stays.
     */
    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        if (lrSchedule == null) {
            Args.nonNegative("lr", lr);
            this.learningRateSchedule = new FixedSchedule(lr);
        } else {
            this.learningRateSchedule = lrSchedule;
        }
    }

    /** {@code m} and {@code v}: two numbers per parameter. */
    @Override
    public long stateSize(long numParams) {
        return 2 * numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        ScheduledAdamUpdater updater = new ScheduledAdamUpdater(this);
        updater.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return updater;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        ScheduledAdamUpdater updater = new ScheduledAdamUpdater(this);
        updater.setState(updaterState, initializeStateArrays);
        return updater;
    }

    @Override
    public ScheduledAdam clone() {
        return new ScheduledAdam(learningRateSchedule.clone(), beta1Schedule.clone(), beta2, epsilon,
                weightDecaySchedule.clone());
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ScheduledAdam)) {
            return false;
        }
        ScheduledAdam that = (ScheduledAdam) o;
        return learningRateSchedule.equals(that.learningRateSchedule) && beta1Schedule.equals(that.beta1Schedule)
                && Double.compare(beta2, that.beta2) == 0 && Double.compare(epsilon, that.epsilon) == 0
                && weightDecaySchedule.equals(that.weightDecaySchedule);
    }

    @Override
    public int hashCode() {
        int h = learningRateSchedule.hashCode();
        h = 31 * h + beta1Schedule.hashCode();
        h = 31 * h + Double.hashCode(beta2);
        h = 31 * h + Double.hashCode(epsilon);
        return 31 * h + weightDecaySchedule.hashCode();
    }

    @Override
    public String toString() {
        return "ScheduledAdam{learningRate=" + learningRateSchedule + ", beta1=" + beta1Schedule + ", beta2=" + beta2
                + ", epsilon=" + epsilon + ", weightDecay=" + weightDecaySchedule + "}";
    }

    /** Builder for {@link ScheduledAdam}; what is not set is PyTorch Adam's default. */
    public static final class Builder {
        private ISchedule learningRate = new FixedSchedule(DEFAULT_LEARNING_RATE);
        private ISchedule beta1 = new FixedSchedule(DEFAULT_BETA1);
        private double beta2 = DEFAULT_BETA2;
        private double epsilon = DEFAULT_EPSILON;
        private ISchedule weightDecay = new FixedSchedule(0);

        private Builder() {
        }

        /** A constant learning rate, &gt;= 0 (default 1e-3). */
        public Builder learningRate(double learningRate) {
            this.learningRate = new FixedSchedule(Args.nonNegative("learningRate", learningRate));
            return this;
        }

        /** A learning-rate schedule, such as {@code OneCycleSchedule.Builder.build()}. */
        public Builder learningRate(ISchedule learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** A constant {@code beta1}, in [0, 1) (default 0.9). */
        public Builder beta1(double beta1) {
            this.beta1 = new FixedSchedule(Args.inHalfOpenRange("beta1", beta1, 0, 1));
            return this;
        }

        /** A schedule for {@code beta1}, such as {@code OneCycleSchedule.Builder.buildMomentum()}. */
        public Builder beta1(ISchedule beta1) {
            this.beta1 = beta1;
            return this;
        }

        /** {@code beta2}, in [0, 1) (default 0.999). */
        public Builder beta2(double beta2) {
            this.beta2 = beta2;
            return this;
        }

        /** {@code epsilon}, &gt; 0 (default 1e-8). */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Decoupled (AdamW) weight decay; PyTorch's AdamW default is {@link #DEFAULT_ADAMW_WEIGHT_DECAY}. */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = new FixedSchedule(Args.nonNegative("weightDecay", weightDecay));
            return this;
        }

        /** A schedule for the decoupled weight decay. */
        public Builder weightDecay(ISchedule weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** The updater; checks the arguments as the constructor does. */
        public ScheduledAdam build() {
            return new ScheduledAdam(learningRate, beta1, beta2, epsilon, weightDecay);
        }
    }
}
