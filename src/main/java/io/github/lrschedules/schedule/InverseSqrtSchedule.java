package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Linear warmup from 0 to {@code peakValue}, then decay with the inverse square root of the step: Hugging Face's
 * {@code get_inverse_sqrt_schedule}, and with {@code timescale == warmupSteps} the rule of the original Transformer
 * ({@code d^-0.5 * min(k^-0.5, k * warmup^-1.5)} with {@code peakValue = (d * warmup)^-0.5}).
 *
 * <pre>
 * value(k) = peakValue * k / warmupSteps                                        for k &lt; warmupSteps
 * value(k) = peakValue / sqrt((k + timescale - warmupSteps) / timescale)        for k &gt;= warmupSteps
 * </pre>
 *
 * The peak is reached at {@code k == warmupSteps}; {@code timescale} steps later the value is
 * {@code peakValue / sqrt(2)}. There is no horizon: the value keeps falling towards 0 (it never reaches it), so
 * pair it with a cool-down ({@link SequentialSchedule}) when the run length is known. {@code warmupSteps = 0}
 * starts at the peak. Built from {@link WarmupSchedule} around the decay alone (this class with
 * {@code warmupSteps = 0}), as {@link WarmupCosineSchedule} is. Example, {@code new InverseSqrtSchedule(ITERATION, 0.1, 4, 4)}: steps 2, 4, 16 give 0.05,
 * 0.1, 0.05.
 *
 * @see <a href="https://arxiv.org/abs/1706.03762">Vaswani et al., Attention Is All You Need (2017), section 5.3</a>
 */
public final class InverseSqrtSchedule implements ISchedule {

    private static final long serialVersionUID = 2L;

    /** Hugging Face's timescale when there is no warmup to take it from. */
    static final int DEFAULT_TIMESCALE_WITHOUT_WARMUP = 10_000;

    private final ScheduleType scheduleType;
    private final double peakValue;
    private final int warmupSteps;
    private final int timescale;
    /** The warmup around the decay alone; null without warmup. Never in JSON. */
    private final WarmupSchedule shape;

    /**
     * @param type        which counter is the step: {@link ScheduleType#ITERATION} or {@link ScheduleType#EPOCH}
     * @param peakValue   value at {@code k == warmupSteps}, finite
     * @param warmupSteps length of the linear warmup from 0, &gt;= 0
     * @param timescale   steps over which the value falls by a factor {@code sqrt(2)} after the peak, &gt; 0
     */
    public InverseSqrtSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                               @JsonProperty(value = "peakValue", required = true) double peakValue,
                               @JsonProperty(value = "warmupSteps", required = true) int warmupSteps,
                               @JsonProperty(value = "timescale", required = true) int timescale) {
        this.scheduleType = Args.type(type);
        this.peakValue = Args.scheduleValue("peakValue", peakValue);
        this.warmupSteps = Args.nonNegative("warmupSteps", warmupSteps);
        this.timescale = Args.positive("timescale", timescale);
        this.shape = warmupSteps == 0 ? null
                : new WarmupSchedule(type, new InverseSqrtSchedule(type, peakValue, 0, timescale), warmupSteps, 0.0);
    }

    /**
     * A builder with Hugging Face's default: {@code timescale = warmupSteps}, or 10,000 when {@code warmupSteps} is
     * 0.
     */
    public static Builder builder(ScheduleType type, double peakValue, int warmupSteps) {
        return new Builder(type, peakValue, warmupSteps);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (shape != null) {
            return shape.valueAt(iteration, epoch);
        }
        int k = Steps.step(scheduleType, iteration, epoch);
        // In double: k + timescale can exceed Integer.MAX_VALUE.
        return peakValue / Math.sqrt(((double) k + timescale) / timescale);
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getPeakValue() {
        return peakValue;
    }

    public int getWarmupSteps() {
        return warmupSteps;
    }

    public int getTimescale() {
        return timescale;
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
        if (!(o instanceof InverseSqrtSchedule)) {
            return false;
        }
        InverseSqrtSchedule that = (InverseSqrtSchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(peakValue, that.peakValue) == 0
                && warmupSteps == that.warmupSteps
                && timescale == that.timescale;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(peakValue);
        h = 31 * h + warmupSteps;
        return 31 * h + timescale;
    }

    @Override
    public String toString() {
        return "InverseSqrtSchedule{scheduleType=" + scheduleType + ", peakValue=" + peakValue
                + ", warmupSteps=" + warmupSteps + ", timescale=" + timescale + "}";
    }

    /**
     * Fluent construction with Hugging Face's default timescale; {@link #build()} calls the public constructor, so it
     * checks the same things and gives the same messages.
     */
    public static final class Builder {

        private final ScheduleType type;
        private final double peakValue;
        private final int warmupSteps;
        private Integer timescale;

        private Builder(ScheduleType type, double peakValue, int warmupSteps) {
            this.type = type;
            this.peakValue = peakValue;
            this.warmupSteps = warmupSteps;
        }

        /** Steps over which the value falls by {@code sqrt(2)}; default {@code warmupSteps}, or 10,000 without warmup. */
        public Builder timescale(int timescale) {
            this.timescale = timescale;
            return this;
        }

        public InverseSqrtSchedule build() {
            int t = timescale != null ? timescale
                    : warmupSteps != 0 ? warmupSteps : DEFAULT_TIMESCALE_WITHOUT_WARMUP;
            return new InverseSqrtSchedule(type, peakValue, warmupSteps, t);
        }
    }
}
