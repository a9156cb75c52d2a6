package io.github.lrschedules.schedule;

import io.github.lrschedules.util.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Cosine annealing with warm restarts (SGDR), like PyTorch's {@code CosineAnnealingWarmRestarts}, with an optional
 * decay of the peak from one cycle to the next (as Keras' {@code CosineDecayRestarts} {@code m_mul} and timm's
 * {@code cycle_decay}).
 *
 * <pre>
 * cycle i has length  T_i = firstCycle * cycleMultiplier^i  and starts at  S_i = sum of T_j for j &lt; i
 * value(k) = minValue + (peakValue * peakDecay^i - minValue) * (1 + cos(pi * (k - S_i) / T_i)) / 2,
 *            i such that S_i &lt;= k &lt; S_i + T_i
 * </pre>
 *
 * Each restart step {@code k == S_i} is inclusive: it has the (decayed) peak. The schedule has no horizon. For an
 * integer {@code cycleMultiplier} the values equal PyTorch's; PyTorch rejects non-integer multipliers, this
 * class accepts any multiplier {@code >= 1} with real-valued cycle boundaries. Example,
 * {@code new CosineRestartsSchedule(EPOCH, 0.1, 10, 2.0, 0.0)}: epochs 0, 5, 10, 20, 30 give 0.1, 0.05, 0.1, 0.05, 0.1.
 *
 * @see <a href="https://arxiv.org/abs/1608.03983">Loshchilov &amp; Hutter, SGDR (2016)</a>
 */
