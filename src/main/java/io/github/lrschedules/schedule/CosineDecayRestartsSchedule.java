package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Cosine decay with warm restarts as Keras' {@code CosineDecayRestarts} computes it: a fixed floor
 * {@code alpha * initialValue} and an amplitude that shrinks by {@code mMul} per restart.
 *
 * <pre>
 * c        = k / firstDecaySteps
 * i        = the restart with  S_i &lt;= c &lt; S_(i+1),   S_i = (tMul^i - 1) / (tMul - 1)   (S_i = i for tMul = 1)
 * f        = (c - S_i) / tMul^i                         progress within restart i, in [0, 1)
 * value(k) = initialValue * ((1 - alpha) * mMul^i * (1 + cos(pi * f)) / 2 + alpha)
 * </pre>
 *
 * Restart {@code i} lasts {@code firstDecaySteps * tMul^i} steps (a real number for a non-integer {@code tMul});
 * the step at which it starts is inclusive (it has the restart's peak). There is no horizon: restarts go on for every
 * {@code k >= 0}. The floor stays {@code alpha * initialValue} while the peak of restart {@code i} is
 * {@code initialValue * (alpha + (1 - alpha) * mMul^i)}; {@link CosineRestartsSchedule}'s {@code peakDecay} decays the
 * peak itself towards a fixed {@code minValue} instead, and the two agree only for {@code alpha = 0} or
 * {@code mMul = 1}. Keras also accepts {@code t_mul < 1}, whose restarts end after {@code firstDecaySteps / (1 - tMul)}
 * steps and give NaN afterwards; this class requires {@code tMul >= 1}. Example,
 * {@code CosineDecayRestartsSchedule.builder(ITERATION, 0.1, 10).mMul(0.5).alpha(0.2).build()} ({@code tMul} 2):
 * steps 0, 5, 10, 20 give 0.1, 0.06, 0.06, 0.04.
 *
 * @see <a href="https://arxiv.org/abs/1608.03983">Loshchilov &amp; Hutter, SGDR (2016)</a>
 * @see <a href="https://keras.io/api/optimizers/learning_rate_schedules/cosine_decay_restarts/">Keras CosineDecayRestarts</a>
 */
public final class CosineDecayRestartsSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double initialValue;
    private final int firstDecaySteps;
    private final double tMul;
    private final double mMul;
    private final double alpha;

    /**
     * @param initialValue    the first peak
     * @param firstDecaySteps length of the first decay, &gt; 0
     * @param tMul            growth of the decay length per restart, finite and &gt;= 1
     * @param mMul            factor of the amplitude per restart, finite and &gt;= 0
     * @param alpha           the floor as a fraction of {@code initialValue}, finite
     */
    @JsonCreator
    public CosineDecayRestartsSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                                       @JsonProperty(value = "initialValue", required = true) double initialValue,
                                       @JsonProperty(value = "firstDecaySteps", required = true) int firstDecaySteps,
                                       @JsonProperty(value = "tMul", required = true) double tMul,
                                       @JsonProperty(value = "mMul", required = true) double mMul,
                                       @JsonProperty(value = "alpha", required = true) double alpha) {
        this.scheduleType = Args.type(type);
        this.initialValue = Args.scheduleValue("initialValue", initialValue);
        this.firstDecaySteps = Args.positive("firstDecaySteps", firstDecaySteps);
        if (!(tMul >= 1) || Double.isInfinite(tMul)) {
            throw new IllegalArgumentException("tMul (" + tMul + ") must be >= 1 and finite");
        }
        this.tMul = tMul;
        this.mMul = Args.nonNegative("mMul", mMul);
        if (mMul > 1) {
            throw new IllegalArgumentException("mMul (" + mMul + ") must be <= 1: a larger one grows the amplitude"
                    + " with every restart until it reaches infinity");
        }
        this.alpha = Args.scheduleValue("alpha", alpha);
    }

    /** A builder with Keras' defaults: {@code tMul} 2, {@code mMul} 1, {@code alpha} 0. */
    public static Builder builder(ScheduleType type, double initialValue, int firstDecaySteps) {
        return new Builder(type, initialValue, firstDecaySteps);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double c = (double) Steps.step(scheduleType, iteration, epoch) / firstDecaySteps;
        int restart;
        double progress;
        if (tMul == 1.0) {
            restart = (int) Math.floor(c);
            progress = c - restart;
        } else {
            restart = (int) Math.floor(Math.log(1 + c * (tMul - 1)) / Math.log(tMul));
            // The logarithm can land on the wrong side of a restart by one ulp; the sums decide.
            while (restart > 0 && restartStart(restart) > c) {
                restart--;
            }
            while (restartStart(restart + 1) <= c) {
                restart++;
            }
            progress = (c - restartStart(restart)) / Math.pow(tMul, restart);
        }
        double cosine = 0.5 * Math.pow(mMul, restart) * (1 + Math.cos(Math.PI * progress));
        return initialValue * ((1 - alpha) * cosine + alpha);
    }

    /** {@code S_i}: where restart {@code i} starts, in units of {@code firstDecaySteps} (for {@code tMul > 1}). */
    private double restartStart(int restart) {
        return (Math.pow(tMul, restart) - 1) / (tMul - 1);
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getInitialValue() {
        return initialValue;
    }

    public int getFirstDecaySteps() {
        return firstDecaySteps;
    }

    // Named explicitly: Jackson would otherwise derive "tmul" and "mmul" from the getters.
    @JsonProperty("tMul")
    public double getTMul() {
        return tMul;
    }

    @JsonProperty("mMul")
    public double getMMul() {
        return mMul;
    }

    public double getAlpha() {
        return alpha;
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
        if (!(o instanceof CosineDecayRestartsSchedule)) {
            return false;
        }
        CosineDecayRestartsSchedule that = (CosineDecayRestartsSchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(initialValue, that.initialValue) == 0
                && firstDecaySteps == that.firstDecaySteps
                && Double.compare(tMul, that.tMul) == 0
                && Double.compare(mMul, that.mMul) == 0
                && Double.compare(alpha, that.alpha) == 0;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(initialValue);
        h = 31 * h + firstDecaySteps;
        h = 31 * h + Double.hashCode(tMul);
        h = 31 * h + Double.hashCode(mMul);
        return 31 * h + Double.hashCode(alpha);
    }

    @Override
    public String toString() {
        return "CosineDecayRestartsSchedule{scheduleType=" + scheduleType + ", initialValue=" + initialValue
                + ", firstDecaySteps=" + firstDecaySteps + ", tMul=" + tMul + ", mMul=" + mMul + ", alpha=" + alpha
                + "}";
    }

    /** Builds a {@link CosineDecayRestartsSchedule}; {@link #build()} checks the arguments as the constructor does. */
    public static final class Builder {
        private final ScheduleType type;
        private final double initialValue;
        private final int firstDecaySteps;
        private double tMul = 2.0;
        private double mMul = 1.0;
        private double alpha = 0.0;

        private Builder(ScheduleType type, double initialValue, int firstDecaySteps) {
            this.type = type;
            this.initialValue = initialValue;
            this.firstDecaySteps = firstDecaySteps;
        }

        /** Growth of the decay length per restart; default 2. */
        public Builder tMul(double tMul) {
            this.tMul = tMul;
            return this;
        }

        /** Factor of the amplitude per restart; default 1. */
        public Builder mMul(double mMul) {
            this.mMul = mMul;
            return this;
        }

        /** The floor as a fraction of {@code initialValue}; default 0. */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        public CosineDecayRestartsSchedule build() {
            return new CosineDecayRestartsSchedule(type, initialValue, firstDecaySteps, tMul, mMul, alpha);
        }
    }
}
