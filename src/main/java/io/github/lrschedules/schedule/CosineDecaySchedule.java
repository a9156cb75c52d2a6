package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Half a cosine from {@code initialValue} down to {@code minValue} over {@code totalSteps}, like PyTorch's
 * {@code CosineAnnealingLR} for {@code k <= T_max}, with timm's {@code k_decay} and optax' {@code exponent} options.
 *
 * <pre>
 * p        = min(k, totalSteps) / totalSteps
 * value(k) = minValue + (initialValue - minValue) * ((1 + cos(pi * p^kDecay)) / 2)^exponent
 * </pre>
 *
 * The two options bend the curve in different places:
 * <table>
 * <caption>kDecay and exponent side by side</caption>
 * <tr><th>option</th><th>reference</th><th>what is raised to the power</th><th>effect of a value &gt; 1</th></tr>
 * <tr><td>{@code kDecay}</td><td>timm {@code k_decay}</td><td>the progress {@code p} inside the cosine</td>
 *     <td>stays near {@code initialValue} longer, then falls steeply</td></tr>
 * <tr><td>{@code exponent}</td><td>optax {@code cosine_decay_schedule(init_value, decay_steps, alpha, exponent)}</td>
 *     <td>the cosine factor {@code (1 + cos(pi p)) / 2}</td><td>falls sooner and approaches {@code minValue}
 *     more slowly</td></tr>
 * </table>
 * optax' {@code cosine_decay_schedule(init, T, alpha, exponent)} is
 * {@code builder(type, init, T).minValue(alpha * init).exponent(exponent).build()}; both default to 1, the plain
 * cosine (computed exactly as 1.0 did).
 *
 * Differs from PyTorch past the horizon on purpose: for {@code k >= totalSteps} the value stays at
 * {@code minValue}, where PyTorch's cosine swings back up. {@code kDecay = 1} (the default) is the plain cosine;
 * {@code kDecay > 1} stays near {@code initialValue} longer (timm's {@code cos(pi * t^k / T^k)}). Example,
 * {@code CosineDecaySchedule.builder(EPOCH, 0.1, 10).build()}: epochs 0, 5, 10, 20 give 0.1, 0.05, 0, 0; with
 * {@code .kDecay(2.0)} epoch 5 gives 0.1 * (1 + cos(pi / 4)) / 2 = 0.08536; with {@code .exponent(2.0)} instead,
 * 0.1 * 0.5^2 = 0.025.
 *
 * @see <a href="https://arxiv.org/abs/1608.03983">Loshchilov &amp; Hutter, SGDR (2016)</a>
 * @see <a href="https://arxiv.org/abs/2004.05909">Zhang et al., k-decay (2020)</a>
 */
public final class CosineDecaySchedule implements ISchedule {

    private static final long serialVersionUID = 3L;

    private final ScheduleType scheduleType;
    private final double initialValue;
    private final int totalSteps;
    private final double minValue;
    private final double kDecay;
    private final double exponent;

    /** The plain cosine ({@code kDecay = 1}, {@code exponent = 1}). */
    public CosineDecaySchedule(ScheduleType type, double initialValue, int totalSteps, double minValue) {
        this(type, initialValue, totalSteps, minValue, 1.0);
    }

    /** timm's {@code k_decay}, with {@code exponent = 1}. */
    public CosineDecaySchedule(ScheduleType type, double initialValue, int totalSteps, double minValue,
                               double kDecay) {
        this(type, initialValue, totalSteps, minValue, kDecay, 1.0);
    }

    /**
     * @param totalSteps length of the decay, &gt; 0
     * @param minValue   value at and after {@code totalSteps}
     * @param kDecay     exponent of the progress, &gt; 0 (1: the plain cosine)
     * @param exponent   exponent of the cosine factor (optax' {@code exponent}), &gt; 0 (1: the plain cosine);
     *                   optional in JSON (configurations saved by 1.0 have none), default 1
     */
    @JsonCreator
    public CosineDecaySchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                               @JsonProperty(value = "initialValue", required = true) double initialValue,
                               @JsonProperty(value = "totalSteps", required = true) int totalSteps,
                               @JsonProperty(value = "minValue", required = true) double minValue,
                               @JsonProperty(value = "kDecay", required = true) double kDecay,
                               @JsonProperty(value = "exponent") Double exponent) {
        this.scheduleType = Args.type(type);
        this.initialValue = Args.scheduleValue("initialValue", initialValue);
        this.totalSteps = Args.positive("totalSteps", totalSteps);
        this.minValue = Args.scheduleValue("minValue", minValue);
        this.kDecay = Args.positive("kDecay", kDecay);
        this.exponent = exponent == null ? 1.0 : Args.positive("exponent", exponent);
    }

    /** A builder with {@code minValue} 0 and {@code kDecay} 1 (PyTorch's {@code eta_min} default, timm's). */
    public static Builder builder(ScheduleType type, double initialValue, int totalSteps) {
        return new Builder(type, initialValue, totalSteps);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Math.min(Steps.step(scheduleType, iteration, epoch), totalSteps);
        double p = Interpolation.kDecayed((double) k / totalSteps, kDecay);
        if (exponent == 1.0) {
            return Interpolation.cosine(initialValue, minValue, p);
        }
        return minValue + (initialValue - minValue) * Math.pow((1 + Math.cos(Math.PI * p)) / 2, exponent);
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

    // Named explicitly: Jackson would otherwise derive "kdecay" from the getter.
    @JsonProperty("kDecay")
    public double getKDecay() {
        return kDecay;
    }

    /** Exponent of the cosine factor (optax' {@code exponent}); 1 for the plain cosine. */
    public double getExponent() {
        return exponent;
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
                && Double.compare(minValue, that.minValue) == 0
                && Double.compare(kDecay, that.kDecay) == 0
                && Double.compare(exponent, that.exponent) == 0;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(initialValue);
        h = 31 * h + totalSteps;
        h = 31 * h + Double.hashCode(minValue);
        h = 31 * h + Double.hashCode(kDecay);
        // 1.0's hash for the plain exponent.
        return exponent == 1.0 ? h : 31 * h + Double.hashCode(exponent);
    }

    @Override
    public String toString() {
        return "CosineDecaySchedule{scheduleType=" + scheduleType + ", initialValue=" + initialValue
                + ", totalSteps=" + totalSteps + ", minValue=" + minValue + ", kDecay=" + kDecay + ", exponent=" + exponent + "}";
    }

    /** Builds a {@link CosineDecaySchedule}; {@link #build()} checks the arguments as the constructor does. */
    public static final class Builder {
        private final ScheduleType type;
        private final double initialValue;
        private final int totalSteps;
        private double minValue = 0.0;
        private double kDecay = 1.0;
        private double exponent = 1.0;

        private Builder(ScheduleType type, double initialValue, int totalSteps) {
            this.type = type;
            this.initialValue = initialValue;
            this.totalSteps = totalSteps;
        }

        /** Value at and after {@code totalSteps}; default 0. */
        public Builder minValue(double minValue) {
            this.minValue = minValue;
            return this;
        }

        /** Exponent of the progress (timm's {@code k_decay}); default 1. */
        public Builder kDecay(double kDecay) {
            this.kDecay = kDecay;
            return this;
        }

        /** Exponent of the cosine factor (optax' {@code exponent}); default 1. */
        public Builder exponent(double exponent) {
            this.exponent = exponent;
            return this;
        }

        public CosineDecaySchedule build() {
            return new CosineDecaySchedule(type, initialValue, totalSteps, minValue, kDecay, exponent);
        }
    }
}
