package io.github.lrschedules.internal;

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

    /** The largest value a schedule may give: the largest float, the data type DL4J trains in by default. */
    public static final double MAX_SCHEDULE_VALUE = Float.MAX_VALUE;

    /**
     * A value a schedule gives (a learning rate, a momentum) or a factor of one, in {@code [0, Float.MAX_VALUE]}: with
     * every such argument in that range no schedule gives a negative, infinite or NaN value at any step.
     * {@code "minValue (-0.5) must be in [0, 3.4028234663852886E38]: a schedule's values are rates and momenta"}.
     */
    public static double scheduleValue(String name, double value) {
        if (!(value >= 0 && value <= MAX_SCHEDULE_VALUE)) {
            throw new IllegalArgumentException(name + " (" + value + ") must be in [0, " + MAX_SCHEDULE_VALUE
                    + "]: a schedule's values are rates and momenta");
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

    /** {@code value}, or an exception {@code "name must not be null: hint"}; the hint says what to pass. */
    public static <T> T notNull(String name, T value, String hint) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null: " + hint);
        }
        return value;
    }

    /** Every element of {@code values} not null: {@code "storages[1] must not be null"}. */
    public static <T> T[] noNulls(String name, T[] values) {
        notNull(name, values);
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                throw new IllegalArgumentException(name + "[" + i + "] must not be null");
            }
        }
        return values;
    }

    /** A string that is neither null nor empty: {@code "sessionId () must not be null or empty"}. */
    public static String notEmpty(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " (" + value + ") must not be null or empty");
        }
        return value;
    }

    /** {@code value >= min}: {@code "maxPoints (1) must be >= 2"}. */
    public static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " (" + value + ") must be >= " + min);
        }
        return value;
    }

    /** {@code min <= value <= max}: {@code "port (70000) must be in [0, 65535]"}. */
    public static int inRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " (" + value + ") must be in [" + min + ", " + max + "]");
        }
        return value;
    }

    /** {@code value > bound}, finite: {@code "divergenceFactor (1.0) must be > 1 and finite"}. */
    public static double greaterThan(String name, double value, double bound) {
        if (!(value > bound) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " (" + value + ") must be > " + number(bound) + " and finite");
        }
        return value;
    }

    /** {@code value < other}: {@code "minLr (1.0) must be < maxLr (1.0)"}. */
    public static double lessThan(String name, double value, String otherName, double other) {
        if (!(value < other)) {
            throw new IllegalArgumentException(name + " (" + value + ") must be < " + otherName + " (" + other + ")");
        }
        return value;
    }

    /** {@code low < value < high}: {@code "factor (1.0) must be in (0, 1)"}. */
    public static double inOpenRange(String name, double value, double low, double high) {
        if (!(value > low && value < high)) {
            throw new IllegalArgumentException(name + " (" + value + ") must be in (" + number(low) + ", "
                    + number(high) + ")");
        }
        return value;
    }

    /** {@code low <= value < high}: {@code "smoothing (1.0) must be in [0, 1)"}. */
    public static double inHalfOpenRange(String name, double value, double low, double high) {
        if (!(value >= low && value < high)) {
            throw new IllegalArgumentException(name + " (" + value + ") must be in [" + number(low) + ", "
                    + number(high) + ")");
        }
        return value;
    }

    /** {@code low <= value <= high}: {@code "accuracy (1.5) must be in [0, 1]"}. */
    public static double inClosedRange(String name, double value, double low, double high) {
        if (!(value >= low && value <= high)) {
            throw new IllegalArgumentException(name + " (" + value + ") must be in [" + number(low) + ", "
                    + number(high) + "]");
        }
        return value;
    }

    /** A bound as a person writes it: {@code 1} rather than {@code 1.0}. */
    private static String number(double bound) {
        return bound == Math.rint(bound) && Math.abs(bound) < 1e15 ? Long.toString((long) bound)
                : Double.toString(bound);
    }

    /** {@code index}, checked to be in {@code [0, size)}. */
    public static int index(String name, int index, int size) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(name + " (" + index + ") must be >= 0 and < " + size);
        }
        return index;
    }
}
