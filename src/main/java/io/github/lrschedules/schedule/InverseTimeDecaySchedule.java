package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Inverse-time decay, {@code 1 / (1 + decayRate * t)}, continuous or in a staircase: Keras' {@code InverseTimeDecay}
 * one to one.
 *
 * <pre>
 * p        = k / decaySteps            (staircase: floor(k / decaySteps))
 * value(k) = initialValue / (1 + decayRate * p)
 * </pre>
 *
 * There is no horizon: the value keeps falling towards 0 for every {@code k >= 0}. With {@code staircase} the value
 * changes at {@code k = decaySteps, 2 * decaySteps, ...} (inclusive). DL4J's {@code InverseSchedule} with
 * {@code power = 1} is the continuous case with {@code decaySteps = 1}. {@code decaySteps} is a real number, as in
 * Keras. Example, {@code InverseTimeDecaySchedule.builder(ITERATION, 0.1, 0.5, 10).build()}: steps 0, 10, 15 give
 * 0.1, 0.0666667, 0.0571429; with {@code .staircase(true)} step 15 gives 0.0666667.
 *
 * @see <a href="https://keras.io/api/optimizers/learning_rate_schedules/inverse_time_decay/">Keras InverseTimeDecay</a>
 */
public final class InverseTimeDecaySchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double initialValue;
    private final double decayRate;
    private final double decaySteps;
    private final boolean staircase;

    /**
     * @param initialValue value at step 0
     * @param decayRate    growth of the denominator per {@code decaySteps} steps, finite and &gt;= 0
     * @param decaySteps   steps per {@code decayRate} added to the denominator, finite and &gt; 0
     * @param staircase    whether {@code k / decaySteps} is rounded down
     */
    @JsonCreator
    public InverseTimeDecaySchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                                    @JsonProperty(value = "initialValue", required = true) double initialValue,
                                    @JsonProperty(value = "decayRate", required = true) double decayRate,
                                    @JsonProperty(value = "decaySteps", required = true) double decaySteps,
                                    @JsonProperty(value = "staircase", required = true) boolean staircase) {
        this.scheduleType = Args.type(type);
        this.initialValue = Args.scheduleValue("initialValue", initialValue);
        this.decayRate = Args.nonNegative("decayRate", decayRate);
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
        return initialValue / (1.0 + decayRate * p);
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
        if (!(o instanceof InverseTimeDecaySchedule)) {
            return false;
        }
        InverseTimeDecaySchedule that = (InverseTimeDecaySchedule) o;
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
        return "InverseTimeDecaySchedule{scheduleType=" + scheduleType + ", initialValue=" + initialValue
                + ", decayRate=" + decayRate + ", decaySteps=" + decaySteps + ", staircase=" + staircase + "}";
    }

    /** Builds an {@link InverseTimeDecaySchedule}; {@link #build()} checks the arguments as the constructor does. */
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

        /** Whether {@code k / decaySteps} is rounded down to whole periods; default false. */
        public Builder staircase(boolean staircase) {
            this.staircase = staircase;
            return this;
        }

        public InverseTimeDecaySchedule build() {
            return new InverseTimeDecaySchedule(type, initialValue, decayRate, decaySteps, staircase);
        }
    }
}
