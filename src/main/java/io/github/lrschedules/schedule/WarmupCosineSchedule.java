package io.github.lrschedules.schedule;

import io.github.lrschedules.util.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Linear warmup to {@code peakValue}, then a half cosine down to {@code minValue}: the preset that PyTorch users
 * write as {@code SequentialLR(LinearLR, CosineAnnealingLR)} and optax as {@code warmup_cosine_decay_schedule}.
 * Built from {@link WarmupSchedule} around a {@link CosineDecaySchedule}.
 *
 * <pre>
 * value(k) = warmupStartValue + (peakValue - warmupStartValue) * k / warmupSteps        for k &lt; warmupSteps
 * value(k) = minValue + (peakValue - minValue) * (1 + cos(pi * p)) / 2,
 *            p = (k - warmupSteps) / (totalSteps - warmupSteps)                         for warmupSteps &lt;= k &lt; totalSteps
 * value(k) = minValue                                                                   for k &gt;= totalSteps
 * </pre>
 *
 * The peak is reached at {@code k == warmupSteps}. Past {@code totalSteps} the value stays at {@code minValue}
 * (PyTorch's cosine swings back up). Example, {@code new WarmupCosineSchedule(ITERATION, 0.1, 5, 25, 0.0, 0.0)}:
 * steps 0, 5, 15, 25 give 0, 0.1, 0.05, 0.
 *
 * @see <a href="https://arxiv.org/abs/1608.03983">Loshchilov &amp; Hutter, SGDR (2016)</a>
 */
public final class WarmupCosineSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double peakValue;
    private final int warmupSteps;
    private final int totalSteps;
    private final double minValue;
    private final double warmupStartValue;
    private final WarmupSchedule shape;

    /**
     * @param warmupSteps      length of the warmup, {@code 0 <= warmupSteps < totalSteps}
     * @param totalSteps       warmup plus decay, &gt; 0
     * @param minValue         value at and after {@code totalSteps}
     * @param warmupStartValue value at step 0
     */
    public WarmupCosineSchedule(@JsonProperty("scheduleType") ScheduleType type,
                                @JsonProperty("peakValue") double peakValue,
                                @JsonProperty("warmupSteps") int warmupSteps,
                                @JsonProperty("totalSteps") int totalSteps,
                                @JsonProperty("minValue") double minValue,
                                @JsonProperty("warmupStartValue") double warmupStartValue) {
        this.scheduleType = Args.type(type);
        this.peakValue = Args.finite("peakValue", peakValue);
        this.warmupSteps = Args.nonNegative("warmupSteps", warmupSteps);
        this.totalSteps = Args.positive("totalSteps", totalSteps);
        if (warmupSteps >= totalSteps) {
            throw new IllegalArgumentException("warmupSteps (" + warmupSteps + ") must be < totalSteps (" + totalSteps + ")");
        }
        this.minValue = Args.finite("minValue", minValue);
        this.warmupStartValue = Args.finite("warmupStartValue", warmupStartValue);
        this.shape = new WarmupSchedule(type,
                new CosineDecaySchedule(type, peakValue, totalSteps - warmupSteps, minValue),
                warmupSteps, warmupStartValue);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return shape.valueAt(iteration, epoch);
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getPeakValue() {
        return peakValue;
    }

    public int getWarmupSteps() {
        return warmupSteps;
    }

    public int getTotalSteps() {
        return totalSteps;
    }

    public double getMinValue() {
        return minValue;
    }

    public double getWarmupStartValue() {
        return warmupStartValue;
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
        if (!(o instanceof WarmupCosineSchedule)) {
            return false;
        }
        WarmupCosineSchedule that = (WarmupCosineSchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(peakValue, that.peakValue) == 0
                && warmupSteps == that.warmupSteps
                && totalSteps == that.totalSteps
                && Double.compare(minValue, that.minValue) == 0
                && Double.compare(warmupStartValue, that.warmupStartValue) == 0;
    }

    @Override
    public int hashCode() {
        return shape.hashCode();
    }

    @Override
    public String toString() {
        return "WarmupCosineSchedule{scheduleType=" + scheduleType + ", peakValue=" + peakValue
                + ", warmupSteps=" + warmupSteps + ", totalSteps=" + totalSteps + ", minValue=" + minValue
                + ", warmupStartValue=" + warmupStartValue + "}";
    }
}
