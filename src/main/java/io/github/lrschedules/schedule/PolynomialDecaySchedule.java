package io.github.lrschedules.schedule;

import io.github.lrschedules.util.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Polynomial decay from {@code initialValue} to {@code endValue} over {@code totalSteps}, like Keras'
 * {@code PolynomialDecay} (without cycling) and PyTorch's {@code PolynomialLR} (which has {@code endValue = 0}).
 *
 * <pre>
 * value(k) = (initialValue - endValue) * (1 - min(k, totalSteps) / totalSteps) ^ power + endValue
 * </pre>
 *
 * {@code endValue} is reached at {@code k == totalSteps} and held afterwards. {@code power = 1} is linear decay.
 * Unlike DL4J's {@code PolySchedule} of 1.0.0-M2.1, which grows past its {@code maxIter}, this one decays.
 * Example, {@code new PolynomialDecaySchedule(ITERATION, 0.1, 0.0, 2.0, 10)}: steps 0, 5, 10 give 0.1, 0.025, 0.
 */
public final class PolynomialDecaySchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double initialValue;
    private final double endValue;
    private final double power;
    private final int totalSteps;

    /**
     * @param power the exponent, finite and &gt; 0
     */
    public PolynomialDecaySchedule(@JsonProperty("scheduleType") ScheduleType type,
                                   @JsonProperty("initialValue") double initialValue,
                                   @JsonProperty("endValue") double endValue,
                                   @JsonProperty("power") double power,
                                   @JsonProperty("totalSteps") int totalSteps) {
        this.scheduleType = Args.type(type);
        this.initialValue = Args.finite("initialValue", initialValue);
        this.endValue = Args.finite("endValue", endValue);
        this.power = Args.positive("power", power);
        this.totalSteps = Args.positive("totalSteps", totalSteps);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Math.min(Steps.step(scheduleType, iteration, epoch), totalSteps);
        double remaining = 1.0 - (double) k / totalSteps;
        return (initialValue - endValue) * Math.pow(remaining, power) + endValue;
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getInitialValue() {
        return initialValue;
    }

    public double getEndValue() {
        return endValue;
    }

    public double getPower() {
        return power;
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
        if (!(o instanceof PolynomialDecaySchedule)) {
            return false;
        }
        PolynomialDecaySchedule that = (PolynomialDecaySchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(initialValue, that.initialValue) == 0
                && Double.compare(endValue, that.endValue) == 0
                && Double.compare(power, that.power) == 0
                && totalSteps == that.totalSteps;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(initialValue);
        h = 31 * h + Double.hashCode(endValue);
        h = 31 * h + Double.hashCode(power);
        return 31 * h + totalSteps;
    }

    @Override
    public String toString() {
        return "PolynomialDecaySchedule{scheduleType=" + scheduleType + ", initialValue=" + initialValue
                + ", endValue=" + endValue + ", power=" + power + ", totalSteps=" + totalSteps + "}";
    }
}
