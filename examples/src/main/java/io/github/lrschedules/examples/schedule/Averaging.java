package io.github.lrschedules.examples.schedule;

import io.github.lrschedules.averaging.WeightAveraging;
import io.github.lrschedules.schedule.SwaSchedule;
import java.util.Locale;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * {@code compare --average}: the weight average every schedule's run keeps beside training, and what it changes in
 * the schedule. Immutable.
 * <ul>
 * <li>{@code ema[:DECAY]}: {@code WeightAveraging.ema(DECAY).warmup().build()}, an exponential moving average updated
 * after every iteration with timm's decay warmup ({@code min(DECAY, 1 - (1 + k)^(-2/3))} at the {@code k}-th update),
 * so that short runs get an average of their recent weights too; {@value #DEFAULT_DECAY} by default. The schedule is
 * not changed.</li>
 * <li>{@code swa[:START_EPOCH]}: {@code WeightAveraging.swa().startEpoch(START_EPOCH).build()}, the equal average of
 * the weights at the end of every epoch from {@code START_EPOCH} (counted from 0, as the outputs count epochs) on; by
 * default {@link #defaultSwaStart(int) 75% of the epochs}, PyTorch's recipe. From that epoch on the schedule is
 * replaced by PyTorch's SWALR, {@link SwaSchedule}: the rate is held at the value the schedule has at the first
 * iteration of {@code START_EPOCH} ({@code swaValue}; annealSteps 0, as the rate is already there), a constant rate
 * under which the averaged weights keep exploring. Applies to the Nesterovs schedules; the learning-rate-free updaters
 * keep their own rate.</li>
 * </ul>
 */
public final class Averaging {

    /** EMA decay of {@code --average ema}. */
    public static final double DEFAULT_DECAY = 0.999;

    /** What kind of average. */
    public enum Kind {
        /** Exponential moving average, after every iteration. */
        EMA,
        /** Stochastic weight averaging, at the end of every epoch from the start epoch on. */
        SWA
    }

    private final Kind kind;
    private final double decay;
    private final int startEpoch;

    private Averaging(Kind kind, double decay, int startEpoch) {
        this.kind = kind;
        this.decay = decay;
        this.startEpoch = startEpoch;
    }

    /**
     * An EMA with {@code decay} in [0, 1).
     *
     * @throws IllegalArgumentException naming the decay otherwise (NaN included)
     */
    public static Averaging ema(double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("the EMA decay (" + decay + ") must be in [0, 1)");
        }
        return new Averaging(Kind.EMA, decay, 0);
    }

    /**
     * SWA from {@code startEpoch} (from 0) in a run of {@code epochs} epochs.
     *
     * @throws IllegalArgumentException unless {@code 0 <= startEpoch < epochs}
     */
    public static Averaging swa(int startEpoch, int epochs) {
        if (!(startEpoch >= 0 && startEpoch < epochs)) {
            throw new IllegalArgumentException("the SWA start epoch (" + startEpoch + ") must be in [0, " + (epochs - 1)
                    + "]: epochs count from 0 and the run has " + epochs);
        }
        return new Averaging(Kind.SWA, Double.NaN, startEpoch);
    }

    /** The start epoch of {@code swa} without a number: 75% of {@code epochs}, rounded down (0 for one epoch). */
    public static int defaultSwaStart(int epochs) {
        return Math.max(0, Math.min(epochs - 1, (int) Math.floor(0.75 * epochs)));
    }

    /**
     * {@code ema}, {@code ema:DECAY}, {@code swa} or {@code swa:START_EPOCH} (case-insensitive) for a run of
     * {@code epochs} epochs.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code value} and what is valid
     */
    public static Averaging parse(String value, int epochs) {
        String v = value == null ? "" : value.trim();
        int colon = v.indexOf(':');
        String name = (colon < 0 ? v : v.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String number = colon < 0 ? null : v.substring(colon + 1).trim();
        if (name.equals("ema")) {
            if (number == null) {
                return ema(DEFAULT_DECAY);
            }
            double decay;
            try {
                decay = Double.parseDouble(number);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the EMA decay '" + number + "' is not a number; give ema:DECAY with"
                        + " DECAY in [0, 1), e.g. ema:0.999");
            }
            return ema(decay);
        }
        if (name.equals("swa")) {
            if (number == null) {
                return swa(defaultSwaStart(epochs), epochs);
            }
            int start;
            try {
                start = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the SWA start epoch '" + number + "' is not a whole number; give"
                        + " swa:START_EPOCH with START_EPOCH in [0, " + (epochs - 1) + "]");
            }
            return swa(start, epochs);
        }
        throw new IllegalArgumentException("unknown average; valid: ema, ema:DECAY, swa, swa:START_EPOCH");
    }

    public Kind kind() {
        return kind;
    }

    /** The EMA decay; NaN for SWA. */
    public double decay() {
        return decay;
    }

    /** The first epoch (from 0) SWA averages; 0 for EMA. */
    public int startEpoch() {
        return startEpoch;
    }

    /** A new average for one schedule's run. */
    public WeightAveraging newAverage() {
        return kind == Kind.EMA ? WeightAveraging.ema(decay).warmup().build()
                : WeightAveraging.swa().startEpoch(startEpoch).build();
    }

    /**
     * {@code setup} with this average's change to the schedule: for SWA, a Nesterovs updater's rate becomes
     * {@link SwaSchedule} from the start epoch on (see the class comment); otherwise {@code setup} unchanged.
     */
    public ScheduleSetup apply(ScheduleSetup setup, SchedulePlan plan) {
        if (kind != Kind.SWA || !(setup.updater() instanceof Nesterovs)) {
            return setup;
        }
        Nesterovs nesterovs = (Nesterovs) setup.updater();
        ISchedule base = nesterovs.getLearningRateSchedule() != null ? nesterovs.getLearningRateSchedule()
                : new FixedSchedule(nesterovs.getLearningRate());
        int startIteration = startEpoch * plan.batchesPerEpoch();
        double swaValue = base.valueAt(startIteration, startEpoch);
        // the counter SwaSchedule steps with: the base schedule's type, EPOCH for one that reports none
        ScheduleType type = new SwaSchedule(base, 0, swaValue, 0, SwaSchedule.Anneal.COS).getScheduleType();
        SwaSchedule swa = new SwaSchedule(base, type == ScheduleType.ITERATION ? startIteration : startEpoch,
                swaValue, 0, SwaSchedule.Anneal.COS);
        Nesterovs updater = nesterovs.clone();
        updater.setLearningRateSchedule(swa);
        return setup.withUpdater(updater, setup.description() + "; SWA from epoch " + startEpoch + ": " + swa);
    }

    /** One line for the run's settings. */
    public String description() {
        if (kind == Kind.EMA) {
            return "Weight averaging (--average " + this + "): every schedule's run also keeps an EMA of its weights,"
                    + " updated after every iteration with decay min(" + decay + ", 1 - (1 + k)^(-2/3)) (timm's"
                    + " warmup); the averaged test accuracy is measured after every epoch";
        }
        return "Weight averaging (--average " + this + "): SWA, the equal average of the weights at the end of every"
                + " epoch from epoch " + startEpoch + " (from 0) on, during which the learning rate is held at the"
                + " schedule's value at the start of that epoch (SWALR); the averaged test accuracy is measured after"
                + " every epoch";
    }

    /** {@code ema:0.999} or {@code swa:11}: the option's value. */
    @Override
    public String toString() {
        return kind == Kind.EMA ? "ema:" + decay : "swa:" + startEpoch;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Averaging)) {
            return false;
        }
        Averaging a = (Averaging) o;
        return kind == a.kind && Double.compare(decay, a.decay) == 0 && startEpoch == a.startEpoch;
    }

    @Override
    public int hashCode() {
        return (kind.hashCode() * 31 + Double.hashCode(decay)) * 31 + startEpoch;
    }
}
