package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import java.util.Arrays;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Values that move smoothly between boundaries: optax' {@code piecewise_interpolate_schedule}. The value at boundary
 * {@code i} is {@code initialValue} times the product of the scales up to and including {@code scales[i]}, and
 * between boundaries the value is interpolated, linearly or along half a cosine.
 *
 * <pre>
 * v_0 = initialValue,  v_(i+1) = v_i * scales[i]          (the scales accumulate)
 * b_0 = 0,             b_(i+1) = boundaries[i]
 * value(k) = v_i + (v_(i+1) - v_i) * p                                 LINEAR
 * value(k) = v_(i+1) + (v_i - v_(i+1)) / 2 * (cos(pi * p) + 1)         COSINE
 *            p = (k - b_i) / max(b_(i+1) - b_i, 1),                    for b_i &lt;= k &lt; b_(i+1)
 * value(k) = v_n                                                       for k &gt;= the last boundary
 * </pre>
 *
 * The value reaches {@code v_(i+1)} exactly at {@code k == boundaries[i]} and holds the last one past the last
 * boundary. A boundary at 0 applies its scale from step 0, as in optax; with no boundaries the value is
 * {@code initialValue}. Note that the scales multiply: {@code {10: 0.5, 20: 0.5}} ends at a quarter of
 * {@code initialValue}. Example, {@code new PiecewiseInterpolateSchedule(ITERATION, Interpolation.LINEAR, 0.1,
 * new int[] {10, 20}, new double[] {0.5, 0.2})}: steps 0, 5, 10, 15, 30 give 0.1, 0.075, 0.05, 0.03, 0.01.
 *
 * @see <a href="https://optax.readthedocs.io/en/latest/api/optimizer_schedules.html">optax schedules</a>
 */
public final class PiecewiseInterpolateSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    /** How the value moves from one boundary's value to the next one's. */
    public enum Interpolation {
        /** A straight line (optax {@code interpolate_type='linear'}). */
        LINEAR,
        /** Half a cosine, flat at both ends (optax {@code interpolate_type='cosine'}). */
        COSINE
    }

    private final ScheduleType scheduleType;
    private final Interpolation interpolation;
    private final double initialValue;
    private final int[] boundaries;
    private final double[] scales;
    // Derived, not transient, so that serializers that bypass readResolve (Kryo) carry it too; never in JSON.
    private final double[] cumulative;

    /**
     * @param type          which counter is the step: {@link ScheduleType#ITERATION} or {@link ScheduleType#EPOCH}
     * @param interpolation how the value moves between boundaries
     * @param initialValue  value at step 0 (unless a boundary is at 0), finite
     * @param boundaries    steps at which the accumulated scales are reached, each &gt;= 0, strictly increasing
     *                      (copied)
     * @param scales        one factor per boundary, each &gt;= 0 and finite (copied)
     */
    @JsonCreator
    public PiecewiseInterpolateSchedule(
            @JsonProperty(value = "scheduleType", required = true) ScheduleType type,
            @JsonProperty(value = "interpolation", required = true) Interpolation interpolation,
            @JsonProperty(value = "initialValue", required = true) double initialValue,
            @JsonProperty(value = "boundaries", required = true) int[] boundaries,
            @JsonProperty(value = "scales", required = true) double[] scales) {
        this.scheduleType = Args.type(type);
        this.interpolation = Args.notNull("interpolation", interpolation, "LINEAR or COSINE");
        this.initialValue = Args.scheduleValue("initialValue", initialValue);
        Args.notNull("boundaries", boundaries);
        Args.notNull("scales", scales);
        if (scales.length != boundaries.length) {
            throw new IllegalArgumentException("scales.length (" + scales.length + ") must be boundaries.length ("
                    + boundaries.length + ")");
        }
        for (int i = 0; i < boundaries.length; i++) {
            if (i == 0 && boundaries[0] < 0) {
                throw new IllegalArgumentException("boundaries[0] (" + boundaries[0] + ") must be >= 0");
            }
            if (i > 0 && boundaries[i] <= boundaries[i - 1]) {
                throw new IllegalArgumentException("boundaries[" + i + "] (" + boundaries[i] + ") must be > boundaries["
                        + (i - 1) + "] (" + boundaries[i - 1] + ")");
            }
            Args.nonNegative("scales[" + i + "]", scales[i]);
        }
        this.boundaries = boundaries.clone();
        this.scales = scales.clone();
        this.cumulative = new double[scales.length + 1];
        cumulative[0] = initialValue;
        for (int i = 0; i < scales.length; i++) {
            cumulative[i + 1] = cumulative[i] * scales[i];
        }
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        int i = Steps.countAtOrBelow(boundaries, k);
        if (i == boundaries.length) {
            return cumulative[i];
        }
        int start = i == 0 ? 0 : boundaries[i - 1];
        double p = (double) (k - start) / Math.max(boundaries[i] - start, 1);
        double from = cumulative[i];
        double to = cumulative[i + 1];
        // optax' expressions, term for term.
        if (interpolation == Interpolation.LINEAR) {
            return (to - from) * p + from;
        }
        return to + (from - to) / 2.0 * (Math.cos(Math.PI * p) + 1);
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public Interpolation getInterpolation() {
        return interpolation;
    }

    public double getInitialValue() {
        return initialValue;
    }

    /** The boundaries, ascending (a copy). */
    public int[] getBoundaries() {
        return boundaries.clone();
    }

    /** The scale of each boundary (a copy). */
    public double[] getScales() {
        return scales.clone();
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
        if (!(o instanceof PiecewiseInterpolateSchedule)) {
            return false;
        }
        PiecewiseInterpolateSchedule that = (PiecewiseInterpolateSchedule) o;
        return scheduleType == that.scheduleType
                && interpolation == that.interpolation
                && Double.compare(initialValue, that.initialValue) == 0
                && Arrays.equals(boundaries, that.boundaries)
                && Arrays.equals(scales, that.scales);
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + interpolation.hashCode();
        h = 31 * h + Double.hashCode(initialValue);
        h = 31 * h + Arrays.hashCode(boundaries);
        return 31 * h + Arrays.hashCode(scales);
    }

    @Override
    public String toString() {
        return "PiecewiseInterpolateSchedule{scheduleType=" + scheduleType + ", interpolation=" + interpolation
                + ", initialValue=" + initialValue + ", boundaries=" + Arrays.toString(boundaries) + ", scales="
                + Arrays.toString(scales) + "}";
    }
}
