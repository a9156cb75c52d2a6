package io.github.lrschedules.schedule;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Argument checks shared by the schedules. Every check is written so that NaN fails it, and every message names
 * the argument and the value received: {@code "totalSteps (0) must be > 0"}.
 */
final class Args {

    private Args() {
    }

    static ScheduleType type(ScheduleType type) {
        if (type == null) {
            throw new IllegalArgumentException("scheduleType must not be null: use ScheduleType.ITERATION or ScheduleType.EPOCH");
        }
        return type;
    }

    static ISchedule schedule(String name, ISchedule schedule) {
        if (schedule == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return schedule;
    }

    static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }

    static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " (" + value + ") must be a finite number");
        }
        return value;
    }

    static double nonNegative(String name, double value) {
        if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " (" + value + ") must be >= 0 and finite");
        }
        return value;
    }

    static double positive(String name, double value) {
        if (!(value > 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " (" + value + ") must be > 0 and finite");
        }
        return value;
    }

    static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " (" + value + ") must be > 0");
        }
        return value;
    }

    static int nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " (" + value + ") must be >= 0");
        }
        return value;
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
