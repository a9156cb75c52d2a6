package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import java.util.Arrays;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Multiplies the value by {@code gamma} at each milestone, like PyTorch's {@code MultiStepLR}.
 *
 * <pre>
 * value(k) = initialValue * gamma ^ (number of milestones m with m &lt;= k)
 * </pre>
 *
 * A milestone is inclusive: at step {@code k == m} the reduced value already applies. A milestone listed twice
 * counts twice (as in PyTorch). The order of the milestones does not matter. Past the last milestone the value
 * stays constant.
 *
 * <p>The classic recipe "0.1, divided by 10 at 50% and 75% of 120 epochs":
 * <pre>
 * ISchedule lr = MilestoneStepSchedule.atFractions(ScheduleType.EPOCH, 0.1, 0.1, 120, 0.5, 0.75);
 * lr.valueAt(0, 59) == 0.1;  lr.valueAt(0, 60) == 0.01 (within rounding);  lr.valueAt(0, 90) == 0.001
 * </pre>
 *
 * @see <a href="https://arxiv.org/abs/1512.03385">He et al., Deep Residual Learning (2015), section 3.4</a>
 */
public final class MilestoneStepSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double initialValue;
    private final double gamma;
    private final int[] milestones;

    /**
     * @param type         which counter is the step: {@link ScheduleType#ITERATION} or {@link ScheduleType#EPOCH}
     * @param initialValue value before the first milestone, in {@code [0, Float.MAX_VALUE]}
     * @param gamma        multiplier applied at every milestone (finite, &gt; 0; the last value may not exceed
     *                     {@code Float.MAX_VALUE})
     * @param milestones   steps at which the multiplier applies; each &gt;= 0, repeats count twice
     */
    public MilestoneStepSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                                 @JsonProperty(value = "initialValue", required = true) double initialValue,
                                 @JsonProperty(value = "gamma", required = true) double gamma,
                                 @JsonProperty(value = "milestones", required = true) int... milestones) {
        this.scheduleType = Args.type(type);
        this.initialValue = Args.scheduleValue("initialValue", initialValue);
        this.gamma = Args.positive("gamma", gamma);
        Args.notNull("milestones", milestones);
        for (int i = 0; i < milestones.length; i++) {
            if (milestones[i] < 0) {
                throw new IllegalArgumentException("milestones[" + i + "] (" + milestones[i] + ") must be >= 0");
            }
        }
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        // gamma > 1 grows the value at every milestone: the last value must stay a number a network can use.
        if (!(initialValue * Math.pow(gamma, milestones.length) <= Args.MAX_SCHEDULE_VALUE)) {
            throw new IllegalArgumentException("gamma (" + gamma + ") to the power of the " + milestones.length
                    + " milestones times initialValue (" + initialValue + ") must be <= " + Args.MAX_SCHEDULE_VALUE);
        }
    }

    /**
     * Milestones placed at fractions of the training length: {@code round(fraction * totalSteps)}.
     * {@code atFractions(EPOCH, 0.1, 0.1, 120, 0.5, 0.75)} has milestones 60 and 90.
     *
     * @param fractions each in (0, 1]
     */
    public static MilestoneStepSchedule atFractions(ScheduleType type, double initialValue, double gamma,
                                                    int totalSteps, double... fractions) {
        Args.positive("totalSteps", totalSteps);
        Args.notNull("fractions", fractions);
        int[] milestones = new int[fractions.length];
        for (int i = 0; i < fractions.length; i++) {
            double f = fractions[i];
            if (!(f > 0 && f <= 1)) {
                throw new IllegalArgumentException("fractions[" + i + "] (" + f + ") must be in (0, 1]");
            }
            milestones[i] = (int) Math.round(f * totalSteps);
        }
        return new MilestoneStepSchedule(type, initialValue, gamma, milestones);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        return initialValue * Math.pow(gamma, Steps.countAtOrBelow(milestones, k));
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getInitialValue() {
        return initialValue;
    }

    public double getGamma() {
        return gamma;
    }

    /** The milestones in ascending order (a copy). */
    public int[] getMilestones() {
        return milestones.clone();
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
        if (!(o instanceof MilestoneStepSchedule)) {
            return false;
        }
        MilestoneStepSchedule that = (MilestoneStepSchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(initialValue, that.initialValue) == 0
                && Double.compare(gamma, that.gamma) == 0
                && Arrays.equals(milestones, that.milestones);
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(initialValue);
        h = 31 * h + Double.hashCode(gamma);
        return 31 * h + Arrays.hashCode(milestones);
    }

    @Override
    public String toString() {
        return "MilestoneStepSchedule{scheduleType=" + scheduleType + ", initialValue=" + initialValue
                + ", gamma=" + gamma + ", milestones=" + Arrays.toString(milestones) + "}";
    }
}
