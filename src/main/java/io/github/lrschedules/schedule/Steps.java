package io.github.lrschedules.schedule;

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
}
