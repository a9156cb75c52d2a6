package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Hyperbolic-tangent decay with optional warmup and restarts: timm's {@code TanhLRScheduler} (Hsueh et al.), value
 * for value.
 *
 * <pre>
 * t = k - warmupSteps if warmupPrefix, else k                                  (for k &gt;= warmupSteps)
 * cycle i, its length T_i and the position t_i in it:
 *     cycleMultiplier = 1:  i = floor(t / cycleSteps),  T_i = cycleSteps,  t_i = t - i * cycleSteps
 *     cycleMultiplier = m:  i = floor(log_m(1 - t / cycleSteps * (1 - m))),  T_i = m^i * cycleSteps,
 *                           t_i = t - (1 - m^i) / (1 - m) * cycleSteps
 * r = t_i / T_i
 * value(k) = minValue + (peakValue * cycleDecay^i - minValue) / 2 * (1 - tanh(lowerBound * (1 - r) + upperBound * r))
 * value(k) = minValue                               for i &gt;= cycleLimit, when cycleLimit &gt; 0
 * value(k) = warmupStartValue + k * (target - warmupStartValue) / warmupSteps        for k &lt; warmupSteps
 *            target = peakValue if warmupPrefix, else the tanh value at k = warmupSteps
 * </pre>
 *
 * With the defaults {@code lowerBound = -7}, {@code upperBound = 3} a cycle starts just below its peak
 * ({@code (1 - tanh(-7)) / 2 = 0.99999917} of it), stays near it for most of the first half, and ends near
 * {@code minValue} ({@code (1 - tanh(3)) / 2 = 0.00247} of the way up). Each restart is inclusive.
 *
 * <p>Warmup as in timm: with {@code warmupPrefix} the warmup comes first and the tanh cycles start after it, aiming
 * the ramp at {@code peakValue}; without it (timm's default) the ramp replaces the first {@code warmupSteps} steps of
 * the tanh curve and aims at its value at step {@code warmupSteps}.
 *
 * <p>{@code cycleLimit}: {@code n >= 1} is timm's {@code cycle_limit = n} ({@code minValue} after {@code n}
 * cycles; timm's and this builder's default is 1, a single decay); 0 means no limit, as in
 * {@link CosineRestartsSchedule}. timm reads {@code cycle_limit = 0} differently, as "no cycle at all, only
 * {@code lr_min}"; use a large limit to get timm's unlimited restarts there. The {@link ScheduleType} is timm's
 * {@code t_in_epochs}: EPOCH for {@code True}, ITERATION for {@code False}. timm's noise options are not offered.
 * Example, {@code TanhSchedule.builder(EPOCH, 0.1, 20).minValue(0.001).build()}: epochs 0, 10, 20, 30 give 0.0999999,
 * 0.09822, 0.001, 0.001.
 *
 * @see <a href="https://arxiv.org/abs/1806.01593">Hsueh et al., Stochastic Gradient Descent with Hyperbolic-Tangent
 *      Decay on Classification (2019)</a>
 */
