package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Moves the multiplier of {@code initialValue} linearly from {@code startFactor} to {@code endFactor}, like
 * PyTorch's {@code LinearLR}. Used both for linear decay and for linear warmup.
 *
 * <pre>
 * value(k) = initialValue * (startFactor + (endFactor - startFactor) * min(k, totalSteps) / totalSteps)
 * </pre>
 *
 * {@code endFactor} is reached at {@code k == totalSteps} and held afterwards. The constructor's numbers after
 * {@code initialValue} are <b>factors</b> of it, as in PyTorch; to give absolute values use {@link #decay}
 * ({@code initialValue, minValue, totalSteps}: the order of {@link PolynomialDecaySchedule}) or {@link #warmup}.
 * Linear decay 0.1 to 0 over 10 epochs, {@code LinearSchedule.decay(EPOCH, 0.1, 0.0, 10)}, the same as
 * {@code new LinearSchedule(EPOCH, 0.1, 1.0, 0.0, 10)}: epochs 0, 1, 2, 3 give 0.1, 0.09, 0.08, 0.07 (within
 * rounding), epoch 10 and later give 0.
 */
public final class LinearSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double initialValue;
    private final double startFactor;
    private final double endFactor;
    private final int totalSteps;

    /**
     * @param initialValue the value the factors multiply
     * @param startFactor  multiplier at step 0
     * @param endFactor    multiplier at and after {@code totalSteps}
     * @param totalSteps   length of the ramp, &gt; 0
     */
    @JsonCreator
    public LinearSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                          @JsonProperty(value = "initialValue", required = true) double initialValue,
                          @JsonProperty(value = "startFactor", required = true) double startFactor,
                          @JsonProperty(value = "endFactor", required = true) double endFactor,
                          @JsonProperty(value = "totalSteps", required = true) int totalSteps) {
        this.scheduleType = Args.type(type);
        this.initialValue = Args.scheduleValue("initialValue", initialValue);
        this.startFactor = Args.scheduleValue("startFactor", startFactor);
        this.endFactor = Args.scheduleValue("endFactor", endFactor);
        this.totalSteps = Args.positive("totalSteps", totalSteps);
    }

    /**
     * Linear decay from {@code initialValue} to {@code minValue} at {@code totalSteps}, held afterwards, in absolute
     * values: {@code decay(t, 0.1, 0.0, 100)} equals {@code new PolynomialDecaySchedule(t, 0.1, 0.0, 1.0, 100)}.
     *
     * @param initialValue value at step 0, finite and not 0 (the factors are relative to it)
     */
    public static LinearSchedule decay(ScheduleType type, double initialValue, double minValue, int totalSteps) {
        nonZero("initialValue", initialValue);
        return new LinearSchedule(type, initialValue, 1.0, Args.scheduleValue("minValue", minValue) / initialValue,
                totalSteps);
    }

    /**
     * A linear ramp from {@code warmupStartValue} at step 0 to {@code peakValue} at {@code warmupSteps}, held
     * afterwards. To put a warmup in front of another schedule use {@link WarmupSchedule}.
     *
     * @param peakValue value at and after {@code warmupSteps}, finite and not 0 (the factors are relative to it)
     */
    public static LinearSchedule warmup(ScheduleType type, double warmupStartValue, double peakValue, int warmupSteps) {
        nonZero("peakValue", peakValue);
        return new LinearSchedule(type, peakValue, Args.scheduleValue("warmupStartValue", warmupStartValue) / peakValue, 1.0,
                warmupSteps);
    }

    private static void nonZero(String name, double value) {
        if (Args.scheduleValue(name, value) == 0) {
            throw new IllegalArgumentException(name + " (" + value + ") must not be 0: a linear schedule is "
                    + "stored as factors of it");
        }
    }

    /** A builder with PyTorch's {@code LinearLR} defaults: {@code startFactor} 1/3, {@code endFactor} 1. */
    public static Builder builder(ScheduleType type, double initialValue, int totalSteps) {
        return new Builder(type, initialValue, totalSteps);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Math.min(Steps.step(scheduleType, iteration, epoch), totalSteps);
        return initialValue * (startFactor + (endFactor - startFactor) * k / totalSteps);
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getInitialValue() {
        return initialValue;
    }

    public double getStartFactor() {
        return startFactor;
    }

    public double getEndFactor() {
        return endFactor;
    }

    public int getTotalSteps() {
        return totalSteps;
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
        if (!(o instanceof LinearSchedule)) {
            return false;
        }
        LinearSchedule that = (LinearSchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(initialValue, that.initialValue) == 0
                && Double.compare(startFactor, that.startFactor) == 0
                && Double.compare(endFactor, that.endFactor) == 0
                && totalSteps == that.totalSteps;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(initialValue);
        h = 31 * h + Double.hashCode(startFactor);
        h = 31 * h + Double.hashCode(endFactor);
        return 31 * h + totalSteps;
    }

    @Override
    public String toString() {
        return "LinearSchedule{scheduleType=" + scheduleType + ", initialValue=" + initialValue
                + ", startFactor=" + startFactor + ", endFactor=" + endFactor + ", totalSteps=" + totalSteps + "}";
    }

    /** Builds a {@link LinearSchedule}; {@link #build()} checks the arguments as the constructor does. */
    public static final class Builder {
        private final ScheduleType type;
        private final double initialValue;
        private final int totalSteps;
        private double startFactor = 1.0 / 3;
        private double endFactor = 1.0;

        private Builder(ScheduleType type, double initialValue, int totalSteps) {
            this.type = type;
            this.initialValue = initialValue;
            this.totalSteps = totalSteps;
        }

        /** Multiplier of {@code initialValue} at step 0; default 1/3. */
        public Builder startFactor(double startFactor) {
            this.startFactor = startFactor;
            return this;
        }

        /** Multiplier of {@code initialValue} at and after {@code totalSteps}; default 1. */
        public Builder endFactor(double endFactor) {
            this.endFactor = endFactor;
            return this;
        }

        public LinearSchedule build() {
            return new LinearSchedule(type, initialValue, startFactor, endFactor, totalSteps);
        }
    }
}
