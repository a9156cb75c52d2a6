package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Warmup-stable-decay (WSD, "trapezoidal"): a linear warmup to {@code peakValue}, a constant stable phase, and a
 * short cool-down to {@code minValue} in the last {@code decaySteps} steps. The schedule of MiniCPM and of Hägele et
 * al., who found that a constant rate with a 1-sqrt cool-down of about 20% of the run matches cosine without fixing
 * the run length in advance; Hugging Face's {@code get_wsd_schedule}, timm and optax ship it.
 *
 * <pre>
 * s = totalSteps - decaySteps                                               (start of the cool-down)
 * value(k) = warmupStartValue + (peakValue - warmupStartValue) * w(k / warmupSteps)   for k &lt; warmupSteps
 *            warmupShape LINEAR: w(q) = q    COSINE: w(q) = (1 - cos(pi * q)) / 2    ONE_MINUS_SQRT: w(q) = 1 - sqrt(1 - q)
 * value(k) = peakValue                                                          for warmupSteps &lt;= k &lt; s
 * value(k) = minValue + (peakValue - minValue) * f(p),  p = (k - s) / decaySteps  for s &lt;= k &lt; totalSteps
 *            decay LINEAR: f(p) = 1 - p    COSINE: f(p) = (1 + cos(2 pi * numCycles * p)) / 2    ONE_MINUS_SQRT: f(p) = 1 - sqrt(p)
 * value(k) = minValue                                                           for k &gt;= totalSteps
 * </pre>
 *
 * The peak is reached at {@code k == warmupSteps}; the cool-down starts at {@code k == s} with the peak itself
 * ({@code p = 0}) and reaches {@code minValue} at {@code k == totalSteps}, which it holds for every later step.
 * {@code warmupSteps + decaySteps == totalSteps} leaves no stable phase. {@code numCycles} (default 0.5, half a
 * wave) only shapes the COSINE cool-down; with other values the cool-down is not monotone (1.0 is a full wave back up
 * to the peak at its end), and {@code minValue} still holds from {@code totalSteps} on, as in Hugging Face.
 *
 * <p><b>Hugging Face.</b> {@code get_wsd_schedule(optimizer, num_warmup_steps=W, num_decay_steps=D,
 * num_training_steps=N, warmup_type, decay_type, min_lr_ratio=r, num_cycles)} of transformers 5.x, on an optimizer
 * with rate {@code lr}, is
 * {@code builder(type, lr, N).warmupSteps(W).decaySteps(D).decay(COSINE).minLrRatio(r).build()} plus
 * {@code .warmupShape(...)} for {@code warmup_type} and {@code .numCycles(...)} for {@code num_cycles}:
 * Hugging Face's defaults are a LINEAR warmup, a COSINE cool-down and {@code min_lr_ratio} 0; its warmup starts at
 * {@code min_lr_ratio * lr} (which {@code minLrRatio} sets), not at a value of its own. This builder keeps its own
 * defaults (a 1-sqrt cool-down over the last 20%, a warmup from {@code warmupStartValue} 0), so name
 * {@code decay(COSINE)} to get Hugging Face's.
 *
 * <p>The point of WSD is that the cool-down can branch from any checkpoint of the stable phase:
 * {@link #coolDownFrom(int, int)} is the schedule that starts its cool-down at a given step, so a run that trained
 * 30,000 stable steps can decay from there without retraining (restore the checkpoint, install the branched
 * schedule, train {@code decaySteps} more steps).
 *
 * <p>Example, {@code WarmupStableDecaySchedule.builder(ITERATION, 0.1, 100).warmupSteps(10).build()} (a 1-sqrt
 * cool-down over the last 20 steps, to 0): steps 5, 50, 85, 100 give 0.05, 0.1, 0.05, 0.
 *
 * @see <a href="https://arxiv.org/abs/2405.18392">Hägele et al., Scaling Laws and Compute-Optimal Training Beyond
 *      Fixed Training Durations (2024)</a>
 * @see <a href="https://arxiv.org/abs/2404.06395">Hu et al., MiniCPM (2024)</a>
 */
public final class WarmupStableDecaySchedule implements ISchedule {

    private static final long serialVersionUID = 2L;

    /** The shape of the cool-down, as a function of its progress {@code p} from 0 to 1. */
    public enum Decay {
        /** {@code 1 - p} (Hugging Face {@code decay_type="linear"}, PyTorch {@code LinearLR}). */
        LINEAR,
        /** {@code (1 + cos(pi p)) / 2} (Hugging Face {@code decay_type="cosine"}, PyTorch {@code CosineAnnealingLR}). */
        COSINE,
        /** {@code 1 - sqrt(p)} (Hugging Face {@code decay_type="1-sqrt"}; Hägele et al.'s recommendation). */
        ONE_MINUS_SQRT
    }

    /** The default of {@code numCycles}: half a cosine wave, from the peak down to {@code minValue}. */
    public static final double HALF_WAVE = 0.5;

    private final ScheduleType scheduleType;
    private final double peakValue;
    private final int warmupSteps;
    private final int totalSteps;
    private final double minValue;
    private final double warmupStartValue;
    private final int decaySteps;
    private final Decay decay;
    private final Decay warmupShape;
    private final double numCycles;

    /** A linear warmup and, for a COSINE cool-down, half a wave ({@code numCycles} 0.5). */
    public WarmupStableDecaySchedule(ScheduleType type, double peakValue, int warmupSteps, int totalSteps,
                                     double minValue, double warmupStartValue, int decaySteps, Decay decay) {
        this(type, peakValue, warmupSteps, totalSteps, minValue, warmupStartValue, decaySteps, decay, Decay.LINEAR,
                HALF_WAVE);
    }

    /**
     * @param type             which counter is the step: {@link ScheduleType#ITERATION} or {@link ScheduleType#EPOCH}
     * @param peakValue        value of the stable phase, finite
     * @param warmupSteps      length of the warmup, &gt;= 0
     * @param totalSteps       warmup, stable phase and cool-down, &gt; 0; {@code minValue} from here on
     * @param minValue         value at and after {@code totalSteps}, finite
     * @param warmupStartValue value at step 0, finite
     * @param decaySteps       length of the cool-down, &gt; 0, with {@code warmupSteps + decaySteps <= totalSteps}
     * @param decay            shape of the cool-down
     * @param warmupShape      shape of the warmup (Hugging Face's {@code warmup_type}); optional in JSON
     *                         (configurations saved by 1.0 have none), default {@link Decay#LINEAR}
     * @param numCycles        waves of the COSINE cool-down (Hugging Face's {@code num_cycles}), &gt; 0 and finite;
     *                         optional in JSON, default {@value #HALF_WAVE}
     */
    @JsonCreator
    public WarmupStableDecaySchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                                     @JsonProperty(value = "peakValue", required = true) double peakValue,
                                     @JsonProperty(value = "warmupSteps", required = true) int warmupSteps,
                                     @JsonProperty(value = "totalSteps", required = true) int totalSteps,
                                     @JsonProperty(value = "minValue", required = true) double minValue,
                                     @JsonProperty(value = "warmupStartValue", required = true) double warmupStartValue,
                                     @JsonProperty(value = "decaySteps", required = true) int decaySteps,
                                     @JsonProperty(value = "decay", required = true) Decay decay,
                                     @JsonProperty(value = "warmupShape") Decay warmupShape,
                                     @JsonProperty(value = "numCycles") Double numCycles) {
        this.scheduleType = Args.type(type);
        this.peakValue = Args.scheduleValue("peakValue", peakValue);
        this.warmupSteps = Args.nonNegative("warmupSteps", warmupSteps);
        this.totalSteps = Args.positive("totalSteps", totalSteps);
        this.minValue = Args.scheduleValue("minValue", minValue);
        this.warmupStartValue = Args.scheduleValue("warmupStartValue", warmupStartValue);
        this.decaySteps = Args.positive("decaySteps", decaySteps);
        if ((long) warmupSteps + decaySteps > totalSteps) {
            throw new IllegalArgumentException("warmupSteps (" + warmupSteps + ") + decaySteps (" + decaySteps
                    + ") must be <= totalSteps (" + totalSteps + ")");
        }
        this.decay = Args.notNull("decay", decay);
        this.warmupShape = warmupShape == null ? Decay.LINEAR : warmupShape;
        this.numCycles = numCycles == null ? HALF_WAVE : Args.positive("numCycles", numCycles);
    }

    /**
     * A builder with Hugging Face's and Hägele et al.'s defaults: {@code warmupSteps} 0, {@code decaySteps} 20% of
     * {@code totalSteps} rounded to the nearest integer (at least 1), {@code minValue} 0, {@code warmupStartValue} 0,
     * {@code decay} {@link Decay#ONE_MINUS_SQRT}.
     */
    public static Builder builder(ScheduleType type, double peakValue, int totalSteps) {
        return new Builder(type, peakValue, totalSteps);
    }

    /**
     * The branch of this schedule that starts its cool-down at step {@code decayStart} and ends it at
     * {@code decayStart + decaySteps}, with the same warmup, peak, minimum and cool-down shape. It equals this
     * schedule at every step before {@code min(decayStart, totalSteps - getDecaySteps())}, so a run checkpointed in
     * the stable phase at step {@code decayStart} or later continues on the branch without a jump. The branch may end
     * before or after this schedule's {@code totalSteps}.
     *
     * @param decayStart first step of the cool-down, &gt;= {@code warmupSteps}
     * @param decaySteps length of the cool-down, &gt; 0
     * @throws IllegalArgumentException if {@code decayStart < warmupSteps}, {@code decaySteps <= 0} or the end
     *                                  does not fit in an int
     */
    public WarmupStableDecaySchedule coolDownFrom(int decayStart, int decaySteps) {
        if (decayStart < warmupSteps) {
            throw new IllegalArgumentException("decayStart (" + decayStart + ") must be >= warmupSteps (" + warmupSteps
                    + "): the cool-down branches from the stable phase");
        }
        Args.positive("decaySteps", decaySteps);
        long end = (long) decayStart + decaySteps;
        if (end > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("decayStart (" + decayStart + ") + decaySteps (" + decaySteps
                    + ") must be <= " + Integer.MAX_VALUE);
        }
        return new WarmupStableDecaySchedule(scheduleType, peakValue, warmupSteps, (int) end, minValue,
                warmupStartValue, decaySteps, decay, warmupShape, numCycles);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        if (k < warmupSteps) {
            return warmup(k);
        }
        if (k >= totalSteps) {
            return minValue;
        }
        int decayStart = totalSteps - decaySteps;
        if (k < decayStart) {
            return peakValue;
        }
        double p = (double) (k - decayStart) / decaySteps;
        switch (decay) {
            case LINEAR:
                return minValue + (peakValue - minValue) * (1 - p);
            case COSINE:
                return numCycles == HALF_WAVE ? Interpolation.cosine(peakValue, minValue, p)
                        : minValue + (peakValue - minValue) * (0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * p)));
            default:
                return minValue + (peakValue - minValue) * (1 - Math.sqrt(p));
        }
    }

    /** The warmup at step {@code k < warmupSteps}; LINEAR as 1.0 computed it. */
    private double warmup(int k) {
        if (warmupShape == Decay.LINEAR) {
            return warmupStartValue + (peakValue - warmupStartValue) * k / warmupSteps;
        }
        double q = (double) k / warmupSteps;
        double w = warmupShape == Decay.COSINE ? 0.5 * (1.0 - Math.cos(Math.PI * q)) : 1.0 - Math.sqrt(1.0 - q);
        return warmupStartValue + (peakValue - warmupStartValue) * w;
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

    public int getTotalSteps() {
        return totalSteps;
    }

    public double getMinValue() {
        return minValue;
    }

    public double getWarmupStartValue() {
        return warmupStartValue;
    }

    public int getDecaySteps() {
        return decaySteps;
    }

    public Decay getDecay() {
        return decay;
    }

    /** Shape of the warmup: LINEAR {@code q}, COSINE {@code (1 - cos(pi q)) / 2}, ONE_MINUS_SQRT {@code 1 - sqrt(1 - q)}. */
    public Decay getWarmupShape() {
        return warmupShape;
    }

    /** Waves of the COSINE cool-down; {@value #HALF_WAVE} is half a wave. */
    public double getNumCycles() {
        return numCycles;
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
        if (!(o instanceof WarmupStableDecaySchedule)) {
            return false;
        }
        WarmupStableDecaySchedule that = (WarmupStableDecaySchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(peakValue, that.peakValue) == 0
                && warmupSteps == that.warmupSteps
                && totalSteps == that.totalSteps
                && Double.compare(minValue, that.minValue) == 0
                && Double.compare(warmupStartValue, that.warmupStartValue) == 0
                && decaySteps == that.decaySteps
                && decay == that.decay
                && warmupShape == that.warmupShape
                && Double.compare(numCycles, that.numCycles) == 0;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(peakValue);
        h = 31 * h + warmupSteps;
        h = 31 * h + totalSteps;
        h = 31 * h + Double.hashCode(minValue);
        h = 31 * h + Double.hashCode(warmupStartValue);
        h = 31 * h + decaySteps;
        h = 31 * h + decay.hashCode();
        h = 31 * h + warmupShape.hashCode();
        return 31 * h + Double.hashCode(numCycles);
    }

    @Override
    public String toString() {
        return "WarmupStableDecaySchedule{scheduleType=" + scheduleType + ", peakValue=" + peakValue
                + ", warmupSteps=" + warmupSteps + ", totalSteps=" + totalSteps + ", minValue=" + minValue
                + ", warmupStartValue=" + warmupStartValue + ", decaySteps=" + decaySteps + ", decay=" + decay
                + ", warmupShape=" + warmupShape + ", numCycles=" + numCycles + "}";
    }

    /**
     * Fluent construction with defaults; {@link #build()} calls the public constructor, so it checks the same things
     * and gives the same messages.
     */
    public static final class Builder {

        private final ScheduleType type;
        private final double peakValue;
        private final int totalSteps;
        private int warmupSteps;
        private Integer decaySteps;
        private double minValue;
        private double warmupStartValue;
        private Decay decay = Decay.ONE_MINUS_SQRT;
        private Decay warmupShape = Decay.LINEAR;
        private double numCycles = HALF_WAVE;

        private Builder(ScheduleType type, double peakValue, int totalSteps) {
            this.type = type;
            this.peakValue = peakValue;
            this.totalSteps = totalSteps;
        }

        /** Length of the linear warmup; default 0. */
        public Builder warmupSteps(int warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        /** Length of the cool-down; default {@code max(1, round(totalSteps / 5))}. */
        public Builder decaySteps(int decaySteps) {
            this.decaySteps = decaySteps;
            return this;
        }

        /** Value at the end of the cool-down and after; default 0. */
        public Builder minValue(double minValue) {
            this.minValue = minValue;
            return this;
        }

        /** Value at step 0 of the warmup; default 0. */
        public Builder warmupStartValue(double warmupStartValue) {
            this.warmupStartValue = warmupStartValue;
            return this;
        }

        /** Shape of the cool-down; default {@link Decay#ONE_MINUS_SQRT}. */
        public Builder decay(Decay decay) {
            this.decay = decay;
            return this;
        }

        /**
         * Shape of the warmup (Hugging Face's {@code warmup_type}: LINEAR "linear", COSINE "cosine", ONE_MINUS_SQRT
         * "1-sqrt", which is {@code 1 - sqrt(1 - q)} here); default {@link Decay#LINEAR}.
         */
        public Builder warmupShape(Decay warmupShape) {
            this.warmupShape = warmupShape;
            return this;
        }

        /** Waves of the COSINE cool-down (Hugging Face's {@code num_cycles}); default 0.5, half a wave. */
        public Builder numCycles(double numCycles) {
            this.numCycles = numCycles;
            return this;
        }

        /**
         * Hugging Face's {@code min_lr_ratio}: sets both {@code minValue} and {@code warmupStartValue} to
         * {@code ratio * peakValue}, where Hugging Face's warmup starts and its cool-down ends.
         */
        public Builder minLrRatio(double ratio) {
            Args.finite("minLrRatio", ratio);
            this.minValue = ratio * peakValue;
            this.warmupStartValue = ratio * peakValue;
            return this;
        }

        public WarmupStableDecaySchedule build() {
            int steps = decaySteps != null ? decaySteps : defaultDecaySteps(totalSteps);
            return new WarmupStableDecaySchedule(type, peakValue, warmupSteps, totalSteps, minValue, warmupStartValue,
                    steps, decay, warmupShape, numCycles);
        }

        /** 20% of {@code totalSteps}, rounded to the nearest integer (never a tie for integers), at least 1. */
        static int defaultDecaySteps(int totalSteps) {
            return (int) Math.max(1, (totalSteps + 2L) / 5);
        }
    }
}
