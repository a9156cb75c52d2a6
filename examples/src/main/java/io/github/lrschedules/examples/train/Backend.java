package io.github.lrschedules.examples.train;

import io.github.lrschedules.averaging.WeightAveraging;
import io.github.lrschedules.examples.schedule.ScheduleSetup;
import io.github.lrschedules.examples.data.EpochIterator;
import io.github.lrschedules.record.LearningRateRows;
import java.io.IOException;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;

/**
 * Where the epochs of a {@link Trainer} run: in this JVM ({@link #local(int)}), or on Spark
 * ({@code io.github.lrschedules.examples.spark.SparkBackend}, which alone loads Spark's classes). The trainer does
 * the same around both: builds the network, evaluates after every epoch, keeps the record; the backend fits the
 * epochs, records the applied learning rates and writes the checkpoint.
 */
public interface Backend extends AutoCloseable {

    /** Trains the run's MLP as a SameDiff graph in this JVM (see {@link SameDiffBackend}). */
    static Backend sameDiff(RunSettings settings) {
        return new SameDiffBackend(settings);
    }

    /** Trains in this JVM, with {@code prefetch} mini-batches loaded ahead on another thread (0: none). */
    static Backend local(int prefetch) {
        return new LocalBackend(prefetch);
    }

    /** ITERATION steps of one epoch of {@code batches} mini-batches: the schedules are sized with it. */
    int stepsPerEpoch(int batches);

    /**
     * True if the plateau listener is fed the held-out loss measured by the trainer ({@code report}) rather than
     * measuring it itself as a listener of the network (which never trains on the driver under Spark).
     */
    boolean reportsValidation();

    /** One line for the run's settings, or null to say nothing. */
    String description(int batches);

    /**
     * Fits the epochs of {@code run}, calling {@link Epochs#epochEnd} after each, and writes a checkpoint after each
     * but the last (the trainer records the finished schedule itself).
     *
     * @return the rows recorded; see {@link #rowsIncludeResumedEpochs()}
     */
    LearningRateRows train(Epochs run) throws IOException;

    /**
     * True if the network handed to {@link EpochEnd#epochDone} already holds a schedule-free run's evaluation weights
     * (the SameDiff backend copies them from its graph); false if the trainer opens them on the network.
     */
    default boolean installsEvaluationWeights() {
        return false;
    }

    /**
     * True if the trainer may measure an epoch on another thread while the next one trains: the backend trains in
     * this JVM and writes its checkpoints with {@link EpochCheckpoints#save}, which waits for the epoch's record off the
     * training thread. False: every epoch is measured before the next starts.
     */
    default boolean measuresWhileTraining() {
        return false;
    }

    /** True if the rows {@link #train} returns include those of the epochs before a resume. */
    boolean rowsIncludeResumedEpochs();

    /** Releases what the backend started (nothing for the local one). */
    @Override
    void close();

    /** Called after each epoch; false stops training (the loss diverged). */
    @FunctionalInterface
    interface EpochEnd {
        /**
         * @param net   the network after the epoch (under Spark the driver's, parameters averaged)
         * @param epoch the epoch just trained, from 0 as DL4J counts it
         * @param rows  the applied learning rates so far
         * @param trainSeconds seconds the epoch's fit took (under Spark: since the previous epoch was evaluated)
         */
        boolean epochDone(MultiLayerNetwork net, int epoch, LearningRateRows rows, double trainSeconds)
                throws IOException;
    }

    /** What one schedule trains: the work order the trainer gives a backend. */
    final class Epochs {
        final MultiLayerNetwork network;
        final ScheduleSetup setup;
        final EpochIterator train;
        final int firstEpoch;
        final int epochs;
        final List<TrainingListener> displays;
        final StatsStorageRouter stats;
        final String sessionId;
        final EpochCheckpoints checkpoints;
        final boolean resumed;
        final ToDoubleFunction<MultiLayerNetwork> validationLoss;
        final EpochEnd epochEnd;
        final WeightAveraging averaging;

        Epochs(MultiLayerNetwork network, ScheduleSetup setup, EpochIterator train, int firstEpoch, int epochs,
               List<TrainingListener> displays, StatsStorageRouter stats, String sessionId,
               EpochCheckpoints checkpoints, boolean resumed, ToDoubleFunction<MultiLayerNetwork> validationLoss,
               EpochEnd epochEnd, WeightAveraging averaging) {
            this.network = network;
            this.setup = setup;
            this.train = train;
            this.firstEpoch = firstEpoch;
            this.epochs = epochs;
            this.displays = List.copyOf(displays);
            this.stats = stats;
            this.sessionId = sessionId;
            this.checkpoints = checkpoints;
            this.resumed = resumed;
            this.validationLoss = validationLoss;
            this.epochEnd = epochEnd;
            this.averaging = averaging;
        }

        /** The network to train (restored from the checkpoint when {@link #resumed()}). */
        public MultiLayerNetwork network() {
            return network;
        }

        /** The schedule's updater and plateau listener. */
        public ScheduleSetup setup() {
            return setup;
        }

        /** The training batches: {@code startEpoch(e)} gives epoch {@code e}'s order. */
        public EpochIterator train() {
            return train;
        }

        /** The first epoch to train, from 0 (after a resume, the one after the last saved epoch). */
        public int firstEpoch() {
            return firstEpoch;
        }

        /** The epochs of the whole run, resumed ones included. */
        public int epochs() {
            return epochs;
        }

        /** Listeners that only show progress (StatsListener, progress bar), for a backend that trains here. */
        public List<TrainingListener> displays() {
            return displays;
        }

        /** Where the applied rates go as StatsListener reports (session {@link #sessionId()}), or null. */
        public StatsStorageRouter stats() {
            return stats;
        }

        public String sessionId() {
            return sessionId;
        }

        public EpochCheckpoints checkpoints() {
            return checkpoints;
        }

        /** True if this schedule continues from the checkpoint. */
        public boolean resumed() {
            return resumed;
        }

        /** The held-out loss of a network (what the plateau schedule monitors); NaN without a held-out split. */
        public ToDoubleFunction<MultiLayerNetwork> validationLoss() {
            return validationLoss;
        }

        public EpochEnd epochEnd() {
            return epochEnd;
        }

        /**
         * The weight average to keep ({@code compare --average}; restored from the checkpoint when {@link #resumed()}),
         * updated before {@link #epochEnd()} is called and saved with every checkpoint; null for none.
         */
        public WeightAveraging averaging() {
            return averaging;
        }
    }
}
