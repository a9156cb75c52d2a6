package io.github.lrschedules.examples.schedule;

import io.github.lrschedules.checkpoint.Checkpointable;
import io.github.lrschedules.plateau.MetricRuleListener;
import java.util.List;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.learning.config.IUpdater;

/** A schedule made concrete for one run: the updater, any listener it needs, and a description. */
public final class ScheduleSetup {

    private final IUpdater updater;
    private final MetricRuleListener plateau;
    private final String description;

    <L extends MetricRuleListener & Checkpointable<?>> ScheduleSetup(IUpdater updater, L plateau, String description) {
        this.updater = updater;
        this.plateau = plateau;
        this.description = description;
    }

    /** The updater of every layer: Nesterovs with the schedule, or a schedule-free updater. */
    public IUpdater updater() {
        return updater;
    }

    ScheduleSetup(IUpdater updater, String description) {
        this.updater = updater;
        this.plateau = null;
        this.description = description;
    }

    /** The rule listener that changes the rate from a metric (plateau or GreedyLR), or null for schedules without. */
    public MetricRuleListener plateau() {
        return plateau;
    }

    /** The same listener as the state a checkpoint keeps, or null. */
    public Checkpointable<?> plateauState() {
        return (Checkpointable<?>) plateau;
    }

    /** Listeners the schedule needs during training. */
    public List<TrainingListener> listeners() {
        return plateau == null ? List.of() : List.of(plateau);
    }

    /** This setup with another updater and description, the same listener. */
    ScheduleSetup withUpdater(IUpdater updater, String description) {
        return plateau == null ? new ScheduleSetup(updater, description)
                : new ScheduleSetup(updater, (MetricRuleListener & Checkpointable<?>) plateau, description);
    }

    /** What was configured, with the library's own {@code toString} of the schedule. */
    public String description() {
        return description;
    }
}