public final class TanhSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double peakValue;
    private final int cycleSteps;
    private final double minValue;
    private final double lowerBound;
    private final double upperBound;
    private final int warmupSteps;
    private final double warmupStartValue;
    private final boolean warmupPrefix;
    private final double cycleMultiplier;
    private final double cycleDecay;
    private final int cycleLimit;
    // Derived (timm's warmup_steps): the warmup's increase per step. Not transient (Kryo skips readResolve).
    private final double warmupSlope;

    /**
     * @param type             which counter is the step (timm's {@code t_in_epochs})
     * @param peakValue        value at the start of the first cycle, finite
     * @param cycleSteps       length of the first cycle ({@code t_initial}), &gt; 0
     * @param minValue         value at the end of each cycle and after the last one ({@code lr_min}), finite
     * @param lowerBound       tanh argument at the start of a cycle ({@code lb}), finite, &lt; {@code upperBound}
     * @param upperBound       tanh argument at the end of a cycle ({@code ub}), finite
     * @param warmupSteps      length of the linear warmup ({@code warmup_t}), &gt;= 0
     * @param warmupStartValue value at step 0 when there is a warmup ({@code warmup_lr_init}), finite
     * @param warmupPrefix     whether the cycles start after the warmup ({@code warmup_prefix})
     * @param cycleMultiplier  growth of the cycle length per restart ({@code cycle_mul}), &gt;= 1
     * @param cycleDecay       multiplier of the peak per restart ({@code cycle_decay}), &gt; 0
     * @param cycleLimit       number of cycles before {@code minValue} holds, &gt;= 0 (0: no limit)
     */
    @JsonCreator
    public TanhSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                        @JsonProperty(value = "peakValue", required = true) double peakValue,
                        @JsonProperty(value = "cycleSteps", required = true) int cycleSteps,
                        @JsonProperty(value = "minValue", required = true) double minValue,
                        @JsonProperty(value = "lowerBound", required = true) double lowerBound,
                        @JsonProperty(value = "upperBound", required = true) double upperBound,
                        @JsonProperty(value = "warmupSteps", required = true) int warmupSteps,
                        @JsonProperty(value = "warmupStartValue", required = true) double warmupStartValue,
                        @JsonProperty(value = "warmupPrefix", required = true) boolean warmupPrefix,
                        @JsonProperty(value = "cycleMultiplier", required = true) double cycleMultiplier,
                        @JsonProperty(value = "cycleDecay", required = true) double cycleDecay,
                        @JsonProperty(value = "cycleLimit", required = true) int cycleLimit) {
        this.scheduleType = Args.type(type);
        this.peakValue = Args.scheduleValue("peakValue", peakValue);
        this.cycleSteps = Args.positive("cycleSteps", cycleSteps);
        this.minValue = Args.scheduleValue("minValue", minValue);
        this.lowerBound = Args.finite("lowerBound", lowerBound);
        this.upperBound = Args.finite("upperBound", upperBound);
        Args.lessThan("lowerBound", lowerBound, "upperBound", upperBound);
        this.warmupSteps = Args.nonNegative("warmupSteps", warmupSteps);
        this.warmupStartValue = Args.scheduleValue("warmupStartValue", warmupStartValue);
        this.warmupPrefix = warmupPrefix;
        if (!(cycleMultiplier >= 1) || Double.isInfinite(cycleMultiplier)) {
            throw new IllegalArgumentException("cycleMultiplier (" + cycleMultiplier + ") must be >= 1 and finite");
        }
        this.cycleMultiplier = cycleMultiplier;
        this.cycleDecay = Args.positive("cycleDecay", cycleDecay);
        this.cycleLimit = Args.nonNegative("cycleLimit", cycleLimit);
        double target = warmupPrefix ? peakValue : tanhValue(warmupSteps);
        this.warmupSlope = warmupSteps == 0 ? 0 : (target - warmupStartValue) / warmupSteps;
    }

    /**
     * A builder with timm's defaults: {@code minValue} 0, {@code lowerBound} -7, {@code upperBound} 3, no warmup
     * ({@code warmupStartValue} 0, {@code warmupPrefix} false), {@code cycleMultiplier} 1, {@code cycleDecay} 1,
     * {@code cycleLimit} 1.
     *
     * @param cycleSteps length of the (first) cycle, timm's {@code t_initial}
     */
    public static Builder builder(ScheduleType type, double peakValue, int cycleSteps) {
        return new Builder(type, peakValue, cycleSteps);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        if (k < warmupSteps) {
            return warmupStartValue + k * warmupSlope;
        }
        return tanhValue(warmupPrefix ? k - warmupSteps : k);
    }

    /** timm's {@code _get_lr} past the warmup, at {@code t} (already shifted by the warmup prefix). */
    private double tanhValue(int t) {
        long cycle;
        double cycleLength;
        double position;
        if (cycleMultiplier != 1.0) {
            cycle = (long) Math.floor(Math.log(1 - (double) t / cycleSteps * (1 - cycleMultiplier))
                    / Math.log(cycleMultiplier));
            double grown = Math.pow(cycleMultiplier, cycle);
            cycleLength = grown * cycleSteps;
            position = t - (1 - grown) / (1 - cycleMultiplier) * cycleSteps;
        } else {
            cycle = t / cycleSteps;
            cycleLength = cycleSteps;
            position = t - (double) cycleSteps * cycle;
        }
        if (cycleLimit > 0 && cycle >= cycleLimit) {
            return minValue;
        }
        double peak = peakValue * Math.pow(cycleDecay, cycle);
        double r = position / cycleLength;
        return minValue + 0.5 * (peak - minValue) * (1 - Math.tanh(lowerBound * (1. - r) + upperBound * r));
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getPeakValue() {
        return peakValue;
    }

    public int getCycleSteps() {
        return cycleSteps;
    }

    public double getMinValue() {
        return minValue;
    }

    public double getLowerBound() {
        return lowerBound;
    }

    public double getUpperBound() {
        return upperBound;
    }

    public int getWarmupSteps() {
        return warmupSteps;
    }

    public double getWarmupStartValue() {
        return warmupStartValue;
    }

    public boolean isWarmupPrefix() {
        return warmupPrefix;
    }

    public double getCycleMultiplier() {
        return cycleMultiplier;
    }

    public double getCycleDecay() {
        return cycleDecay;
    }

    public int getCycleLimit() {
        return cycleLimit;
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
        if (!(o instanceof TanhSchedule)) {
            return false;
        }
        TanhSchedule that = (TanhSchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(peakValue, that.peakValue) == 0
                && cycleSteps == that.cycleSteps
                && Double.compare(minValue, that.minValue) == 0
                && Double.compare(lowerBound, that.lowerBound) == 0
                && Double.compare(upperBound, that.upperBound) == 0
                && warmupSteps == that.warmupSteps
                && Double.compare(warmupStartValue, that.warmupStartValue) == 0
                && warmupPrefix == that.warmupPrefix
                && Double.compare(cycleMultiplier, that.cycleMultiplier) == 0
                && Double.compare(cycleDecay, that.cycleDecay) == 0
                && cycleLimit == that.cycleLimit;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(peakValue);
        h = 31 * h + cycleSteps;
        h = 31 * h + Double.hashCode(minValue);
        h = 31 * h + Double.hashCode(lowerBound);
        h = 31 * h + Double.hashCode(upperBound);
        h = 31 * h + warmupSteps;
        h = 31 * h + Double.hashCode(warmupStartValue);
        h = 31 * h + Boolean.hashCode(warmupPrefix);
        h = 31 * h + Double.hashCode(cycleMultiplier);
        h = 31 * h + Double.hashCode(cycleDecay);
        return 31 * h + cycleLimit;
    }

    @Override
    public String toString() {
        return "TanhSchedule{scheduleType=" + scheduleType + ", peakValue=" + peakValue + ", cycleSteps=" + cycleSteps
                + ", minValue=" + minValue + ", lowerBound=" + lowerBound + ", upperBound=" + upperBound
                + ", warmupSteps=" + warmupSteps + ", warmupStartValue=" + warmupStartValue + ", warmupPrefix="
                + warmupPrefix + ", cycleMultiplier=" + cycleMultiplier + ", cycleDecay=" + cycleDecay
                + ", cycleLimit=" + cycleLimit + "}";
    }

    /** Builds a {@link TanhSchedule}; {@link #build()} checks the arguments as the constructor does. */
    public static final class Builder {
        private final ScheduleType type;
        private final double peakValue;
        private final int cycleSteps;
        private double minValue = 0.0;
        private double lowerBound = -7.0;
        private double upperBound = 3.0;
        private int warmupSteps = 0;
        private double warmupStartValue = 0.0;
        private boolean warmupPrefix = false;
        private double cycleMultiplier = 1.0;
        private double cycleDecay = 1.0;
        private int cycleLimit = 1;

        private Builder(ScheduleType type, double peakValue, int cycleSteps) {
            this.type = type;
            this.peakValue = peakValue;
            this.cycleSteps = cycleSteps;
        }

        /** Value at the end of each cycle and after the last ({@code lr_min}); default 0. */
        public Builder minValue(double minValue) {
            this.minValue = minValue;
            return this;
        }

        /** tanh argument at the start of a cycle ({@code lb}); default -7. */
        public Builder lowerBound(double lowerBound) {
            this.lowerBound = lowerBound;
            return this;
        }

        /** tanh argument at the end of a cycle ({@code ub}); default 3. */
        public Builder upperBound(double upperBound) {
            this.upperBound = upperBound;
            return this;
        }

        /** Length of the linear warmup ({@code warmup_t}); default 0. */
        public Builder warmupSteps(int warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        /** Value at step 0 of the warmup ({@code warmup_lr_init}); default 0. */
        public Builder warmupStartValue(double warmupStartValue) {
            this.warmupStartValue = warmupStartValue;
            return this;
        }

        /** Whether the cycles start after the warmup ({@code warmup_prefix}); default false. */
        public Builder warmupPrefix(boolean warmupPrefix) {
            this.warmupPrefix = warmupPrefix;
            return this;
        }

        /** Growth of the cycle length per restart ({@code cycle_mul}); default 1. */
        public Builder cycleMultiplier(double cycleMultiplier) {
            this.cycleMultiplier = cycleMultiplier;
            return this;
        }

        /** Multiplier of the peak per restart ({@code cycle_decay}); default 1. */
        public Builder cycleDecay(double cycleDecay) {
            this.cycleDecay = cycleDecay;
            return this;
        }

        /** Number of cycles before {@code minValue} holds; default 1 (timm's); 0: no limit. */
        public Builder cycleLimit(int cycleLimit) {
            this.cycleLimit = cycleLimit;
            return this;
        }

        public TanhSchedule build() {
            return new TanhSchedule(type, peakValue, cycleSteps, minValue, lowerBound, upperBound, warmupSteps,
                    warmupStartValue, warmupPrefix, cycleMultiplier, cycleDecay, cycleLimit);
        }
    }
}
