package io.github.lrschedules.examples.train;

import io.github.lrschedules.checkpoint.Checkpointable;
import io.github.lrschedules.examples.schedule.ScheduleName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Where a {@link Trainer} saves each schedule's state after every epoch and finds it again, so that a run killed at
 * any moment continues from its last finished epoch ({@code --resume}): one library checkpoint file holding the
 * network, the listener state and the run's record. {@link #NONE} saves nothing.
 */
public interface EpochCheckpoints {

    /** Saves nothing and never continues: a plain run. */
    EpochCheckpoints NONE = new EpochCheckpoints() {
        @Override
        public Continuation continuation(ScheduleName schedule, MultiLayerNetwork fresh) {
            return null;
        }

        @Override
        public void epochDone(RunResult soFar) {
        }

        @Override
        public void epochDone(CompletableFuture<MeasuredEpoch> soFar) {
        }

        @Override
        public void save(MultiLayerNetwork net, Checkpointable<?>... states) {
        }

        @Override
        public void scheduleDone(RunResult run, MultiLayerNetwork net) {
        }

        @Override
        public Path file() {
            return null;
        }

        @Override
        public Checkpointable<?> record() {
            return null;
        }
    };

    /** The saved state a schedule's run continues from. */
    interface Continuation {

        /** The network as it was after the last saved epoch, with its updater state and iteration/epoch counts. */
        MultiLayerNetwork network();

        /** The run up to the last saved epoch: recorded rows, epoch measurements, seconds spent. */
        RunResult soFar();

        /**
         * Puts the saved states into {@code states} (the plateau listener, the weight average; null entries are
         * skipped) and the saved state of ND4J's random generator (dropout masks) back; called just before training
         * continues.
         */
        void restore(Checkpointable<?>... states) throws IOException;
    }

    /**
     * The state {@code schedule} continues from, or null to train it from the start.
     *
     * @param fresh the network just built from the seed (for schedules without saved state)
     */
    Continuation continuation(ScheduleName schedule, MultiLayerNetwork fresh) throws IOException;

    /** Takes the run so far into the record the next checkpoint holds. */
    void epochDone(RunResult soFar);

    /**
     * Takes the run so far into the record the next checkpoint holds once {@code soFar} completes: for an epoch
     * measured while the next one trains. The next {@link #save} copies the network and the states at once and writes
     * the checkpoint when the record is complete, off the training thread.
     */
    default void epochDone(CompletableFuture<MeasuredEpoch> soFar) {
        epochDone(soFar.join().soFar());
    }

    /**
     * Update reports sent to the run's stats storage so far, per {@code session/type/worker} (empty where the
     * checkpoint keeps no count): what an epoch measured on another thread sent is counted at its end.
     */
    default Map<String, Integer> reportsSent() {
        return Map.of();
    }

    /** An epoch measured on another thread: the run so far, and the reports sent once the epoch's records were. */
    final class MeasuredEpoch {
        private final RunResult soFar;
        private final Map<String, Integer> reportsSent;

        public MeasuredEpoch(RunResult soFar, Map<String, Integer> reportsSent) {
            this.soFar = soFar;
            this.reportsSent = Map.copyOf(reportsSent);
        }

        public RunResult soFar() {
            return soFar;
        }

        public Map<String, Integer> reportsSent() {
            return reportsSent;
        }
    }

    /**
     * Writes the checkpoint: the network with its updater state, the listed states (the plateau listener's, the
     * weight average's; null entries are skipped), the record.
     */
    void save(MultiLayerNetwork net, Checkpointable<?>... states) throws IOException;

    /** Records that {@code run} finished; {@code net} is its network after the last epoch. */
    void scheduleDone(RunResult run, MultiLayerNetwork net) throws IOException;

    /** The checkpoint file, for a training loop that writes it itself (Spark); null for {@link #NONE}. */
    Path file();

    /** The record, for a training loop that writes the checkpoint itself; null for {@link #NONE}. */
    Checkpointable<?> record();
}
