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
 * DoG, "Distance over Gradients" (Ivgi, Hinder &amp; Carmon 2023): SGD whose step size is the largest distance
 * travelled from the start over the root of the summed squared gradient norms, as a DL4J {@code IUpdater}. The step
 * of {@code optax.contrib.dog}, per updater block, with {@code lr = lr(iteration, epoch)}:
 *
 * <pre>
 * r-bar = max(r-bar, ||x - x0||)         r-bar before the first step: r_eps (see {@link InitialStep})
 * G     = G + ||g||^2
 * eta   = r-bar / sqrt(G + epsilon)     (the first step: initialStep itself for InitialStep.LEARNING_RATE)
 * x     = x - lr * eta * g
 * </pre>
 *
 * The effective learning rate of a step is {@code eta * lr(t)} ({@link LearningRateFree#effectiveLearningRates}).
 * Weight decay is coupled in optax's {@code dog} ({@code add_decayed_weights} before DoG): that is DL4J's
 * {@code l2(...)}. The authors recommend evaluating an average of the iterates.
 *
 * <p>Needs {@code x0} and {@code ||x - x0||}, which DL4J does not pass to updaters: call
 * {@link LearningRateFree#attach(org.deeplearning4j.nn.api.Model)} (or {@code ScheduleFree.attach}) once before
 * training and again after a restore; without it the first step fails with a message that says so. The distance is
 * taken from the network's real parameters, so it stays exact when DL4J changes them outside the updater. One
 * {@code r-bar} and {@code G} per updater block (see {@link Prodigy} for blocks).
 *
 * <p>State: {@code n + 5} numbers per parameter array of {@code n} values ({@code x0}; the step count, {@code r-bar},
 * {@code G} and what the last step used) in DL4J's updater state view.
 *
 * <p>Example (a test asserts it): one parameter {@code w = 1}, gradient {@code 2w}, the defaults:
 * {@code r_eps = 1e-6 * (1 + 1) = 2e-6}, so the first step uses {@code eta = 2e-6 / sqrt(4 + 1e-8) = 9.9999999875e-7}
 * and moves {@code w} by {@code 1.9999999975e-6}; the second uses {@code eta = 7.0710749e-7}.
 *
 * @see <a href="https://arxiv.org/abs/2302.12022">Ivgi et al., DoG is SGD's Best Friend (2023)</a>
 */
public final class Dog implements IUpdater {

    private static final long serialVersionUID = 1L;

    public static final double DEFAULT_LEARNING_RATE = 1.0;
    public static final double DEFAULT_INITIAL_STEP = 1e-6;
    public static final double DEFAULT_EPSILON = 1e-8;

    /** How the first step is sized: optax's {@code init_step} tags. */
    public enum InitialStep {
        /** {@code r_eps = initialStep * (1 + ||x0||)} (optax's default, factor 1e-6; the authors use 1e-4 with BatchNorm). */
        HEURISTIC,
        /** {@code r_eps = initialStep}. */
        DISTANCE,
        /** {@code r_eps = 0} and the first step's {@code eta = initialStep}. */
        LEARNING_RATE
    }

    private double learningRate;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    private ISchedule learningRateSchedule;
    private final InitialStep initialStepType;
    private final double initialStep;
    private final double epsilon;

    /**
     * The constructor JSON uses; every property must be present. The builder has optax's defaults.
     *
     * @param learningRate         multiplies the step, &gt; 0 (default 1); ignored (and &gt;= 0) with a schedule
     * @param learningRateSchedule a schedule instead of the constant, or null
     * @param initialStepType      what {@code initialStep} means (default HEURISTIC)
     * @param initialStep          the heuristic's factor, the initial distance or the first learning rate, &gt; 0
     *                             (default 1e-6)
     * @param epsilon              added to the sum of squared gradient norms, &gt; 0 (default 1e-8)
     */
    @JsonCreator
    public Dog(@JsonProperty(value = "learningRate", required = true) double learningRate,
               @JsonProperty(value = "learningRateSchedule", required = true) ISchedule learningRateSchedule,
               @JsonProperty(value = "initialStepType", required = true) InitialStep initialStepType,
               @JsonProperty(value = "initialStep", required = true) double initialStep,
               @JsonProperty(value = "epsilon", required = true) double epsilon) {
        this.learningRate = Prodigy.checkRate(learningRate, learningRateSchedule);
        this.learningRateSchedule = learningRateSchedule;
        this.initialStepType = Args.notNull("initialStepType", initialStepType);
        this.initialStep = Args.positive("initialStep", initialStep);
        this.epsilon = Args.positive("epsilon", epsilon);
    }

    /** A builder with optax's defaults: lr 1, the heuristic initial step with factor 1e-6, eps 1e-8. */
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

    public InitialStep getInitialStepType() {
        return initialStepType;
    }

    public double getInitialStep() {
        return initialStep;
    }

    public double getEpsilon() {
        return epsilon;
    }

    @Override
    public long stateSize(long numParams) {
        return LearningRateFreeUpdater.stateSize(DogUpdater.ARRAYS, numParams);
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        return LearningRateFreeUpdater.bind(new DogUpdater(this), viewArray, initializeViewArray);
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        return LearningRateFreeUpdater.bind(new DogUpdater(this), updaterState, initializeStateArrays);
    }

    @Override
    public Dog clone() {
        return new Dog(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(),
                initialStepType, initialStep, epsilon);
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
        if (!(o instanceof Dog)) {
            return false;
        }
        Dog that = (Dog) o;
        return Double.compare(learningRate, that.learningRate) == 0
                && Objects.equals(learningRateSchedule, that.learningRateSchedule)
                && initialStepType == that.initialStepType
                && Double.compare(initialStep, that.initialStep) == 0
                && Double.compare(epsilon, that.epsilon) == 0;
    }

    @Override
    public int hashCode() {
        int h = Double.hashCode(learningRate);
        h = 31 * h + Objects.hashCode(learningRateSchedule);
        h = 31 * h + initialStepType.hashCode();
        h = 31 * h + Double.hashCode(initialStep);
        return 31 * h + Double.hashCode(epsilon);
    }

    @Override
    public String toString() {
        return "Dog{" + (learningRateSchedule == null ? "learningRate=" + learningRate
                : "learningRateSchedule=" + learningRateSchedule)
                + ", initialStepType=" + initialStepType + ", initialStep=" + initialStep + ", epsilon=" + epsilon
                + "}";
    }

    /** Builder for {@link Dog}; unset values are optax's defaults. */
    public static final class Builder {
        private double learningRate = DEFAULT_LEARNING_RATE;
        private ISchedule learningRateSchedule;
        private InitialStep initialStepType = InitialStep.HEURISTIC;
        private double initialStep = DEFAULT_INITIAL_STEP;
        private double epsilon = DEFAULT_EPSILON;

        private Builder() {
        }

        /** A constant that multiplies the step (default 1); replaces a schedule set before. */
        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            this.learningRateSchedule = null;
            return this;
        }

        /** A schedule that multiplies the step. */
        public Builder learningRate(ISchedule learningRateSchedule) {
            this.learningRateSchedule = Args.schedule("learningRateSchedule", learningRateSchedule);
            return this;
        }

        /** The heuristic's factor: {@code r_eps = initialStep * (1 + ||x0||)} (default 1e-6). */
        public Builder initialStep(double factor) {
            this.initialStepType = InitialStep.HEURISTIC;
            this.initialStep = factor;
            return this;
        }

        /** {@code r_eps} itself instead of the heuristic. */
        public Builder initialDistance(double distance) {
            this.initialStepType = InitialStep.DISTANCE;
            this.initialStep = distance;
            return this;
        }

        /** The first step's learning rate instead of the heuristic. */
        public Builder initialLearningRate(double learningRate) {
            this.initialStepType = InitialStep.LEARNING_RATE;
            this.initialStep = learningRate;
            return this;
        }

        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Dog build() {
            return new Dog(learningRateSchedule == null ? learningRate : 0, learningRateSchedule, initialStepType,
                    initialStep, epsilon);
        }
    }
}
