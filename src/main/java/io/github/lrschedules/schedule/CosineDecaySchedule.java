package io.github.lrschedules.schedule;

import io.github.lrschedules.util.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Half a cosine from {@code initialValue} down to {@code minValue} over {@code totalSteps}, like PyTorch's
 * {@code CosineAnnealingLR} for {@code k <= T_max}.
 *
 * <pre>
 * value(k) = minValue + (initialValue - minValue) * (1 + cos(pi * min(k, totalSteps) / totalSteps)) / 2
 * </pre>
 *
 * Differs from PyTorch past the horizon on purpose: for {@code k >= totalSteps} the value stays at
 * {@code minValue}, where PyTorch's cosine swings back up. Example,
 * {@code new CosineDecaySchedule(EPOCH, 0.1, 10, 0.0)}: epochs 0, 5, 10, 20 give 0.1, 0.05, 0, 0.
 *
 * @see <a href="https://arxiv.org/abs/1608.03983">Loshchilov &amp; Hutter, SGDR (2016)</a>
 */
public final class CosineDecaySchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double initialValue;
    private final int totalSteps;
    private final double minValue;

    public CosineDecaySchedule(@JsonProperty("scheduleType") ScheduleType type,
                               @JsonProperty("initialValue") double initialValue,
                               @JsonProperty("totalSteps") int totalSteps,
                               @JsonProperty("minValue") double minValue) {
        this.scheduleType = Args.type(type);
        this.initialValue = Args.finite("initialValue", initialValue);
        this.totalSteps = Args.positive("totalSteps", totalSteps);
        this.minValue = Args.finite("minValue", minValue);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Math.min(Steps.step(scheduleType, iteration, epoch), totalSteps);
        return cosine(initialValue, minValue, (double) k / totalSteps);
    }

    /** {@code min + (max - min) * (1 + cos(pi * progress)) / 2}, progress in [0, 1]. */
    static double cosine(double max, double min, double progress) {
        return min + (max - min) * (1 + Math.cos(Math.PI * progress)) / 2;
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getInitialValue() {
        return initialValue;
    }

    public int getTotalSteps() {
        return totalSteps;
    }

    public double getMinValue() {
        return minValue;
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
        if (!(o instanceof CosineDecaySchedule)) {
            return false;
        }
        CosineDecaySchedule that = (CosineDecaySchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(initialValue, that.initialValue) == 0
                && totalSteps == that.totalSteps
                && Double.compare(minValue, that.minValue) == 0;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(initialValue);
        h = 31 * h + totalSteps;
        return 31 * h + Double.hashCode(minValue);
    }

    @Override
    public String toString() {
        return "CosineDecaySchedule{scheduleType=" + scheduleType + ", initialValue=" + initialValue
                + ", totalSteps=" + totalSteps + ", minValue=" + minValue + "}";
    }
}
