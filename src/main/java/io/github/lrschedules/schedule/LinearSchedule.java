package io.github.lrschedules.schedule;

import io.github.lrschedules.util.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Moves the multiplier of {@code initialValue} linearly from {@code startFactor} to {@code endFactor}, like
 * PyTorch's {@code LinearLR}. Used both for linear decay and for linear warmup.
 *
 * <pre>
 * value(k) = initialValue * (startFactor + (endFactor - startFactor) * min(k, totalSteps) / totalSteps)
 * </pre>
 *
 * {@code endFactor} is reached at {@code k == totalSteps} and held afterwards.
 * Linear decay 0.1 to 0 over 10 epochs, {@code new LinearSchedule(EPOCH, 0.1, 1.0, 0.0, 10)}:
 * epochs 0, 1, 2, 3 give 0.1, 0.09, 0.08, 0.07 (within rounding), epoch 10 and later give 0.
 */
public final class LinearSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double initialValue;
    private final double startFactor;
    private final double endFactor;
    private final int totalSteps;

    public LinearSchedule(@JsonProperty("scheduleType") ScheduleType type,
                          @JsonProperty("initialValue") double initialValue,
                          @JsonProperty("startFactor") double startFactor,
                          @JsonProperty("endFactor") double endFactor,
                          @JsonProperty("totalSteps") int totalSteps) {
        this.scheduleType = Args.type(type);
        this.initialValue = Args.finite("initialValue", initialValue);
        this.startFactor = Args.finite("startFactor", startFactor);
        this.endFactor = Args.finite("endFactor", endFactor);
        this.totalSteps = Args.positive("totalSteps", totalSteps);
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
}
