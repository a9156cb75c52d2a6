package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The learning rate of stochastic weight averaging: a base schedule until {@code swaStart}, then an anneal from the
 * base's last value to a constant {@code swaValue} over {@code annealSteps} steps, held afterwards. PyTorch's
 * {@code SWALR} as a closed form, the companion of {@code WeightAveraging.swa()}.
 *
 * <pre>
 * value(k) = base(k)                                                          for k &lt; swaStart
 * value(k) = swaValue * a + base(max(0, swaStart - 1)) * (1 - a)               for k &gt;= swaStart
 *            a = f(min(1, (k - swaStart + 1) / max(1, annealSteps)))
 *            f(t) = (1 - cos(pi t)) / 2   (COS)   or   t   (LINEAR)
 * </pre>
 *
 * The step {@code k} is the counter that the base schedule's {@code ScheduleType} selects (EPOCH for a base that
 * reports none, such as DL4J's {@code FixedSchedule}); the base is called with the other counter unchanged. At
 * {@code k = swaStart} the anneal has already taken its first step, and from {@code k = swaStart + annealSteps - 1}
 * on (from {@code swaStart} with {@code annealSteps} 0 or 1) the value is {@code swaValue}, for every later step.
 *
 * <p>This is what SWALR gives when the base scheduler steps before the switch and SWALR after it. PyTorch's
 * canonical loop
 * <pre>
 * for epoch in range(epochs):
 *     train(...)
 *     if epoch &gt; swa_start:
 *         swa_model.update_parameters(model); swa_scheduler.step()
 *     else:
 *         scheduler.step()
 * </pre>
 * is {@code swaStart = swa_start + 2} (and {@code WeightAveraging.swa().startEpoch(swa_start + 1)}): the epoch
 * after {@code swa_start + 1} is the first trained with an SWALR rate. With {@code anneal_epochs = 0} SWALR already
 * sets {@code swa_lr} when it is constructed, which this closed form does not reproduce (construct SWALR at the
 * switch there). Example, {@code new SwaSchedule(new FixedSchedule(0.1), 5, 0.01, 4, Anneal.LINEAR)}: steps 4, 5,
 * 7, 100 give 0.1, 0.0775, 0.0325, 0.01.
 *
 * @see <a href="https://arxiv.org/abs/1803.05407">Izmailov et al., Averaging Weights Leads to Wider Optima and
 *      Better Generalization (2018)</a>
 */
public final class SwaSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    /** How the rate moves from the base's last value to {@code swaValue}. */
    public enum Anneal {
        /** {@code f(t) = (1 - cos(pi t)) / 2}, SWALR's {@code "cos"} (its default). */
        COS,
        /** {@code f(t) = t}, SWALR's {@code "linear"}. */
        LINEAR
    }

    private final ISchedule schedule;
    private final int swaStart;
    private final double swaValue;
    private final int annealSteps;
    private final Anneal anneal;
    /** Derived from {@code schedule}; not a JSON property. */
    private final ScheduleType scheduleType;

    /**
     * @param schedule    the base schedule, used before {@code swaStart}
     * @param swaStart    first step of the anneal, &gt;= 0
     * @param swaValue    the constant rate the anneal ends at, finite
     * @param annealSteps length of the anneal, &gt;= 0 (PyTorch's {@code anneal_epochs}, default 10)
     * @param anneal      the shape of the anneal
     */
    @JsonCreator
    public SwaSchedule(@JsonProperty(value = "schedule", required = true) ISchedule schedule,
                       @JsonProperty(value = "swaStart", required = true) int swaStart,
                       @JsonProperty(value = "swaValue", required = true) double swaValue,
                       @JsonProperty(value = "annealSteps", required = true) int annealSteps,
                       @JsonProperty(value = "anneal", required = true) Anneal anneal) {
        this.schedule = Args.schedule("schedule", schedule);
        this.swaStart = Args.nonNegative("swaStart", swaStart);
        this.swaValue = Args.scheduleValue("swaValue", swaValue);
        this.annealSteps = Args.nonNegative("annealSteps", annealSteps);
        this.anneal = Args.notNull("anneal", anneal, "SwaSchedule.Anneal.COS or LINEAR");
        ScheduleType reported = Steps.reportedType(schedule);
        this.scheduleType = reported == null ? ScheduleType.EPOCH : reported;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int k = Steps.step(scheduleType, iteration, epoch);
        if (k < swaStart) {
            return schedule.valueAt(iteration, epoch);
        }
        double from = Steps.valueAtLocal(schedule, scheduleType, Math.max(0, swaStart - 1), iteration, epoch);
        double t = Math.min(1.0, (double) (k - swaStart + 1) / Math.max(1, annealSteps));
        double a = anneal == Anneal.COS ? (1 - Math.cos(Math.PI * t)) / 2 : t;
        return swaValue * a + from * (1 - a);
    }

    /** The counter that is the step: the base schedule's {@code ScheduleType}, EPOCH if it reports none. */
    @JsonIgnore
    public ScheduleType getScheduleType() {
        return scheduleType;
    }

    /** The base schedule. */
    public ISchedule getSchedule() {
        return schedule;
    }

    public int getSwaStart() {
        return swaStart;
    }

    public double getSwaValue() {
        return swaValue;
    }

    public int getAnnealSteps() {
        return annealSteps;
    }

    public Anneal getAnneal() {
        return anneal;
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
        if (!(o instanceof SwaSchedule)) {
            return false;
        }
        SwaSchedule that = (SwaSchedule) o;
        return schedule.equals(that.schedule)
                && swaStart == that.swaStart
                && Double.compare(swaValue, that.swaValue) == 0
                && annealSteps == that.annealSteps
                && anneal == that.anneal;
    }

    @Override
    public int hashCode() {
        int h = schedule.hashCode();
        h = 31 * h + swaStart;
        h = 31 * h + Double.hashCode(swaValue);
        h = 31 * h + annealSteps;
        return 31 * h + anneal.hashCode();
    }

    @Override
    public String toString() {
        return "SwaSchedule{schedule=" + schedule + ", swaStart=" + swaStart + ", swaValue=" + swaValue
                + ", annealSteps=" + annealSteps + ", anneal=" + anneal + "}";
    }
}
