package io.github.lrschedules.updater;

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
 * Plain (heavy-ball) momentum SGD, as Keras' {@code SGD(momentum=m, nesterov=False)} computes it: the DL4J updater
 * that DL4J itself lacks ({@code Nesterovs} is the look-ahead variant, Keras' {@code nesterov=True}).
 *
 * <pre>
 * v_(t+1) = momentum * v_t - lr_t * g_t              (v_0 = 0)
 * w_(t+1) = w_t + v_(t+1)
 * </pre>
 *
 * {@code lr_t} is {@code learningRateSchedule.valueAt(iteration, epoch)} when a schedule is set, else
 * {@code learningRate}. The velocity {@code v} (one value per parameter, {@link #stateSize} = number of parameters)
 * lives in DL4J's updater state, so {@code ModelSerializer} saves it and a restored network continues exactly; its
 * sign and scale are Keras' {@code momentum} slot variable. PyTorch's {@code SGD(momentum=m)} keeps
 * {@code b = m b + g} and steps {@code -lr_t b} instead: the same trajectory while the rate is constant, not when a
 * schedule changes it (Keras' velocity carries the old rates, PyTorch's applies the new rate to the whole buffer).
 * With {@code momentum = 0} it is plain SGD. Example, {@code new SgdMomentum(0.1, 0.5)} on {@code w = 1} with
 * gradient {@code 2w}: {@code v} is -0.2, then {@code 0.5 * -0.2 - 0.1 * 1.6 = -0.26}, so {@code w} is 0.8, then
 * 0.54.
 *
 * @see <a href="https://keras.io/api/optimizers/sgd/">Keras SGD</a>
 * @see <a href="https://doi.org/10.1016/0041-5553(64)90137-5">Polyak, Some methods of speeding up the convergence
 *      of iteration methods (1964)</a>
 */
public final class SgdMomentum implements IUpdater {

    private static final long serialVersionUID = 1L;

    /** Keras' default learning rate of {@code SGD}. */
    public static final double DEFAULT_LEARNING_RATE = 0.01;
    /** The usual momentum (Keras' default is 0, plain SGD). */
    public static final double DEFAULT_MOMENTUM = 0.9;

    private double learningRate;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    private ISchedule learningRateSchedule;
    private final double momentum;

    /** A constant learning rate. */
    public SgdMomentum(double learningRate, double momentum) {
        this(learningRate, null, momentum);
    }

    /** A learning rate schedule. */
    public SgdMomentum(ISchedule learningRateSchedule, double momentum) {
        this(0, Args.schedule("learningRateSchedule", learningRateSchedule), momentum);
    }

    /**
     * @param learningRate         the rate when {@code learningRateSchedule} is null: finite and &gt; 0 (with a
     *                             schedule: ignored, &gt;= 0)
     * @param learningRateSchedule the rate per {@code (iteration, epoch)}, or null
     * @param momentum             the velocity's decay per step, in [0, 1]
     */
    @JsonCreator
    public SgdMomentum(@JsonProperty(value = "learningRate", required = true) double learningRate,
                       @JsonProperty(value = "learningRateSchedule", required = true) ISchedule learningRateSchedule,
                       @JsonProperty(value = "momentum", required = true) double momentum) {
        this.learningRate = checkRate(learningRate, learningRateSchedule);
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = Args.inClosedRange("momentum", momentum, 0, 1);
    }

    private static double checkRate(double learningRate, ISchedule schedule) {
        return schedule == null ? Args.positive("learningRate", learningRate)
                : Args.nonNegative("learningRate", learningRate);
    }

    /** A builder with learning rate {@value #DEFAULT_LEARNING_RATE} and momentum {@value #DEFAULT_MOMENTUM}. */
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

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        SgdMomentumUpdater updater = new SgdMomentumUpdater(this);
        updater.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return updater;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        SgdMomentumUpdater updater = new SgdMomentumUpdater(this);
        updater.setState(updaterState, initializeStateArrays);
        return updater;
    }

    @Override
    public SgdMomentum clone() {
        return new SgdMomentum(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(),
                momentum);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

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
        if (!(o instanceof SgdMomentum)) {
            return false;
        }
        SgdMomentum that = (SgdMomentum) o;
        return Double.compare(learningRate, that.learningRate) == 0
                && Objects.equals(learningRateSchedule, that.learningRateSchedule)
                && Double.compare(momentum, that.momentum) == 0;
    }

    @Override
    public int hashCode() {
        int h = Double.hashCode(learningRate);
        h = 31 * h + Objects.hashCode(learningRateSchedule);
        return 31 * h + Double.hashCode(momentum);
    }

    @Override
    public String toString() {
        return "SgdMomentum{learningRate=" + learningRate
                + (learningRateSchedule == null ? "" : ", learningRateSchedule=" + learningRateSchedule)
                + ", momentum=" + momentum + "}";
    }

    /** Builds an {@link SgdMomentum}; {@link #build()} checks the arguments as the constructor does. */
    public static final class Builder {
        private double learningRate = DEFAULT_LEARNING_RATE;
        private ISchedule learningRateSchedule;
        private double momentum = DEFAULT_MOMENTUM;

        private Builder() {
        }

        /** The constant rate; default {@value #DEFAULT_LEARNING_RATE}. */
        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** A rate schedule, which replaces the constant rate; default none. */
        public Builder learningRateSchedule(ISchedule learningRateSchedule) {
            this.learningRateSchedule = learningRateSchedule;
            return this;
        }

        /** The velocity's decay per step; default {@value #DEFAULT_MOMENTUM}. */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        public SgdMomentum build() {
            return learningRateSchedule == null ? new SgdMomentum(learningRate, null, momentum)
                    : new SgdMomentum(0, learningRateSchedule, momentum);
        }
    }
}
