package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Linear warmup to {@code peakValue}, then a half cosine down to {@code minValue}: the preset that PyTorch users
 * write as {@code SequentialLR(LinearLR, CosineAnnealingLR)} and optax as {@code warmup_cosine_decay_schedule}.
 * Built from {@link WarmupSchedule} around a {@link CosineDecaySchedule}.
 *
 * <pre>
 * value(k) = warmupStartValue + (peakValue - warmupStartValue) * k / warmupSteps        for k &lt; warmupSteps
 * value(k) = minValue + (peakValue - minValue) * (1 + cos(pi * p^kDecay)) / 2,
 *            p = (k - warmupSteps) / (totalSteps - warmupSteps)                         for warmupSteps &lt;= k &lt; totalSteps
 * value(k) = minValue                                                                   for k &gt;= totalSteps
 * </pre>
 *
 * The peak is reached at {@code k == warmupSteps}. Past {@code totalSteps} the value stays at {@code minValue}
 * (PyTorch's cosine swings back up). {@code kDecay} is timm's {@code k_decay} (default 1, the plain cosine). Example,
 * {@code WarmupCosineSchedule.builder(ITERATION, 0.1, 25).warmupSteps(5).build()}: steps 0, 5, 15, 25 give 0, 0.1,
 * 0.05, 0.
 *
 * @see <a href="https://arxiv.org/abs/1608.03983">Loshchilov &amp; Hutter, SGDR (2016)</a>
 */
public final class WarmupCosineSchedule implements ISchedule {

    private static final long serialVersionUID = 2L;

    private final ScheduleType scheduleType;
    private final double peakValue;
    private final int warmupSteps;
    private final int totalSteps;
    private final double minValue;
    private final double warmupStartValue;
    private final double kDecay;
    private final WarmupSchedule shape;

    /** The plain cosine ({@code kDecay = 1}). */
    public WarmupCosineSchedule(ScheduleType type, double peakValue, int warmupSteps, int totalSteps, double minValue,
                                double warmupStartValue) {
        this(type, peakValue, warmupSteps, totalSteps, minValue, warmupStartValue, 1.0);
    }

    /**
     * @param warmupSteps      length of the warmup, {@code 0 <= warmupSteps < totalSteps}
     * @param totalSteps       warmup plus decay, &gt; 0
     * @param minValue         value at and after {@code totalSteps}
     * @param warmupStartValue value at step 0
     * @param kDecay           exponent of the cosine's progress, &gt; 0 (1: the plain cosine)
     */
    @JsonCreator
    public WarmupCosineSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                                @JsonProperty(value = "peakValue", required = true) double peakValue,
                                @JsonProperty(value = "warmupSteps", required = true) int warmupSteps,
                                @JsonProperty(value = "totalSteps", required = true) int totalSteps,
                                @JsonProperty(value = "minValue", required = true) double minValue,
                                @JsonProperty(value = "warmupStartValue", required = true) double warmupStartValue,
                                @JsonProperty(value = "kDecay", required = true) double kDecay) {
        this.scheduleType = Args.type(type);
        this.peakValue = Args.scheduleValue("peakValue", peakValue);
        this.warmupSteps = Args.nonNegative("warmupSteps", warmupSteps);
        this.totalSteps = Args.positive("totalSteps", totalSteps);
        if (warmupSteps >= totalSteps) {
            throw new IllegalArgumentException("warmupSteps (" + warmupSteps + ") must be < totalSteps (" + totalSteps + ")");
        }
        this.minValue = Args.scheduleValue("minValue", minValue);
        this.warmupStartValue = Args.scheduleValue("warmupStartValue", warmupStartValue);
        this.kDecay = Args.positive("kDecay", kDecay);
        this.shape = new WarmupSchedule(type,
                new CosineDecaySchedule(type, peakValue, totalSteps - warmupSteps, minValue, kDecay),
                warmupSteps, warmupStartValue);
    }

    /**
     * A builder with PyTorch's and timm's defaults: {@code warmupSteps} 0, {@code minValue} 0,
     * {@code warmupStartValue} 0, {@code kDecay} 1.
     */
    public static Builder builder(ScheduleType type, double peakValue, int totalSteps) {
        return new Builder(type, peakValue, totalSteps);
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

    // Named explicitly: Jackson would otherwise derive "kdecay" from the getter.
    @JsonProperty("kDecay")
    public double getKDecay() {
        return kDecay;
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
                && Double.compare(warmupStartValue, that.warmupStartValue) == 0
                && Double.compare(kDecay, that.kDecay) == 0;
    }

    @Override
    public int hashCode() {
        return shape.hashCode();
    }

    @Override
    public String toString() {
        return "WarmupCosineSchedule{scheduleType=" + scheduleType + ", peakValue=" + peakValue
                + ", warmupSteps=" + warmupSteps + ", totalSteps=" + totalSteps + ", minValue=" + minValue
                + ", warmupStartValue=" + warmupStartValue + ", kDecay=" + kDecay + "}";
    }

    /** Builds a {@link WarmupCosineSchedule}; {@link #build()} checks the arguments as the constructor does. */
    public static final class Builder {
        private final ScheduleType type;
        private final double peakValue;
        private final int totalSteps;
        private int warmupSteps = 0;
        private double minValue = 0.0;
        private double warmupStartValue = 0.0;
        private double kDecay = 1.0;

        private Builder(ScheduleType type, double peakValue, int totalSteps) {
            this.type = type;
            this.peakValue = peakValue;
            this.totalSteps = totalSteps;
        }

        /** Length of the linear warmup; default 0. */
        public Builder warmupSteps(int warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        /** Value at and after {@code totalSteps}; default 0. */
        public Builder minValue(double minValue) {
            this.minValue = minValue;
            return this;
        }

        /** Value at step 0, where the warmup starts; default 0. */
        public Builder warmupStartValue(double warmupStartValue) {
            this.warmupStartValue = warmupStartValue;
            return this;
        }

        /** Exponent of the cosine's progress (timm's {@code k_decay}); default 1. */
        public Builder kDecay(double kDecay) {
            this.kDecay = kDecay;
            return this;
        }

        public WarmupCosineSchedule build() {
            return new WarmupCosineSchedule(type, peakValue, warmupSteps, totalSteps, minValue, warmupStartValue, kDecay);
        }
    }
}
