package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Runs schedules one after another, each in its own local time, like optax' {@code join_schedules} and PyTorch's
 * {@code SequentialLR}.
 *
 * <pre>
 * value(k) = schedules[0](k)                      for k &lt; boundaries[0]
 * value(k) = schedules[i](k - boundaries[i-1])    for boundaries[i-1] &lt;= k &lt; boundaries[i]
 * value(k) = schedules[n-1](k - boundaries[n-2])  for k &gt;= boundaries[n-2]
 * </pre>
 *
 * A boundary is inclusive for the schedule that starts there. Local time goes into the argument of
 * {@code valueAt(iteration, epoch)} that this sequence's {@link ScheduleType} selects; the other one is passed on
 * unchanged, so a child that reports the other type ({@code getScheduleType()}, as this library's and DL4J's
 * schedules do) is refused. Past the last boundary the last schedule decides.
 * Example, a 5-step warmup then a 20-step cosine:
 * {@code new SequentialSchedule(ITERATION, List.of(new LinearSchedule(ITERATION, 0.1, 0.1, 1.0, 5),
 * new CosineDecaySchedule(ITERATION, 0.1, 20, 0.0)), 5)}: steps 0, 5, 15, 25 give 0.01, 0.1, 0.05, 0.
 */
public final class SequentialSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final List<ISchedule> schedules;
    private final int[] boundaries;

    /**
     * @param schedules  at least one schedule, none null
     * @param boundaries {@code schedules.size() - 1} strictly increasing steps, the first &gt; 0
     */
    public SequentialSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                              @JsonProperty(value = "schedules", required = true) List<ISchedule> schedules,
                              @JsonProperty(value = "boundaries", required = true) int... boundaries) {
        this.scheduleType = Args.type(type);
        Args.notNull("schedules", schedules);
        Args.notNull("boundaries", boundaries);
        if (schedules.isEmpty()) {
            throw new IllegalArgumentException("schedules must not be empty");
        }
        for (int i = 0; i < schedules.size(); i++) {
            Steps.sameType("schedules[" + i + "]", Args.schedule("schedules[" + i + "]", schedules.get(i)),
                    scheduleType);
        }
        if (boundaries.length != schedules.size() - 1) {
            throw new IllegalArgumentException("boundaries has " + boundaries.length + " elements "
                    + Arrays.toString(boundaries) + " but must have schedules.size() - 1 = " + (schedules.size() - 1));
        }
        for (int i = 0; i < boundaries.length; i++) {
            int previous = i == 0 ? 0 : boundaries[i - 1];
            if (boundaries[i] <= previous) {
                throw new IllegalArgumentException("boundaries[" + i + "] (" + boundaries[i] + ") must be > "
                        + (i == 0 ? "0" : "boundaries[" + (i - 1) + "] (" + previous + ")"));
            }
        }
        this.schedules = Collections.unmodifiableList(new ArrayList<>(schedules));
        this.boundaries = boundaries.clone();
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        int i = 0;
        while (i < boundaries.length && k >= boundaries[i]) {
            i++;
        }
        int local = i == 0 ? k : k - boundaries[i - 1];
        return Steps.valueAtLocal(schedules.get(i), scheduleType, local, iteration, epoch);
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    /** The schedules in order (unmodifiable). */
    public List<ISchedule> getSchedules() {
        return schedules;
    }

    /** The boundaries (a copy). */
    public int[] getBoundaries() {
        return boundaries.clone();
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
        if (!(o instanceof SequentialSchedule)) {
            return false;
        }
        SequentialSchedule that = (SequentialSchedule) o;
        return scheduleType == that.scheduleType
                && schedules.equals(that.schedules)
                && Arrays.equals(boundaries, that.boundaries);
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + schedules.hashCode();
        return 31 * h + Arrays.hashCode(boundaries);
    }

    @Override
    public String toString() {
        return "SequentialSchedule{scheduleType=" + scheduleType + ", schedules=" + schedules
                + ", boundaries=" + Arrays.toString(boundaries) + "}";
    }
}
