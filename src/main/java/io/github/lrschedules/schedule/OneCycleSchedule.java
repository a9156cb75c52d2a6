package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The one-cycle policy, phase for phase as PyTorch's {@code OneCycleLR}, for the learning rate and (through
 * {@link #momentum}) for the momentum that moves against it.
 *
 * <pre>
 * two phases:   warmupStartValue -&gt; peakValue over [0, e1],  peakValue -&gt; minValue over [e1, e2]
 * three phases: warmupStartValue -&gt; peakValue over [0, e1],  peakValue -&gt; warmupStartValue over [e1, e2],
 *               warmupStartValue -&gt; minValue over [e2, e3]
 * e1 = pctStart * totalSteps - 1,  e2 = 2 * pctStart * totalSteps - 2 (three phases) or totalSteps - 1,
 * e3 = totalSteps - 1
 * within a phase from a to b, p = (k - phaseStart) / (phaseEnd - phaseStart):
 *   COS:    b + (a - b) / 2 * (cos(pi * p) + 1)
 *   LINEAR: (b - a) * p + a
 * for the learning rate: warmupStartValue = peakValue / divFactor, minValue = warmupStartValue / finalDivFactor
 * for the momentum twin:  warmupStartValue = minValue = maxMomentum, peakValue = baseMomentum (the turning point)
 * </pre>
 *
 * A step at a phase end belongs to the phase that ends there. PyTorch raises an error past the last step; this
 * schedule holds the value of step {@code totalSteps - 1} for every later step. Example,
 * {@code OneCycleSchedule.builder(ITERATION, 0.1, 100).build()} (PyTorch's defaults: {@code pctStart} 0.3,
 * {@code divFactor} 25, {@code finalDivFactor} 1e4, COS, two phases): steps 0, 29, 99 give 0.004, 0.1, 4e-7; the
 * same builder's {@link Builder#buildMomentum()} gives 0.95, 0.85, 0.95.
 *
 * @see <a href="https://arxiv.org/abs/1803.09820">Smith, A disciplined approach to neural network
 *      hyper-parameters (2018)</a>
 */
public final class OneCycleSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    /** How a phase moves from its start value to its end value. */
    public enum Anneal {
        /** Half a cosine (PyTorch {@code anneal_strategy='cos'}). */
        COS,
        /** A straight line (PyTorch {@code anneal_strategy='linear'}). */
        LINEAR
    }

    private final ScheduleType scheduleType;
    private final double warmupStartValue;
    private final double peakValue;
    private final double minValue;
    private final int totalSteps;
    private final double pctStart;
    private final Anneal anneal;
    private final boolean threePhase;
    private final double firstPhaseEnd;
    private final double secondPhaseEnd;

    /**
     * The learning-rate cycle, with PyTorch's parameters.
     *
     * @param peakValue      the peak (PyTorch's {@code max_lr}), finite
     * @param totalSteps     length of the cycle, &gt; 0
     * @param pctStart       fraction of the cycle spent rising, in (0, 1) (and below 0.5 with three phases)
     * @param divFactor      start value is {@code peakValue / divFactor}; &gt; 0 (PyTorch's default is 25)
     * @param finalDivFactor final value is {@code start / finalDivFactor}; &gt; 0 (PyTorch's default is 1e4)
     */
    public OneCycleSchedule(ScheduleType type, double peakValue, int totalSteps, double pctStart, double divFactor,
                            double finalDivFactor, Anneal anneal, boolean threePhase) {
        this(type, start(peakValue, divFactor), peakValue, start(peakValue, divFactor)
                / Args.positive("finalDivFactor", finalDivFactor), totalSteps, pctStart, anneal, threePhase);
    }

    private static double start(double peakValue, double divFactor) {
        return Args.scheduleValue("peakValue", peakValue) / Args.positive("divFactor", divFactor);
    }

    private OneCycleSchedule(ScheduleType type, double warmupStartValue, double peakValue, double minValue,
                             int totalSteps, double pctStart, Anneal anneal, boolean threePhase) {
        this.scheduleType = Args.type(type);
        this.warmupStartValue = Args.scheduleValue("warmupStartValue", warmupStartValue);
        this.peakValue = Args.scheduleValue("peakValue", peakValue);
        this.minValue = Args.scheduleValue("minValue", minValue);
        this.totalSteps = Args.positive("totalSteps", totalSteps);
        if (!(pctStart > 0 && pctStart < 1)) {
            throw new IllegalArgumentException("pctStart (" + pctStart + ") must be in (0, 1)");
        }
        this.pctStart = pctStart;
        this.anneal = Args.notNull("anneal", anneal);
        this.threePhase = threePhase;
        this.firstPhaseEnd = pctStart * totalSteps - 1;
        this.secondPhaseEnd = threePhase ? 2 * (pctStart * totalSteps) - 2 : totalSteps - 1;
        if (!(firstPhaseEnd > 0)) {
            throw new IllegalArgumentException("pctStart (" + pctStart + ") * totalSteps (" + totalSteps
                    + ") must be > 1 so that the rising phase has at least one step");
        }
        if (threePhase && !(totalSteps - 1 > secondPhaseEnd)) {
            throw new IllegalArgumentException("pctStart (" + pctStart + ") is too large for three phases over totalSteps ("
                    + totalSteps + "): the last phase would be empty");
        }
    }

    /**
     * A one-cycle schedule given by its three values instead of division factors. This is the form stored in JSON.
     */
    @JsonCreator
    public static OneCycleSchedule of(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                                      @JsonProperty(value = "warmupStartValue", required = true) double warmupStartValue,
                                      @JsonProperty(value = "peakValue", required = true) double peakValue,
                                      @JsonProperty(value = "minValue", required = true) double minValue,
                                      @JsonProperty(value = "totalSteps", required = true) int totalSteps,
                                      @JsonProperty(value = "pctStart", required = true) double pctStart,
                                      @JsonProperty(value = "anneal", required = true) Anneal anneal,
                                      @JsonProperty(value = "threePhase", required = true) boolean threePhase) {
        return new OneCycleSchedule(type, warmupStartValue, peakValue, minValue, totalSteps, pctStart, anneal,
                threePhase);
    }

    /**
     * A builder with PyTorch's defaults: {@code pctStart} 0.3, {@code divFactor} 25, {@code finalDivFactor} 1e4,
     * {@code anneal} COS, {@code threePhase} false, and for {@link Builder#buildMomentum()} {@code baseMomentum}
     * 0.85, {@code maxMomentum} 0.95.
     */
    public static Builder builder(ScheduleType type, double peakValue, int totalSteps) {
        return new Builder(type, peakValue, totalSteps);
    }

    /**
     * The momentum twin of the learning-rate cycle (PyTorch {@code cycle_momentum=True}): momentum falls from
     * {@code maxMomentum} to {@code baseMomentum} while the LR rises, and climbs back while the LR falls; with
     * three phases it stays at {@code maxMomentum} in the last phase. Use it as {@code Nesterovs}' momentum schedule.
     */
    public static OneCycleSchedule momentum(ScheduleType type, int totalSteps, double pctStart, double baseMomentum,
                                            double maxMomentum, Anneal anneal, boolean threePhase) {
        Args.scheduleValue("baseMomentum", baseMomentum);
        Args.scheduleValue("maxMomentum", maxMomentum);
        return new OneCycleSchedule(type, maxMomentum, baseMomentum, maxMomentum, totalSteps, pctStart, anneal,
                threePhase);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Math.min(Steps.step(scheduleType, iteration, epoch), totalSteps - 1);
        if (k <= firstPhaseEnd) {
            return interpolate(warmupStartValue, peakValue, k / firstPhaseEnd);
        }
        if (!threePhase) {
            return interpolate(peakValue, minValue, (k - firstPhaseEnd) / (secondPhaseEnd - firstPhaseEnd));
        }
        if (k <= secondPhaseEnd) {
            return interpolate(peakValue, warmupStartValue, (k - firstPhaseEnd) / (secondPhaseEnd - firstPhaseEnd));
        }
        double lastPhaseEnd = totalSteps - 1;
        return interpolate(warmupStartValue, minValue, (k - secondPhaseEnd) / (lastPhaseEnd - secondPhaseEnd));
    }

    private double interpolate(double start, double end, double p) {
        return anneal == Anneal.COS ? Interpolation.cosine(start, end, p) : Interpolation.linear(start, end, p);
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getWarmupStartValue() {
        return warmupStartValue;
    }

    public double getPeakValue() {
        return peakValue;
    }

    public double getMinValue() {
        return minValue;
    }

    public int getTotalSteps() {
        return totalSteps;
    }

    public double getPctStart() {
        return pctStart;
    }

    public Anneal getAnneal() {
        return anneal;
    }

    public boolean isThreePhase() {
        return threePhase;
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
        if (!(o instanceof OneCycleSchedule)) {
            return false;
        }
        OneCycleSchedule that = (OneCycleSchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(warmupStartValue, that.warmupStartValue) == 0
                && Double.compare(peakValue, that.peakValue) == 0
                && Double.compare(minValue, that.minValue) == 0
                && totalSteps == that.totalSteps
                && Double.compare(pctStart, that.pctStart) == 0
                && anneal == that.anneal
                && threePhase == that.threePhase;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(warmupStartValue);
        h = 31 * h + Double.hashCode(peakValue);
        h = 31 * h + Double.hashCode(minValue);
        h = 31 * h + totalSteps;
        h = 31 * h + Double.hashCode(pctStart);
        h = 31 * h + anneal.hashCode();
        return 31 * h + Boolean.hashCode(threePhase);
    }

    @Override
    public String toString() {
        return "OneCycleSchedule{scheduleType=" + scheduleType + ", warmupStartValue=" + warmupStartValue
                + ", peakValue=" + peakValue + ", minValue=" + minValue + ", totalSteps=" + totalSteps
                + ", pctStart=" + pctStart + ", anneal=" + anneal + ", threePhase=" + threePhase + "}";
    }

    /**
     * Builds the learning-rate cycle ({@link #build()}) and, from the same phases, its momentum twin
     * ({@link #buildMomentum()}); both check the arguments as the constructors do.
     */
    public static final class Builder {
        private final ScheduleType type;
        private final double peakValue;
        private final int totalSteps;
        private double pctStart = 0.3;
        private double divFactor = 25.0;
        private double finalDivFactor = 1e4;
        private Anneal anneal = Anneal.COS;
        private boolean threePhase = false;
        private double baseMomentum = 0.85;
        private double maxMomentum = 0.95;

        private Builder(ScheduleType type, double peakValue, int totalSteps) {
            this.type = type;
            this.peakValue = peakValue;
            this.totalSteps = totalSteps;
        }

        /** Fraction of the cycle spent rising; default 0.3. */
        public Builder pctStart(double pctStart) {
            this.pctStart = pctStart;
            return this;
        }

        /** The start value is {@code peakValue / divFactor}; default 25. */
        public Builder divFactor(double divFactor) {
            this.divFactor = divFactor;
            return this;
        }

        /** The final value is {@code peakValue / divFactor / finalDivFactor}; default 1e4. */
        public Builder finalDivFactor(double finalDivFactor) {
            this.finalDivFactor = finalDivFactor;
            return this;
        }

        /** How each phase moves; default COS. */
        public Builder anneal(Anneal anneal) {
            this.anneal = anneal;
            return this;
        }

        /** Fast.ai's third phase (back to the start value, then down to the final one); default false. */
        public Builder threePhase(boolean threePhase) {
            this.threePhase = threePhase;
            return this;
        }

        /** The momentum at the learning rate's peak, for {@link #buildMomentum()}; default 0.85. */
        public Builder baseMomentum(double baseMomentum) {
            this.baseMomentum = baseMomentum;
            return this;
        }

        /** The momentum at the start and the end of the cycle, for {@link #buildMomentum()}; default 0.95. */
        public Builder maxMomentum(double maxMomentum) {
            this.maxMomentum = maxMomentum;
            return this;
        }

        /** The learning-rate cycle. */
        public OneCycleSchedule build() {
            return new OneCycleSchedule(type, peakValue, totalSteps, pctStart, divFactor, finalDivFactor, anneal,
                    threePhase);
        }

        /** The momentum twin over the same phases ({@link OneCycleSchedule#momentum}). */
        public OneCycleSchedule buildMomentum() {
            return momentum(type, totalSteps, pctStart, baseMomentum, maxMomentum, anneal, threePhase);
        }
    }
}
