package io.github.lrschedules.schedule;

import io.github.lrschedules.util.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The one-cycle policy, phase for phase as PyTorch's {@code OneCycleLR}, for the learning rate and (through
 * {@link #momentum}) for the momentum that moves against it.
 *
 * <pre>
 * two phases:   initialValue -&gt; peakValue over [0, e1],  peakValue -&gt; finalValue over [e1, e2]
 * three phases: initialValue -&gt; peakValue over [0, e1],  peakValue -&gt; initialValue over [e1, e2],
 *               initialValue -&gt; finalValue over [e2, e3]
 * e1 = pctStart * totalSteps - 1,  e2 = 2 * pctStart * totalSteps - 2 (three phases) or totalSteps - 1,
 * e3 = totalSteps - 1
 * within a phase from a to b, p = (k - phaseStart) / (phaseEnd - phaseStart):
 *   COS:    b + (a - b) / 2 * (cos(pi * p) + 1)
 *   LINEAR: (b - a) * p + a
 * for the learning rate: peakValue = maxValue, initialValue = maxValue / divFactor,
 *                        finalValue = initialValue / finalDivFactor
 * </pre>
 *
 * A step at a phase end belongs to the phase that ends there. PyTorch raises an error past the last step; this
 * schedule holds the value of step {@code totalSteps - 1} for every later step. Example,
 * {@code new OneCycleSchedule(ITERATION, 0.1, 100, 0.3, 25, 1e4, Anneal.COS, false)}: steps 0, 29, 99 give
 * 0.004, 0.1, 4e-7.
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
    private final double initialValue;
    private final double peakValue;
    private final double finalValue;
    private final int totalSteps;
    private final double pctStart;
    private final Anneal anneal;
    private final boolean threePhase;
    private final double firstPhaseEnd;
    private final double secondPhaseEnd;

    /**
     * The learning-rate cycle, with PyTorch's parameters.
     *
     * @param maxValue       the peak, finite
     * @param totalSteps     length of the cycle, &gt; 0
     * @param pctStart       fraction of the cycle spent rising, in (0, 1) (and below 0.5 with three phases)
     * @param divFactor      start value is {@code maxValue / divFactor}; &gt; 0 (PyTorch's default is 25)
     * @param finalDivFactor final value is {@code start / finalDivFactor}; &gt; 0 (PyTorch's default is 1e4)
     */
    public OneCycleSchedule(ScheduleType type, double maxValue, int totalSteps, double pctStart, double divFactor,
                            double finalDivFactor, Anneal anneal, boolean threePhase) {
        this(type, initial(maxValue, divFactor), maxValue, initial(maxValue, divFactor)
                / Args.positive("finalDivFactor", finalDivFactor), totalSteps, pctStart, anneal, threePhase);
    }

    private static double initial(double maxValue, double divFactor) {
        return Args.finite("maxValue", maxValue) / Args.positive("divFactor", divFactor);
    }

    private OneCycleSchedule(ScheduleType type, double initialValue, double peakValue, double finalValue,
                             int totalSteps, double pctStart, Anneal anneal, boolean threePhase) {
        this.scheduleType = Args.type(type);
        this.initialValue = Args.finite("initialValue", initialValue);
        this.peakValue = Args.finite("peakValue", peakValue);
        this.finalValue = Args.finite("finalValue", finalValue);
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
    public static OneCycleSchedule of(@JsonProperty("scheduleType") ScheduleType type,
                                      @JsonProperty("initialValue") double initialValue,
                                      @JsonProperty("peakValue") double peakValue,
                                      @JsonProperty("finalValue") double finalValue,
                                      @JsonProperty("totalSteps") int totalSteps,
                                      @JsonProperty("pctStart") double pctStart,
                                      @JsonProperty("anneal") Anneal anneal,
                                      @JsonProperty("threePhase") boolean threePhase) {
        return new OneCycleSchedule(type, initialValue, peakValue, finalValue, totalSteps, pctStart, anneal, threePhase);
    }

    /**
     * The momentum twin of the learning-rate cycle (PyTorch {@code cycle_momentum=True}): momentum falls from
     * {@code maxMomentum} to {@code baseMomentum} while the LR rises, and climbs back while the LR falls; with
     * three phases it stays at {@code maxMomentum} in the last phase. Use it as {@code Nesterovs}' momentum schedule.
     */
    public static OneCycleSchedule momentum(ScheduleType type, int totalSteps, double pctStart, double baseMomentum,
                                            double maxMomentum, Anneal anneal, boolean threePhase) {
        Args.finite("baseMomentum", baseMomentum);
        Args.finite("maxMomentum", maxMomentum);
        return new OneCycleSchedule(type, maxMomentum, baseMomentum, maxMomentum, totalSteps, pctStart, anneal,
                threePhase);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Math.min(Steps.step(scheduleType, iteration, epoch), totalSteps - 1);
        if (k <= firstPhaseEnd) {
            return interpolate(initialValue, peakValue, k / firstPhaseEnd);
        }
        if (!threePhase) {
            return interpolate(peakValue, finalValue, (k - firstPhaseEnd) / (secondPhaseEnd - firstPhaseEnd));
        }
        if (k <= secondPhaseEnd) {
            return interpolate(peakValue, initialValue, (k - firstPhaseEnd) / (secondPhaseEnd - firstPhaseEnd));
        }
        double lastPhaseEnd = totalSteps - 1;
        return interpolate(initialValue, finalValue, (k - secondPhaseEnd) / (lastPhaseEnd - secondPhaseEnd));
    }

    private double interpolate(double start, double end, double pct) {
        if (anneal == Anneal.COS) {
            return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
        }
        return (end - start) * pct + start;
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getInitialValue() {
        return initialValue;
    }

    public double getPeakValue() {
        return peakValue;
    }

    public double getFinalValue() {
        return finalValue;
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
                && Double.compare(initialValue, that.initialValue) == 0
                && Double.compare(peakValue, that.peakValue) == 0
                && Double.compare(finalValue, that.finalValue) == 0
                && totalSteps == that.totalSteps
                && Double.compare(pctStart, that.pctStart) == 0
                && anneal == that.anneal
                && threePhase == that.threePhase;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(initialValue);
        h = 31 * h + Double.hashCode(peakValue);
        h = 31 * h + Double.hashCode(finalValue);
        h = 31 * h + totalSteps;
        h = 31 * h + Double.hashCode(pctStart);
        h = 31 * h + anneal.hashCode();
        return 31 * h + Boolean.hashCode(threePhase);
    }

    @Override
    public String toString() {
        return "OneCycleSchedule{scheduleType=" + scheduleType + ", initialValue=" + initialValue
                + ", peakValue=" + peakValue + ", finalValue=" + finalValue + ", totalSteps=" + totalSteps
                + ", pctStart=" + pctStart + ", anneal=" + anneal + ", threePhase=" + threePhase + "}";
    }
}
