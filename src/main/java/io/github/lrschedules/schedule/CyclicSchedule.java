package io.github.lrschedules.schedule;

import io.github.lrschedules.util.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Cyclical learning rates (Smith 2015), like PyTorch's {@code CyclicLR}: the value climbs linearly from
 * {@code baseValue} to {@code maxValue} over {@code stepUp} steps and falls back over {@code stepDown} steps,
 * the amplitude shrinking with the mode.
 *
 * <pre>
 * size = stepUp + stepDown,  cycle = floor(1 + k / size),  x = 1 + k / size - cycle
 * scale = x / r  if x &lt;= r,  else (x - 1) / (r - 1),   r = stepUp / size
 * value(k) = baseValue + (maxValue - baseValue) * scale * f
 *   TRIANGULAR:  f = 1
 *   TRIANGULAR2: f = 1 / 2^(cycle - 1)     (amplitude halves each cycle)
 *   EXP_RANGE:   f = gamma^k
 * </pre>
 *
 * The peak is at {@code k = stepUp} (plus whole cycles); the schedule has no horizon. {@code gamma} is used by
 * {@code EXP_RANGE} only. Example, {@code new CyclicSchedule(ITERATION, 0.001, 0.1, 5, 3, Mode.TRIANGULAR, 1.0)}:
 * steps 0, 5, 8 give 0.001, 0.1, 0.001.
 *
 * @see <a href="https://arxiv.org/abs/1506.01186">Smith, Cyclical Learning Rates for Training Neural Networks</a>
 */
public final class CyclicSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    /** How the amplitude changes from cycle to cycle. */
    public enum Mode {
        /** Constant amplitude. */
        TRIANGULAR,
        /** Amplitude halved every cycle. */
        TRIANGULAR2,
        /** Amplitude multiplied by {@code gamma} every step. */
        EXP_RANGE
    }

    private final ScheduleType scheduleType;
    private final double baseValue;
    private final double maxValue;
    private final int stepUp;
    private final int stepDown;
    private final Mode mode;
    private final double gamma;

    /**
     * @param stepUp   steps from base to max, &gt; 0
     * @param stepDown steps from max back to base, &gt; 0
     * @param gamma    per-step amplitude decay of {@code EXP_RANGE}, &gt; 0 (pass 1.0 for the other modes)
     */
    public CyclicSchedule(@JsonProperty("scheduleType") ScheduleType type,
                          @JsonProperty("baseValue") double baseValue,
                          @JsonProperty("maxValue") double maxValue,
                          @JsonProperty("stepUp") int stepUp,
                          @JsonProperty("stepDown") int stepDown,
                          @JsonProperty("mode") Mode mode,
                          @JsonProperty("gamma") double gamma) {
        this.scheduleType = Args.type(type);
        this.baseValue = Args.finite("baseValue", baseValue);
        this.maxValue = Args.finite("maxValue", maxValue);
        this.stepUp = Args.positive("stepUp", stepUp);
        this.stepDown = Args.positive("stepDown", stepDown);
        this.mode = Args.notNull("mode", mode);
        this.gamma = Args.positive("gamma", gamma);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        double size = (double) stepUp + stepDown;
        double ratio = stepUp / size;
        double cycle = Math.floor(1 + k / size);
        double x = 1. + k / size - cycle;
        double scale = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
        double height = (maxValue - baseValue) * scale;
        switch (mode) {
            case TRIANGULAR2:
                return baseValue + height * (1 / Math.pow(2., cycle - 1));
            case EXP_RANGE:
                return baseValue + height * Math.pow(gamma, k);
            default:
                return baseValue + height;
        }
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getBaseValue() {
        return baseValue;
    }

    public double getMaxValue() {
        return maxValue;
    }

    public int getStepUp() {
        return stepUp;
    }

    public int getStepDown() {
        return stepDown;
    }

    public Mode getMode() {
        return mode;
    }

    public double getGamma() {
        return gamma;
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
        if (!(o instanceof CyclicSchedule)) {
            return false;
        }
        CyclicSchedule that = (CyclicSchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(baseValue, that.baseValue) == 0
                && Double.compare(maxValue, that.maxValue) == 0
                && stepUp == that.stepUp
                && stepDown == that.stepDown
                && mode == that.mode
                && Double.compare(gamma, that.gamma) == 0;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(baseValue);
        h = 31 * h + Double.hashCode(maxValue);
        h = 31 * h + stepUp;
        h = 31 * h + stepDown;
        h = 31 * h + mode.hashCode();
        return 31 * h + Double.hashCode(gamma);
    }

    @Override
    public String toString() {
        return "CyclicSchedule{scheduleType=" + scheduleType + ", baseValue=" + baseValue + ", maxValue=" + maxValue
                + ", stepUp=" + stepUp + ", stepDown=" + stepDown + ", mode=" + mode + ", gamma=" + gamma + "}";
    }
}
