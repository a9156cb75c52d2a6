package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Cosine annealing with warm restarts (SGDR), like PyTorch's {@code CosineAnnealingWarmRestarts}, with an optional
 * decay of the peak from one cycle to the next (as Keras' {@code CosineDecayRestarts} {@code m_mul} and timm's
 * {@code cycle_decay}), and timm's {@code k_decay} and {@code cycle_limit}.
 *
 * <pre>
 * cycle i has length  T_i = firstCycle * cycleMultiplier^i  and starts at  S_i = sum of T_j for j &lt; i
 * value(k) = minValue + (peakValue * peakDecay^i - minValue) * (1 + cos(pi * ((k - S_i) / T_i)^kDecay)) / 2,
 *            i such that S_i &lt;= k &lt; S_i + T_i
 * value(k) = minValue   for k &gt;= S_cycleLimit, when cycleLimit &gt; 0
 * </pre>
 *
 * Each restart step {@code k == S_i} is inclusive: it has the (decayed) peak. With {@code cycleLimit = 0} (the
 * default) the schedule has no horizon; with {@code cycleLimit = n} it holds {@code minValue} after its n-th cycle
 * (timm's {@code cycle_limit}). {@code kDecay = 1} (the default) is the plain cosine. For an
 * integer {@code cycleMultiplier} the values equal PyTorch's; PyTorch rejects non-integer multipliers, this
 * class accepts any multiplier {@code >= 1} with real-valued cycle boundaries. Example,
 * {@code CosineRestartsSchedule.builder(EPOCH, 0.1, 10).cycleMultiplier(2.0).build()}: epochs 0, 5, 10, 20, 30 give
 * 0.1, 0.05, 0.1, 0.05, 0.1; with {@code .cycleLimit(2)} epoch 30 gives 0.
 *
 * @see <a href="https://arxiv.org/abs/1608.03983">Loshchilov &amp; Hutter, SGDR (2016)</a>
 */
public final class CosineRestartsSchedule implements ISchedule {

    private static final long serialVersionUID = 2L;

    private final ScheduleType scheduleType;
    private final double peakValue;
    private final int firstCycle;
    private final double cycleMultiplier;
    private final double minValue;
    private final double peakDecay;
    private final double kDecay;
    private final int cycleLimit;
    // Derived tables; not transient, so that serializers that bypass readResolve (Kryo) carry them too.
    private final double[] cycleStarts;
    private final double[] cyclePeaks;

    private static final int MAX_TABLED_CYCLES = 4096;

    /** Restarts with the same peak every cycle. */
    public CosineRestartsSchedule(ScheduleType type, double peakValue, int firstCycle, double cycleMultiplier,
                                  double minValue) {
        this(type, peakValue, firstCycle, cycleMultiplier, minValue, 1.0);
    }

    /** Restarts whose peak decays by {@code peakDecay} per cycle, without limit, with the plain cosine. */
    public CosineRestartsSchedule(ScheduleType type, double peakValue, int firstCycle, double cycleMultiplier,
                                  double minValue, double peakDecay) {
        this(type, peakValue, firstCycle, cycleMultiplier, minValue, peakDecay, 1.0, 0);
    }

    /**
     * @param firstCycle      length of the first cycle, &gt; 0
     * @param cycleMultiplier growth of the cycle length per restart, &gt;= 1
     * @param peakDecay       multiplier of the peak per restart, in (0, 1] (1 keeps the peak)
     * @param kDecay          exponent of the cosine's progress within a cycle, &gt; 0 (1: the plain cosine)
     * @param cycleLimit      number of cycles before the value stays at {@code minValue}, &gt;= 0 (0: no limit)
     */
    @JsonCreator
    public CosineRestartsSchedule(@JsonProperty(value = "scheduleType", required = true) ScheduleType type,
                                  @JsonProperty(value = "peakValue", required = true) double peakValue,
                                  @JsonProperty(value = "firstCycle", required = true) int firstCycle,
                                  @JsonProperty(value = "cycleMultiplier", required = true) double cycleMultiplier,
                                  @JsonProperty(value = "minValue", required = true) double minValue,
                                  @JsonProperty(value = "peakDecay", required = true) double peakDecay,
                                  @JsonProperty(value = "kDecay", required = true) double kDecay,
                                  @JsonProperty(value = "cycleLimit", required = true) int cycleLimit) {
        this.scheduleType = Args.type(type);
        this.peakValue = Args.scheduleValue("peakValue", peakValue);
        this.firstCycle = Args.positive("firstCycle", firstCycle);
        if (!(cycleMultiplier >= 1) || Double.isInfinite(cycleMultiplier)) {
            throw new IllegalArgumentException("cycleMultiplier (" + cycleMultiplier + ") must be >= 1 and finite");
        }
        this.cycleMultiplier = cycleMultiplier;
        this.minValue = Args.scheduleValue("minValue", minValue);
        if (!(peakDecay > 0 && peakDecay <= 1)) {
            throw new IllegalArgumentException("peakDecay (" + peakDecay + ") must be in (0, 1]: the peak is "
                    + "multiplied by it at every restart");
        }
        this.peakDecay = peakDecay;
        this.kDecay = Args.positive("kDecay", kDecay);
        this.cycleLimit = Args.nonNegative("cycleLimit", cycleLimit);
        this.cycleStarts = cycleStarts(firstCycle, cycleMultiplier);
        this.cyclePeaks = new double[cycleStarts.length];
        for (int i = 0; i < cyclePeaks.length; i++) {
            cyclePeaks[i] = peakValue * Math.pow(peakDecay, i);
        }
    }

    /**
     * A builder with PyTorch's and timm's defaults: {@code cycleMultiplier} 1, {@code minValue} 0,
     * {@code peakDecay} 1, {@code kDecay} 1, {@code cycleLimit} 0 (no limit).
     */
    public static Builder builder(ScheduleType type, double peakValue, int firstCycle) {
        return new Builder(type, peakValue, firstCycle);
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
        if (cycleLimit > 0 && cycle >= cycleLimit) {
            return minValue;
        }
        double peak = peakDecay == 1.0 ? peakValue
                : cycle < cyclePeaks.length ? cyclePeaks[cycle] : peakValue * Math.pow(peakDecay, cycle);
        return Interpolation.cosine(peak, minValue, Interpolation.kDecayed((k - start) / length, kDecay));
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
        return new CosineRestartsSchedule(scheduleType, peakValue, firstCycle, cycleMultiplier, minValue, peakDecay,
                kDecay, cycleLimit);
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

    // Named explicitly: Jackson would otherwise derive "kdecay" from the getter.
    @JsonProperty("kDecay")
    public double getKDecay() {
        return kDecay;
    }

    public int getCycleLimit() {
        return cycleLimit;
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
                && Double.compare(peakDecay, that.peakDecay) == 0
                && Double.compare(kDecay, that.kDecay) == 0
                && cycleLimit == that.cycleLimit;
    }

    @Override
    public int hashCode() {
        int h = scheduleType.hashCode();
        h = 31 * h + Double.hashCode(peakValue);
        h = 31 * h + firstCycle;
        h = 31 * h + Double.hashCode(cycleMultiplier);
        h = 31 * h + Double.hashCode(minValue);
        h = 31 * h + Double.hashCode(peakDecay);
        h = 31 * h + Double.hashCode(kDecay);
        return 31 * h + cycleLimit;
    }

    @Override
    public String toString() {
        return "CosineRestartsSchedule{scheduleType=" + scheduleType + ", peakValue=" + peakValue
                + ", firstCycle=" + firstCycle + ", cycleMultiplier=" + cycleMultiplier + ", minValue=" + minValue
                + ", peakDecay=" + peakDecay + ", kDecay=" + kDecay + ", cycleLimit=" + cycleLimit + "}";
    }

    /** Builds a {@link CosineRestartsSchedule}; {@link #build()} checks the arguments as the constructor does. */
    public static final class Builder {
        private final ScheduleType type;
        private final double peakValue;
        private final int firstCycle;
        private double cycleMultiplier = 1.0;
        private double minValue = 0.0;
        private double peakDecay = 1.0;
        private double kDecay = 1.0;
        private int cycleLimit = 0;

        private Builder(ScheduleType type, double peakValue, int firstCycle) {
            this.type = type;
            this.peakValue = peakValue;
            this.firstCycle = firstCycle;
        }

        /** Growth of the cycle length per restart (PyTorch's {@code T_mult}); default 1. */
        public Builder cycleMultiplier(double cycleMultiplier) {
            this.cycleMultiplier = cycleMultiplier;
            return this;
        }

        /** The floor of every cycle (PyTorch's {@code eta_min}); default 0. */
        public Builder minValue(double minValue) {
            this.minValue = minValue;
            return this;
        }

        /** Multiplier of the peak per restart (timm's {@code cycle_decay}); default 1. */
        public Builder peakDecay(double peakDecay) {
            this.peakDecay = peakDecay;
            return this;
        }

        /** Exponent of the cosine's progress (timm's {@code k_decay}); default 1. */
        public Builder kDecay(double kDecay) {
            this.kDecay = kDecay;
            return this;
        }

        /** Cycles before the value stays at {@code minValue} (timm's {@code cycle_limit}); default 0, no limit. */
        public Builder cycleLimit(int cycleLimit) {
            this.cycleLimit = cycleLimit;
            return this;
        }

        public CosineRestartsSchedule build() {
            return new CosineRestartsSchedule(type, peakValue, firstCycle, cycleMultiplier, minValue, peakDecay,
                    kDecay, cycleLimit);
        }
    }
}
