package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Another schedule multiplied by a constant.
 *
 * <pre>
 * value(iteration, epoch) = scale * schedule.valueAt(iteration, epoch)
 * </pre>
 *
 * This is what the ReduceLROnPlateau listener installs around each updater's schedule (or fixed learning rate):
 * the schedule underneath keeps running (warmup, cosine, milestones) and a reduction only changes {@code scale}.
 * It has no {@code ScheduleType} of its own. Example, {@code new ScaledSchedule(new FixedSchedule(0.1), 0.5)}
 * gives 0.05 at every step.
 */
public final class ScaledSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final ISchedule schedule;
    private final double scale;

    /**
     * @param schedule the schedule to scale; a {@code ScaledSchedule} is unwrapped so that scales multiply
     *                 instead of nesting
     * @param scale    the factor, finite and &gt; 0
     */
    public ScaledSchedule(@JsonProperty(value = "schedule", required = true) ISchedule schedule, @JsonProperty(value = "scale", required = true) double scale) {
        Args.schedule("schedule", schedule);
        Args.positive("scale", scale);
        if (schedule instanceof ScaledSchedule) {
            ScaledSchedule inner = (ScaledSchedule) schedule;
            this.schedule = inner.schedule;
            this.scale = Args.positive("scale * inner scale", scale * inner.scale);
        } else {
            this.schedule = schedule;
            this.scale = scale;
        }
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return scale * schedule.valueAt(iteration, epoch);
    }

    /** The schedule underneath (never a {@code ScaledSchedule}). */
    public ISchedule getSchedule() {
        return schedule;
    }

    public double getScale() {
        return scale;
    }

    /** The same schedule underneath with another scale. */
    public ScaledSchedule withScale(double newScale) {
        return new ScaledSchedule(schedule, newScale);
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
        if (!(o instanceof ScaledSchedule)) {
            return false;
        }
        ScaledSchedule that = (ScaledSchedule) o;
        return schedule.equals(that.schedule) && Double.compare(scale, that.scale) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * schedule.hashCode() + Double.hashCode(scale);
    }

    @Override
    public String toString() {
        return "ScaledSchedule{schedule=" + schedule + ", scale=" + scale + "}";
    }
}
