package io.github.lrschedules.examples.train;

import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import java.io.IOException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Where a {@link Trainer} saves each schedule's state after every epoch and finds it again, so that a run killed at
 * any moment continues from its last finished epoch ({@code --resume}). {@link #NONE} saves nothing.
 */
public interface EpochCheckpoints {

    /** Saves nothing and never continues: a plain run. */
    EpochCheckpoints NONE = new EpochCheckpoints() {
        @Override
        public Continuation continuation(ScheduleName schedule, MultiLayerNetwork fresh) {
            return null;
        }

        @Override
        public void epochDone(MultiLayerNetwork net, ReduceLROnPlateauListener plateau, RunResult soFar) {
        }
    };

    /** The saved state a schedule's run continues from. */
    interface Continuation {

        /** The network as it was after the last saved epoch, with its updater state and iteration/epoch counts. */
        MultiLayerNetwork network();

        /** The run up to the last saved epoch: recorded rows, epoch measurements, seconds spent. */
        RunResult soFar();

        /**
         * Puts the saved plateau state into {@code plateau} (null for other schedules) and the saved state of ND4J's
         * random generator (dropout masks) back; called just before training continues.
         */
        void restore(ReduceLROnPlateauListener plateau);
    }

    /**
     * The state {@code schedule} continues from, or null to train it from the start.
     *
     * @param fresh the network just built from the seed (for schedules without saved state)
     */
    Continuation continuation(ScheduleName schedule, MultiLayerNetwork fresh) throws IOException;

    /**
     * Saves the state after an epoch: the network with its updater state, the plateau listener's state (null if
     * none) and the run so far.
     */
    void epochDone(MultiLayerNetwork net, ReduceLROnPlateauListener plateau, RunResult soFar) throws IOException;
}
