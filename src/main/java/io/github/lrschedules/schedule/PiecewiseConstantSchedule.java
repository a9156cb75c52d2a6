package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import java.util.Arrays;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A constant value per interval: {@code values[0]} before the first boundary, {@code values[i]} from boundary
 * {@code i - 1} on.
 *
 * <pre>
 * value(k) = values[i],  i = number of boundaries b with b &lt;= k
 * </pre>
 *
 * A boundary is inclusive: at {@code k == boundaries[i]} the value {@code values[i + 1]} already applies. This is
 * the convention of DL4J's {@code MapSchedule} (the entry with the largest key {@code <= k}) and of PyTorch's
 * {@code MultiStepLR}; Keras' {@code PiecewiseConstantDecay} switches one step later (it keeps {@code values[i]}
 * while {@code k <= boundaries[i]}), so pass its boundaries plus one to get the same curve. Past the last boundary
 * the last value holds. Unlike {@code MapSchedule} it allocates nothing per call (a binary search over a copied
 * {@code int[]}) and needs no entry at step 0. Example,
 * {@code new PiecewiseConstantSchedule(EPOCH, new int[] {30, 60}, new double[] {0.1, 0.01, 0.001})}: epochs 29, 30,
 * 60 give 0.1, 0.01, 0.001.
 *
 * @see <a href="https://arxiv.org/abs/1706.02677">Goyal et al., Accurate, Large Minibatch SGD (2017)</a>
 */
public final class PiecewiseConstantSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final int[] boundaries;
    private final double[] values;

    /**
     * @param type       which counter is the step: {@link ScheduleType#ITERATION} or {@link ScheduleType#EPOCH}
     * @param boundaries steps at which the next value starts, each &gt;= 0, strictly increasing (copied)
     * @param values     {@code boundaries.length + 1} finite values (copied)
     */
    public PiecewiseConstantSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                                     @JsonProperty(value = "boundaries", required = true) int[] boundaries,
                                     @JsonProperty(value = "values", required = true) double[] values) {
        this.scheduleType = Args.type(type);
        Args.notNull("boundaries", boundaries);
        Args.notNull("values", values);
        if (values.length != boundaries.length + 1) {
            throw new IllegalArgumentException("values.length (" + values.length + ") must be boundaries.length + 1 ("
                    + (boundaries.length + 1) + ")");
        }
        for (int i = 0; i < boundaries.length; i++) {
            if (i == 0 && boundaries[0] < 0) {
                throw new IllegalArgumentException("boundaries[0] (" + boundaries[0] + ") must be >= 0");
            }
            if (i > 0 && boundaries[i] <= boundaries[i - 1]) {
                throw new IllegalArgumentException("boundaries[" + i + "] (" + boundaries[i] + ") must be > boundaries["
                        + (i - 1) + "] (" + boundaries[i - 1] + ")");
            }
        }
        for (int i = 0; i < values.length; i++) {
            Args.scheduleValue("values[" + i + "]", values[i]);
        }
        this.boundaries = boundaries.clone();
        this.values = values.clone();
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        return values[Steps.countAtOrBelow(boundaries, k)];
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    /** The boundaries, ascending (a copy). */
    public int[] getBoundaries() {
        return boundaries.clone();
    }

    /** The values, one more than the boundaries (a copy). */
    public double[] getValues() {
        return values.clone();
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
        if (!(o instanceof PiecewiseConstantSchedule)) {
            return false;
        }
        PiecewiseConstantSchedule that = (PiecewiseConstantSchedule) o;
        return scheduleType == that.scheduleType
                && Arrays.equals(boundaries, that.boundaries)
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Arrays.hashCode(boundaries);
        return 31 * h + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "PiecewiseConstantSchedule{scheduleType=" + scheduleType + ", boundaries=" + Arrays.toString(boundaries)
                + ", values=" + Arrays.toString(values) + "}";
    }
}
