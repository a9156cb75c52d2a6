package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Cyclical learning rates (Smith 2015), like PyTorch's {@code CyclicLR}: the value climbs linearly from
 * {@code minValue} to {@code peakValue} over {@code stepUp} steps and falls back over {@code stepDown} steps,
 * the amplitude shrinking with the mode.
 *
 * <pre>
 * size = stepUp + stepDown,  cycle = floor(1 + k / size),  x = 1 + k / size - cycle
 * scale = x / r  if x &lt;= r,  else (x - 1) / (r - 1),   r = stepUp / size
 * value(k) = minValue + (peakValue - minValue) * scale * f
 *   TRIANGULAR:  f = 1
 *   TRIANGULAR2: f = 1 / 2^(cycle - 1)     (amplitude halves each cycle)
 *   EXP_RANGE:   f = gamma^k
 * </pre>
 *
 * The peak is at {@code k = stepUp} (plus whole cycles); the schedule has no horizon. {@code gamma} is used by
 * {@code EXP_RANGE} only. Example, {@code new CyclicSchedule(ITERATION, 0.001, 0.1, 5, 3, Mode.TRIANGULAR, 1.0)}:
 * steps 0, 5, 8 give 0.001, 0.1, 0.001; {@code CyclicSchedule.builder(ITERATION, 0.001, 0.1, 5).build()} (PyTorch's
 * defaults: {@code stepDown = stepUp}, TRIANGULAR, {@code gamma} 1) gives 0.001, 0.1, 0.0406 at the same steps.
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
    private final double minValue;
    private final double peakValue;
    private final int stepUp;
    private final int stepDown;
    private final Mode mode;
    private final double gamma;

    /**
     * @param stepUp   steps from base to max, &gt; 0
     * @param stepDown steps from max back to base, &gt; 0
     * @param gamma    per-step amplitude decay of {@code EXP_RANGE}, in (0, 1] (pass 1.0 for the other modes, where
     *                 only &gt; 0 is checked)
     */
    public CyclicSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                          @JsonProperty(value = "minValue", required = true) double minValue,
                          @JsonProperty(value = "peakValue", required = true) double peakValue,
                          @JsonProperty(value = "stepUp", required = true) int stepUp,
                          @JsonProperty(value = "stepDown", required = true) int stepDown,
                          @JsonProperty(value = "mode", required = true) Mode mode,
                          @JsonProperty(value = "gamma", required = true) double gamma) {
        this.scheduleType = Args.type(type);
        this.minValue = Args.scheduleValue("minValue", minValue);
        this.peakValue = Args.scheduleValue("peakValue", peakValue);
        this.stepUp = Args.positive("stepUp", stepUp);
        this.stepDown = Args.positive("stepDown", stepDown);
        this.mode = Args.notNull("mode", mode);
        this.gamma = Args.positive("gamma", gamma);
        if (mode == Mode.EXP_RANGE && gamma > 1) {
            throw new IllegalArgumentException("gamma (" + gamma + ") must be in (0, 1] in EXP_RANGE mode: the "
                    + "amplitude is multiplied by it at every step");
        }
    }

    /**
     * A builder with PyTorch's defaults: {@code stepDown} = {@code stepUp}, {@code mode} TRIANGULAR,
     * {@code gamma} 1.
     */
    public static Builder builder(ScheduleType type, double minValue, double peakValue, int stepUp) {
        return new Builder(type, minValue, peakValue, stepUp);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        double size = (double) stepUp + stepDown;
        double ratio = stepUp / size;
        double cycle = Math.floor(1 + k / size);
        double x = 1. + k / size - cycle;
        double scale = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
        double height = (peakValue - minValue) * scale;
        switch (mode) {
            case TRIANGULAR2:
                return minValue + height * (1 / Math.pow(2., cycle - 1));
            case EXP_RANGE:
                return minValue + height * Math.pow(gamma, k);
            default:
                return minValue + height;
        }
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getMinValue() {
        return minValue;
    }

    public double getPeakValue() {
        return peakValue;
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
                && Double.compare(minValue, that.minValue) == 0
                && Double.compare(peakValue, that.peakValue) == 0
                && stepUp == that.stepUp
                && stepDown == that.stepDown
                && mode == that.mode
                && Double.compare(gamma, that.gamma) == 0;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(minValue);
        h = 31 * h + Double.hashCode(peakValue);
        h = 31 * h + stepUp;
        h = 31 * h + stepDown;
        h = 31 * h + mode.hashCode();
        return 31 * h + Double.hashCode(gamma);
    }

    @Override
    public String toString() {
        return "CyclicSchedule{scheduleType=" + scheduleType + ", minValue=" + minValue + ", peakValue=" + peakValue
                + ", stepUp=" + stepUp + ", stepDown=" + stepDown + ", mode=" + mode + ", gamma=" + gamma + "}";
    }

    /** Builds a {@link CyclicSchedule}; {@link #build()} checks the arguments as the constructor does. */
    public static final class Builder {
        private final ScheduleType type;
        private final double minValue;
        private final double peakValue;
        private final int stepUp;
        private Integer stepDown;
        private Mode mode = Mode.TRIANGULAR;
        private double gamma = 1.0;

        private Builder(ScheduleType type, double minValue, double peakValue, int stepUp) {
            this.type = type;
            this.minValue = minValue;
            this.peakValue = peakValue;
            this.stepUp = stepUp;
        }

        /** Steps from the peak back to the minimum; default {@code stepUp}. */
        public Builder stepDown(int stepDown) {
            this.stepDown = stepDown;
            return this;
        }

        /** How the amplitude changes from cycle to cycle; default TRIANGULAR. */
        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        /** Per-step amplitude decay of {@code EXP_RANGE}; default 1. */
        public Builder gamma(double gamma) {
            this.gamma = gamma;
            return this;
        }

        public CyclicSchedule build() {
            return new CyclicSchedule(type, minValue, peakValue, stepUp, stepDown == null ? stepUp : stepDown, mode,
                    gamma);
        }
    }
}
