package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Warmup in front of any schedule: a ramp from {@code warmupStartValue} to the wrapped schedule's first
 * value, then the wrapped schedule in its own local time. The ramp is linear (the default) or logarithmic
 * (DeepSpeed's {@code WarmupLR(warmup_type="log")}).
 *
 * <pre>
 * LINEAR: value(k) = warmupStartValue + (base(0) - warmupStartValue) * k / warmupSteps          for k &lt; warmupSteps
 * LOG:    value(k) = warmupStartValue + (base(0) - warmupStartValue) * ln(k + 1) / ln(W),
 *         W = max(2, warmupSteps)                                                          for k &lt; W
 * value(k) = base(k - warmupSteps)   (LOG: base(k - W))                                    for k &gt;= warmupSteps (W)
 * </pre>
 *
 * The logarithmic ramp follows DeepSpeed exactly: it reaches {@code base(0)} already at step {@code W - 1}, and a
 * warmup of 1 step is raised to 2 (DeepSpeed's {@code max(2, warmup_num_steps)}). DeepSpeed's
 * {@code WarmupLR(warmup_min_lr=a, warmup_max_lr=b, warmup_num_steps=W, warmup_type="log")} is
 * {@code new WarmupSchedule(type, new FixedSchedule(b), W, a, Ramp.LOG)}, and its {@code WarmupDecayLR} with
 * {@code total_num_steps=T} wraps {@code new PolynomialDecaySchedule(type, b, a, 1.0, T - max(2, W))} instead.
 * {@code warmupSteps = 0} is the wrapped schedule for both ramps (DeepSpeed would raise 0 to 2 as well).
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

    private static final long serialVersionUID = 2L;

    /** The shape of the warmup ramp. */
    public enum Ramp {
        /** {@code k / warmupSteps}: the ramp of 1.0, PyTorch's {@code LinearLR}, optax' warmup. */
        LINEAR,
        /** {@code ln(k + 1) / ln(max(2, warmupSteps))}: DeepSpeed's {@code warmup_type="log"}. */
        LOG
    }

    private final ScheduleType scheduleType;
    private final ISchedule schedule;
    private final int warmupSteps;
    private final double warmupStartValue;
    private final Ramp ramp;
    /** Steps the ramp lasts: {@code warmupSteps}, for LOG at least 2 (DeepSpeed's rule) unless 0. */
    private final int rampSteps;
    /** {@code 1 / ln(rampSteps)} for LOG, as DeepSpeed precomputes it. */
    private final double inverseLogRampSteps;

    /** A linear ramp. */
    public WarmupSchedule(ScheduleType type, ISchedule schedule, int warmupSteps, double warmupStartValue) {
        this(type, schedule, warmupSteps, warmupStartValue, Ramp.LINEAR);
    }

    /**
     * @param type             which counter is the step
     * @param after            the schedule that follows the warmup, called in local time
     * @param warmupSteps      length of the ramp, &gt;= 0
     * @param warmupStartValue value at step 0, finite
     * @param ramp             shape of the ramp; optional in JSON (configurations saved by 1.0 have none),
     *                         default {@link Ramp#LINEAR}
     */
    @JsonCreator
    public WarmupSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                          @JsonProperty(value = "schedule", required = true) ISchedule after,
                          @JsonProperty(value = "warmupSteps", required = true) int warmupSteps,
                          @JsonProperty(value = "warmupStartValue", required = true) double warmupStartValue,
                          @JsonProperty(value = "ramp") Ramp ramp) {
        this.scheduleType = Args.type(type);
        this.schedule = Steps.sameType("schedule", Args.schedule("schedule", after), scheduleType);
        this.warmupSteps = Args.nonNegative("warmupSteps", warmupSteps);
        this.warmupStartValue = Args.scheduleValue("warmupStartValue", warmupStartValue);
        this.ramp = ramp == null ? Ramp.LINEAR : ramp;
        this.rampSteps = this.ramp == Ramp.LOG && warmupSteps == 1 ? 2 : warmupSteps;
        this.inverseLogRampSteps = 1.0 / Math.log(Math.max(2, rampSteps));
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        if (k >= rampSteps) {
            return Steps.valueAtLocal(schedule, scheduleType, k - rampSteps, iteration, epoch);
        }
        double target = Steps.valueAtLocal(schedule, scheduleType, 0, iteration, epoch);
        if (ramp == Ramp.LOG) {
            return warmupStartValue + (target - warmupStartValue) * (inverseLogRampSteps * Math.log(k + 1));
        }
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

    public Ramp getRamp() {
        return ramp;
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
                && Double.compare(warmupStartValue, that.warmupStartValue) == 0
                && ramp == that.ramp;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + schedule.hashCode();
        h = 31 * h + warmupSteps;
        h = 31 * h + Double.hashCode(warmupStartValue);
        return ramp == Ramp.LINEAR ? h : 31 * h + ramp.hashCode();
    }

    @Override
    public String toString() {
        return "WarmupSchedule{scheduleType=" + scheduleType + ", schedule=" + schedule
                + ", warmupSteps=" + warmupSteps + ", warmupStartValue=" + warmupStartValue + ", ramp=" + ramp + "}";
    }
}
