package io.github.lrschedules.util;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Argument checks shared by every package of the library (internal: not part of the public API). Every check is written so that NaN fails it, and every message names
 * the argument and the value received: {@code "totalSteps (0) must be > 0"}.
 */
public final class Args {

    private Args() {
    }

    public static ScheduleType type(ScheduleType type) {
        if (type == null) {
            throw new IllegalArgumentException("scheduleType must not be null: use ScheduleType.ITERATION or ScheduleType.EPOCH");
        }
        return type;
    }

    public static ISchedule schedule(String name, ISchedule schedule) {
        if (schedule == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return schedule;
    }

    public static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }

    public static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " (" + value + ") must be a finite number");
        }
        return value;
    }

    public static double nonNegative(String name, double value) {
        if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " (" + value + ") must be >= 0 and finite");
        }
        return value;
    }

    public static double positive(String name, double value) {
        if (!(value > 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " (" + value + ") must be > 0 and finite");
        }
        return value;
    }

    public static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " (" + value + ") must be > 0");
        }
        return value;
    }

    public static int nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " (" + value + ") must be >= 0");
        }
        return value;
    }

    /** {@code value} in {@code [0, 1]}. */
    public static double unitInterval(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " (" + value + ") must be in [0, 1]");
        }
        return value;
    }

    /** {@code value} in {@code [0, 1)}. */
    public static double unitIntervalOpen(String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " (" + value + ") must be in [0, 1)");
        }
        return value;
    }
}
