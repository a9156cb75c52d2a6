package io.github.lrschedules.examples.schedule;

import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import java.util.List;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.learning.config.IUpdater;

/** A schedule made concrete for one run: the updater, any listener it needs, and a description. */
public final class ScheduleSetup {

    private final IUpdater updater;
    private final ReduceLROnPlateauListener plateau;
    private final String description;

    ScheduleSetup(IUpdater updater, ReduceLROnPlateauListener plateau, String description) {
        this.updater = updater;
        this.plateau = plateau;
        this.description = description;
    }

    /** The updater of every layer: Nesterovs with the schedule, or a schedule-free updater. */
    public IUpdater updater() {
        return updater;
    }

    /** The plateau listener, or null for schedules that need none. */
    public ReduceLROnPlateauListener plateau() {
        return plateau;
    }

    /** Listeners the schedule needs during training. */
    public List<TrainingListener> listeners() {
        return plateau == null ? List.of() : List.of(plateau);
    }

    /** What was configured, with the library's own {@code toString} of the schedule. */
    public String description() {
        return description;
    }
}
