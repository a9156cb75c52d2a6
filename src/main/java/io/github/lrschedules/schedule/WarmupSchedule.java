package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Linear warmup in front of any schedule: a ramp from {@code warmupStartValue} to the wrapped schedule's first
 * value, then the wrapped schedule in its own local time.
 *
 * <pre>
 * value(k) = warmupStartValue + (base(0) - warmupStartValue) * k / warmupSteps    for k &lt; warmupSteps
 * value(k) = base(k - warmupSteps)                                              for k &gt;= warmupSteps
 * </pre>
 *
 * The wrapped schedule starts its own clock at the end of the warmup (as in optax' {@code join_schedules}), so a
 * 100-step cosine behind a 10-step warmup ends at step 110. Local time goes into the argument of
 * {@code valueAt(iteration, epoch)} that this wrapper's {@link ScheduleType} selects; the other one is passed on
 * unchanged, so a wrapped schedule that reports the other type ({@code getScheduleType()}, as this library's and
 * DL4J's schedules do) is refused. {@code warmupSteps = 0} is the wrapped schedule.
 * Example, {@code new WarmupSchedule(ITERATION, new FixedSchedule(0.1), 4, 0.0)}: steps 0, 2, 4, 100 give
 * 0, 0.05, 0.1, 0.1.
 *
 * @see <a href="https://arxiv.org/abs/1706.02677">Goyal et al., Accurate, Large Minibatch SGD (2017)</a>
 */
public final class WarmupSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final ISchedule schedule;
    private final int warmupSteps;
    private final double warmupStartValue;

    /**
     * @param type             which counter is the step
     * @param schedule         the schedule that follows the warmup, called in local time
     * @param warmupSteps      length of the ramp, &gt;= 0
     * @param warmupStartValue value at step 0, finite
     */
    public WarmupSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                          @JsonProperty(value = "schedule", required = true) ISchedule schedule,
                          @JsonProperty(value = "warmupSteps", required = true) int warmupSteps,
                          @JsonProperty(value = "warmupStartValue", required = true) double warmupStartValue) {
        this.scheduleType = Args.type(type);
        this.schedule = Steps.sameType("schedule", Args.schedule("schedule", schedule), scheduleType);
        this.warmupSteps = Args.nonNegative("warmupSteps", warmupSteps);
        this.warmupStartValue = Args.scheduleValue("warmupStartValue", warmupStartValue);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        if (k >= warmupSteps) {
            return Steps.valueAtLocal(schedule, scheduleType, k - warmupSteps, iteration, epoch);
        }
        double target = Steps.valueAtLocal(schedule, scheduleType, 0, iteration, epoch);
        return warmupStartValue + (target - warmupStartValue) * k / warmupSteps;
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public ISchedule getSchedule() {
        return schedule;
    }

    public int getWarmupSteps() {
        return warmupSteps;
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
        if (!(o instanceof WarmupSchedule)) {
            return false;
        }
        WarmupSchedule that = (WarmupSchedule) o;
        return scheduleType == that.scheduleType
                && schedule.equals(that.schedule)
                && warmupSteps == that.warmupSteps
                && Double.compare(warmupStartValue, that.warmupStartValue) == 0;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + schedule.hashCode();
        h = 31 * h + warmupSteps;
        return 31 * h + Double.hashCode(warmupStartValue);
    }

    @Override
    public String toString() {
        return "WarmupSchedule{scheduleType=" + scheduleType + ", schedule=" + schedule
                + ", warmupSteps=" + warmupSteps + ", warmupStartValue=" + warmupStartValue + "}";
    }
}