public final class CosineRestartsSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ScheduleType scheduleType;
    private final double peakValue;
    private final int firstCycle;
    private final double cycleMultiplier;
    private final double minValue;
    private final double peakDecay;
    private final transient double[] cycleStarts;
    private final transient double[] cyclePeaks;

    private static final int MAX_TABLED_CYCLES = 4096;

    /** Restarts with the same peak every cycle. */
    public CosineRestartsSchedule(ScheduleType type, double peakValue, int firstCycle, double cycleMultiplier,
                                  double minValue) {
        this(type, peakValue, firstCycle, cycleMultiplier, minValue, 1.0);
    }

    /**
     * @param firstCycle      length of the first cycle, &gt; 0
     * @param cycleMultiplier growth of the cycle length per restart, &gt;= 1
     * @param peakDecay       multiplier of the peak per restart, &gt; 0 (1 keeps the peak)
     */
    public CosineRestartsSchedule(@JsonProperty("scheduleType") ScheduleType type,
                                  @JsonProperty("peakValue") double peakValue,
                                  @JsonProperty("firstCycle") int firstCycle,
                                  @JsonProperty("cycleMultiplier") double cycleMultiplier,
                                  @JsonProperty("minValue") double minValue,
                                  @JsonProperty("peakDecay") double peakDecay) {
        this.scheduleType = Args.type(type);
        this.peakValue = Args.finite("peakValue", peakValue);
        this.firstCycle = Args.positive("firstCycle", firstCycle);
        if (!(cycleMultiplier >= 1) || Double.isInfinite(cycleMultiplier)) {
            throw new IllegalArgumentException("cycleMultiplier (" + cycleMultiplier + ") must be >= 1 and finite");
        }
        this.cycleMultiplier = cycleMultiplier;
        this.minValue = Args.finite("minValue", minValue);
        this.peakDecay = Args.positive("peakDecay", peakDecay);
        this.cycleStarts = cycleStarts(firstCycle, cycleMultiplier);
        this.cyclePeaks = new double[cycleStarts.length];
        for (int i = 0; i < cyclePeaks.length; i++) {
            cyclePeaks[i] = peakValue * Math.pow(peakDecay, i);
        }
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        int cycle;
        double start;
        double length;
        if (cycleMultiplier == 1.0) {
            cycle = k / firstCycle;
            start = (double) cycle * firstCycle;
            length = firstCycle;
        } else if (k < cycleStarts[cycleStarts.length - 1]) {
            cycle = cycleContaining(k);
            start = cycleStarts[cycle];
            length = cycleStarts[cycle + 1] - start;
        } else {
            // Beyond the precomputed cycles (only for multipliers very close to 1): the closed form.
            cycle = (int) Math.floor(Math.log(k * (cycleMultiplier - 1) / firstCycle + 1) / Math.log(cycleMultiplier));
            while (cycle > 0 && cycleStart(cycle) > k) {
                cycle--;
            }
            while (cycleStart(cycle + 1) <= k) {
                cycle++;
            }
            start = cycleStart(cycle);
            length = firstCycle * Math.pow(cycleMultiplier, cycle);
        }
        double peak = peakDecay == 1.0 ? peakValue
                : cycle < cyclePeaks.length ? cyclePeaks[cycle] : peakValue * Math.pow(peakDecay, cycle);
        return minValue + (peak - minValue) * (1 + Math.cos(Math.PI * (k - start) / length)) / 2;
    }

    /** Index {@code i} with {@code cycleStarts[i] <= k < cycleStarts[i + 1]}. */
    private int cycleContaining(int k) {
        int lo = 0;
        int hi = cycleStarts.length - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (cycleStarts[mid] <= k) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private double cycleStart(int cycle) {
        return firstCycle * (Math.pow(cycleMultiplier, cycle) - 1) / (cycleMultiplier - 1);
    }

    /**
     * Starts of the cycles (the same closed form), so that {@code valueAt} needs a binary search instead of a
     * logarithm and powers. Up to {@value #MAX_TABLED_CYCLES} cycles or past the largest int step.
     */
    private static double[] cycleStarts(int firstCycle, double cycleMultiplier) {
        if (cycleMultiplier == 1.0) {
            return new double[] {0, firstCycle};
        }
        int n = 1;
        while (n < MAX_TABLED_CYCLES
                && firstCycle * (Math.pow(cycleMultiplier, n - 1) - 1) / (cycleMultiplier - 1) <= Integer.MAX_VALUE) {
            n++;
        }
        double[] starts = new double[n];
        for (int i = 0; i < n; i++) {
            starts[i] = firstCycle * (Math.pow(cycleMultiplier, i) - 1) / (cycleMultiplier - 1);
        }
        return starts;
    }

    /** Java deserialization goes through the constructor, so checks and the cycle table apply. */
    private Object readResolve() {
        return new CosineRestartsSchedule(scheduleType, peakValue, firstCycle, cycleMultiplier, minValue, peakDecay);
    }

    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    public double getPeakValue() {
        return peakValue;
    }

    public int getFirstCycle() {
        return firstCycle;
    }

    public double getCycleMultiplier() {
        return cycleMultiplier;
    }

    public double getMinValue() {
        return minValue;
    }

    public double getPeakDecay() {
        return peakDecay;
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
        if (!(o instanceof CosineRestartsSchedule)) {
            return false;
        }
        CosineRestartsSchedule that = (CosineRestartsSchedule) o;
        return scheduleType == that.scheduleType
                && Double.compare(peakValue, that.peakValue) == 0
                && firstCycle == that.firstCycle
                && Double.compare(cycleMultiplier, that.cycleMultiplier) == 0
                && Double.compare(minValue, that.minValue) == 0
                && Double.compare(peakDecay, that.peakDecay) == 0;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(peakValue);
        h = 31 * h + firstCycle;
        h = 31 * h + Double.hashCode(cycleMultiplier);
        h = 31 * h + Double.hashCode(minValue);
        return 31 * h + Double.hashCode(peakDecay);
    }

    @Override
    public String toString() {
        return "CosineRestartsSchedule{scheduleType=" + scheduleType + ", peakValue=" + peakValue
                + ", firstCycle=" + firstCycle + ", cycleMultiplier=" + cycleMultiplier + ", minValue=" + minValue
                + ", peakDecay=" + peakDecay + "}";
    }
}
