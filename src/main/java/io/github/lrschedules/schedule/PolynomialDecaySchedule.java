package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Polynomial decay from {@code initialValue} to {@code minValue} over {@code totalSteps}, like Keras'
 * {@code PolynomialDecay} (without cycling) and PyTorch's {@code PolynomialLR} (which has {@code minValue = 0}).
 *
 * <pre>
 * value(k) = (initialValue - minValue) * (1 - min(k, totalSteps) / totalSteps) ^ power + minValue
 * </pre>
 *
 * {@code minValue} is reached at {@code k == totalSteps} and held afterwards. {@code power = 1} is linear decay.
 * With {@code cycle} (Keras' option, default false) the decay restarts instead: the horizon becomes the first
 * multiple of {@code totalSteps} that is {@code >= k} (and {@code totalSteps} at {@code k = 0}), so
 * {@code minValue} is reached at every multiple of {@code totalSteps} and the next step jumps up again, onto the decay
 * stretched over the next multiple (Keras' formula; step {@code totalSteps + 1} is at progress about one half):
 * <pre>
 * horizon  = totalSteps * max(1, ceil(k / totalSteps))
 * value(k) = (initialValue - minValue) * (1 - k / horizon) ^ power + minValue
 * </pre>
 * Unlike DL4J's {@code PolySchedule} of 1.0.0-M2.1, which grows past its {@code maxIter}, this one decays.
 * Its numbers are absolute values ({@code initialValue}, {@code minValue}), in the order of
 * {@link LinearSchedule#decay}; {@link LinearSchedule}'s constructor takes factors of {@code initialValue} instead,
 * like PyTorch's {@code LinearLR}. Example, {@code PolynomialDecaySchedule.builder(ITERATION, 0.1, 10).power(2.0).build()},
 * the same as {@code new PolynomialDecaySchedule(ITERATION, 0.1, 0.0, 2.0, 10)}: steps 0, 5, 10 give 0.1, 0.025, 0;
 * with {@code .cycle(true)} step 15 gives 0.1 * (1 - 15 / 20)^2 = 0.00625.
 */
public final class PolynomialDecaySchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double initialValue;
    private final double minValue;
    private final double power;
    private final int totalSteps;
    private final boolean cycle;

    /** Decay once, then hold {@code minValue} (no cycling). */
    public PolynomialDecaySchedule(ScheduleType type, double initialValue, double minValue, double power, int totalSteps) {
        this(type, initialValue, minValue, power, totalSteps, false);
    }

    /**
     * @param initialValue value at step 0
     * @param minValue     value at and after {@code totalSteps}
     * @param power        the exponent, finite and &gt; 0
     * @param totalSteps   length of the decay, &gt; 0
     * @param cycle        whether the decay restarts over the next multiple of {@code totalSteps} (Keras'
     *                     {@code cycle}); absent in JSON of 1.0: false
     */
    @JsonCreator
    public PolynomialDecaySchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                                   @JsonProperty(value = "initialValue", required = true) double initialValue,
                                   @JsonProperty(value = "minValue", required = true) double minValue,
                                   @JsonProperty(value = "power", required = true) double power,
                                   @JsonProperty(value = "totalSteps", required = true) int totalSteps,
                                   @JsonProperty(value = "cycle") Boolean cycle) {
        this.scheduleType = Args.type(type);
        this.initialValue = Args.scheduleValue("initialValue", initialValue);
        this.minValue = Args.scheduleValue("minValue", minValue);
        this.power = Args.positive("power", power);
        this.totalSteps = Args.positive("totalSteps", totalSteps);
        this.cycle = cycle != null && cycle;
    }

    /** A builder with PyTorch's {@code PolynomialLR} defaults: {@code minValue} 0, {@code power} 1. */
    public static Builder builder(ScheduleType type, double initialValue, int totalSteps) {
        return new Builder(type, initialValue, totalSteps);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int step = Steps.step(scheduleType, iteration, epoch);
        double remaining;
        if (cycle) {
            double horizon = step == 0 ? totalSteps : (double) totalSteps * Math.ceil((double) step / totalSteps);
            remaining = 1.0 - step / horizon;
        } else {
            remaining = 1.0 - (double) Math.min(step, totalSteps) / totalSteps;
        }
        return (initialValue - minValue) * Math.pow(remaining, power) + minValue;
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getInitialValue() {
        return initialValue;
    }

    public double getMinValue() {
        return minValue;
    }

    public double getPower() {
        return power;
    }

    public int getTotalSteps() {
        return totalSteps;
    }

    public boolean isCycle() {
        return cycle;
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
        if (!(o instanceof PolynomialDecaySchedule)) {
            return false;
        }
        PolynomialDecaySchedule that = (PolynomialDecaySchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(initialValue, that.initialValue) == 0
                && Double.compare(minValue, that.minValue) == 0
                && Double.compare(power, that.power) == 0
                && totalSteps == that.totalSteps
                && cycle == that.cycle;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(initialValue);
        h = 31 * h + Double.hashCode(minValue);
        h = 31 * h + Double.hashCode(power);
        h = 31 * h + totalSteps;
        return 31 * h + Boolean.hashCode(cycle);
    }

    @Override
    public String toString() {
        return "PolynomialDecaySchedule{scheduleType=" + scheduleType + ", initialValue=" + initialValue
                + ", minValue=" + minValue + ", power=" + power + ", totalSteps=" + totalSteps + ", cycle=" + cycle + "}";
    }

    /** Builds a {@link PolynomialDecaySchedule}; {@link #build()} checks the arguments as the constructor does. */
    public static final class Builder {
        private final ScheduleType type;
        private final double initialValue;
        private final int totalSteps;
        private double minValue = 0.0;
        private double power = 1.0;
        private boolean cycle;

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

        /** The exponent; default 1 (linear). */
        public Builder power(double power) {
            this.power = power;
            return this;
        }

        /** Whether the decay restarts over the next multiple of {@code totalSteps} (Keras' {@code cycle}); default false. */
        public Builder cycle(boolean cycle) {
            this.cycle = cycle;
            return this;
        }

        public PolynomialDecaySchedule build() {
            return new PolynomialDecaySchedule(type, initialValue, minValue, power, totalSteps, cycle);
        }
    }
}
