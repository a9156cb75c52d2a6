package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Exponential decay by {@code decayRate} every {@code decaySteps} steps, continuous or in a staircase: Keras'
 * {@code ExponentialDecay} one to one.
 *
 * <pre>
 * p        = k / decaySteps            (staircase: floor(k / decaySteps))
 * value(k) = initialValue * decayRate^p
 * </pre>
 *
 * There is no horizon: the value keeps decaying (or growing, for {@code decayRate > 1}) for every {@code k >= 0}.
 * With {@code staircase} the value changes at {@code k = decaySteps, 2 * decaySteps, ...} (inclusive). DL4J's
 * {@code ExponentialSchedule} is the case {@code decaySteps = 1}, its {@code StepSchedule} the staircase.
 * {@code decaySteps} is a real number, as in Keras. Example,
 * {@code ExponentialDecaySchedule.builder(ITERATION, 0.1, 0.5, 10).build()}: steps 0, 10, 15 give 0.1, 0.05,
 * 0.0353553; with {@code .staircase(true)} step 15 gives 0.05.
 *
 * @see <a href="https://keras.io/api/optimizers/learning_rate_schedules/exponential_decay/">Keras ExponentialDecay</a>
 */
public final class ExponentialDecaySchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double initialValue;
    private final double decayRate;
    private final double decaySteps;
    private final boolean staircase;

    /**
     * @param initialValue value at step 0
     * @param decayRate    factor per {@code decaySteps} steps, finite and &gt; 0
     * @param decaySteps   steps per factor {@code decayRate}, finite and &gt; 0
     * @param staircase    whether {@code k / decaySteps} is rounded down
     */
    @JsonCreator
    public ExponentialDecaySchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                                    @JsonProperty(value = "initialValue", required = true) double initialValue,
                                    @JsonProperty(value = "decayRate", required = true) double decayRate,
                                    @JsonProperty(value = "decaySteps", required = true) double decaySteps,
                                    @JsonProperty(value = "staircase", required = true) boolean staircase) {
        this.scheduleType = Args.type(type);
        this.initialValue = Args.scheduleValue("initialValue", initialValue);
        this.decayRate = Args.positive("decayRate", decayRate);
        if (decayRate > 1) {
            throw new IllegalArgumentException("decayRate (" + decayRate + ") must be <= 1: a rate above 1 grows without"
                    + " bound and reaches infinity");
        }
        this.decaySteps = Args.positive("decaySteps", decaySteps);
        this.staircase = staircase;
    }

    /** A builder with Keras' default {@code staircase = false}. */
    public static Builder builder(ScheduleType type, double initialValue, double decayRate, double decaySteps) {
        return new Builder(type, initialValue, decayRate, decaySteps);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double p = Steps.step(scheduleType, iteration, epoch) / decaySteps;
        if (staircase) {
            p = Math.floor(p);
        }
        return initialValue * Math.pow(decayRate, p);
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getInitialValue() {
        return initialValue;
    }

    public double getDecayRate() {
        return decayRate;
    }

    public double getDecaySteps() {
        return decaySteps;
    }

    public boolean isStaircase() {
        return staircase;
    }

    @Override
    public ISchedule clone() {
        return this;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ExponentialDecaySchedule)) {
            return false;
        }
        ExponentialDecaySchedule that = (ExponentialDecaySchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(initialValue, that.initialValue) == 0
                && Double.compare(decayRate, that.decayRate) == 0
                && Double.compare(decaySteps, that.decaySteps) == 0
                && staircase == that.staircase;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(initialValue);
        h = 31 * h + Double.hashCode(decayRate);
        h = 31 * h + Double.hashCode(decaySteps);
        return 31 * h + Boolean.hashCode(staircase);
    }

    @Override
    public String toString() {
        return "ExponentialDecaySchedule{scheduleType=" + scheduleType + ", initialValue=" + initialValue
                + ", decayRate=" + decayRate + ", decaySteps=" + decaySteps + ", staircase=" + staircase + "}";
    }

    /** Builds an {@link ExponentialDecaySchedule}; {@link #build()} checks the arguments as the constructor does. */
    public static final class Builder {
        private final ScheduleType type;
        private final double initialValue;
        private final double decayRate;
        private final double decaySteps;
        private boolean staircase;

        private Builder(ScheduleType type, double initialValue, double decayRate, double decaySteps) {
            this.type = type;
            this.initialValue = initialValue;
            this.decayRate = decayRate;
            this.decaySteps = decaySteps;
        }

        /** Whether the exponent is rounded down to whole periods; default false. */
        public Builder staircase(boolean staircase) {
            this.staircase = staircase;
            return this;
        }

        public ExponentialDecaySchedule build() {
            return new ExponentialDecaySchedule(type, initialValue, decayRate, decaySteps, staircase);
        }
    }
}
