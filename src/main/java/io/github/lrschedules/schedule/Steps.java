package io.github.lrschedules.schedule;

import java.lang.reflect.Method;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** How a schedule reads its step {@code k} from DL4J's {@code (iteration, epoch)} and hands local time to a child. */
final class Steps {

    private Steps() {
    }

    /** The step {@code k} that {@code type} selects; negative counts are treated as step 0. */
    static int step(ScheduleType type, int iteration, int epoch) {
        int k = type == ScheduleType.ITERATION ? iteration : epoch;
        return Math.max(k, 0);
    }

    /** Calls {@code child} at local step {@code k}, in the argument {@code type} selects; the other one is passed on. */
    static double valueAtLocal(ISchedule child, ScheduleType type, int k, int iteration, int epoch) {
        return type == ScheduleType.ITERATION ? child.valueAt(k, epoch) : child.valueAt(iteration, k);
    }

    /**
     * The {@code ScheduleType} a schedule reports through a public {@code getScheduleType()} (this library's
     * schedules and DL4J's own do), or {@code null} for one that reports none (a user's own {@code ISchedule},
     * DL4J's {@code FixedSchedule}).
     */
    static ScheduleType reportedType(ISchedule schedule) {
        if (schedule instanceof ScaledSchedule) {
            return reportedType(((ScaledSchedule) schedule).getSchedule());
        }
        try {
            Method getter = schedule.getClass().getMethod("getScheduleType");
            Object type = getter.getReturnType() == ScheduleType.class ? getter.invoke(schedule) : null;
            return (ScheduleType) type;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Refuses a child that steps with the other counter: a composite of one {@code ScheduleType} shifts only the
     * argument of {@code valueAt} that its type selects, so an EPOCH child inside an ITERATION sequence would read
     * the unshifted epoch. A child that reports no type is accepted.
     */
    static ISchedule sameType(String name, ISchedule child, ScheduleType type) {
        ScheduleType childType = reportedType(child);
        if (childType != null && childType != type) {
            throw new IllegalArgumentException(name + " (" + child.getClass().getSimpleName() + " with scheduleType "
                    + childType + ") must use the scheduleType of the schedule that contains it (" + type
                    + "): the container hands its child local time in the " + type + " argument only");
        }
        return child;
    }

    /** Number of elements of the ascending {@code sorted} that are {@code <= k}, by binary search (no allocation). */
    static int countAtOrBelow(int[] sorted, int k) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= k) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
