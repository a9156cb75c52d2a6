package io.github.lrschedules.spark;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import io.github.lrschedules.checkpoint.Checkpoint;
import io.github.lrschedules.checkpoint.Checkpointable;
import io.github.lrschedules.averaging.WeightAveraging;
import io.github.lrschedules.plateau.GreedyLrListener;
import io.github.lrschedules.plateau.MetricRuleListener;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.record.LearningRateRows;
import io.github.lrschedules.internal.Args;
import io.github.lrschedules.lrfree.LearningRateFree;
import io.github.lrschedules.internal.Networks;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@code SparkDl4jMultiLayer} or {@code SparkComputationGraph} epoch by epoch with parameter averaging, and
 * does on the driver what listeners cannot do on Spark workers: the plateau decision, the record of the learning
 * rates the workers applied, and a checkpoint after every epoch.
 *
 * <p>Each epoch: {@code fit(rdd)}; append the learning rates of the steps the fit advanced
 * ({@link AppliedLearningRates}: the workers start at the driver's counts, so step {@code i} of the fit ran with
 * {@code getLearningRate(i, epoch)}); measure the {@link SparkMetric} on the driver; {@code plateau.report(network,
 * metric)}, whose {@code ScaledSchedule} the next fit's broadcast carries to the workers; call the
 * {@link EpochHook} ({@link Builder#onEpochEnd}); write the CSV and the {@code StatsStorage} reports; write the
 * checkpoint, a {@link Checkpoint}: the model with its updater state, the plateau state, the loop's own state
 * (key {@value #STATE_KEY}) and the caller's {@link Builder#checkpointState states}, in one zip written in one pass
 * and moved into place only once complete. A loop built with the same checkpoint file after the driver was killed
 * restores all of them and continues with the same learning rates and plateau decisions.
 *
 * <pre>{@code
 * SparkTrainingLoop loop = SparkTrainingLoop.builder(sparkNet)          // ParameterAveragingTrainingMaster
 *         .epochs(30)
 *         .plateau(plateau, SparkMetric.validationLoss(validationRdd))  // plateau built with reported(MIN)
 *         .checkpoint(Paths.get("run/checkpoint.zip"))
 *         .learningRateCsv(Paths.get("run/learning-rates.csv"))
 *         .onEpochEnd((network, epoch, metric, rates) -> log.info("epoch {}: {}", epoch, metric))
 *         .build();
 * SparkTrainingLoop.Result result = loop.fit(trainRdd);
 * }</pre>
 *
 * <p>Errors it turns from Spark stack traces into messages: a training master other than
 * {@code ParameterAveragingTrainingMaster} ({@code SharedTrainingMaster} with the reason), a listener for the
 * workers that is not serializable (or that only makes sense on the driver), Direct mode with a
 * {@code rddDataSetNumExamples} that the data do not have. After the first epoch, when the steps an epoch advances
 * are known, it logs one warning per schedule that does not reach its final value by the end of the run, with both
 * numbers ({@link Result#horizonWarnings()}).
 *
 * <p>Not thread-safe; one loop drives one network.
 */
public final class SparkTrainingLoop {

    /** Key of the loop's state among the objects of the checkpoint zip. */
    public static final String STATE_KEY = "sparkTrainingLoop";

    private static final Logger log = LoggerFactory.getLogger(SparkTrainingLoop.class);

    private final SparkNet net;
    private final ParameterAveragingTrainingMaster master;
    private final int epochs;
    private final MetricRuleListener plateau;
    private final Checkpointable<?> plateauState;
    private final SparkMetric metric;
    private final Path checkpoint;
    private final boolean resumeFromCheckpoint;
    private final Path learningRateCsv;
    private final StatsStorageRouter statsStorage;
    private final String sessionId;
    private final List<EpochHook> hooks;
    private final List<Checkpointable<?>> checkpointStates;

    /**
     * Called on the driver after each epoch's fit, metric and plateau decision, before the checkpoint is written (so
     * what the hook changes in a {@link Builder#checkpointState checkpoint state} is saved with that epoch).
     */
    @FunctionalInterface
    public interface EpochHook {
        /**
         * @param network      the driver's network, with the averaged parameters and the plateau decision applied
         * @param epoch        the epoch just finished, as DL4J counts it (from 0: the network's epoch count during
         *                     its fit)
         * @param metric       the monitored metric after the epoch (NaN without a metric)
         * @param learningRates the rates the workers applied, every step so far (of a resumed run too)
         * @throws IOException to stop the loop; the checkpoint of this epoch is then not written
         */
        void epochEnd(Model network, int epoch, double metric, LearningRateRows learningRates) throws IOException;
    }

    private SparkTrainingLoop(Builder b) {
        this.net = b.net;
        this.master = b.master;
        this.epochs = b.epochs;
        this.plateau = b.plateau;
        this.plateauState = b.plateauState;
        this.metric = b.metric;
        this.checkpoint = b.checkpoint;
        this.resumeFromCheckpoint = b.resumeFromCheckpoint;
        this.learningRateCsv = b.learningRateCsv;
        this.statsStorage = b.statsStorage;
        this.sessionId = b.sessionId;
        this.hooks = List.copyOf(b.hooks);
        this.checkpointStates = List.copyOf(b.checkpointStates);
        List<TrainingListener> workers = b.workerListeners == null ? new ArrayList<>()
                : new ArrayList<>(b.workerListeners);
        if (LearningRateFree.usesLearningRateFree(net.network())) {
            if (net.trainingMaster() instanceof ParameterAveragingTrainingMaster
                    && !((ParameterAveragingTrainingMaster) net.trainingMaster()).isSaveUpdater()) {
                throw new IllegalArgumentException("the network trains with Prodigy, DAdaptAdam or Dog, whose step-size"
                        + " estimate lives in the updater state, and the ParameterAveragingTrainingMaster drops that"
                        + " state after every averaging round (saveUpdater is false): every round would start again"
                        + " from estimatedLr0. Build the training master with .saveUpdater(true) (DL4J's builder"
                        + " defaults to false)");
            }
            // Prodigy and DoG need the parameters before every step of every worker (LearningRateFree.attach)
            if (workers.stream().noneMatch(LearningRateFree::isParameterListener)) {
                workers.add(LearningRateFree.parameterListener());
            }
        }
        if (b.workerListeners != null || !workers.isEmpty()) {
            net.setListeners(workers);
        }
    }

    /** A loop for a {@code SparkDl4jMultiLayer} (its training master must be parameter averaging). */
    public static Builder builder(SparkDl4jMultiLayer network) {
        return new Builder(SparkNet.of(Args.notNull("network", network)));
    }

    /** A loop for a {@code SparkComputationGraph} (its training master must be parameter averaging). */
    public static Builder builder(SparkComputationGraph graph) {
        return new Builder(SparkNet.of(Args.notNull("graph", graph)));
    }

    /**
     * Trains until the network has done {@link Builder#epochs(int)} epochs of this loop, resuming from the checkpoint
     * if its file exists.
     *
     * @return what was trained and recorded, including the epochs of an earlier run that was resumed
     * @throws IOException if the checkpoint or the CSV cannot be written or read
     */
    public Result fit(JavaRDD<DataSet> trainingData) throws IOException {
        Args.notNull("trainingData", trainingData);
        State state = checkpoint != null && resumeFromCheckpoint && Files.isRegularFile(checkpoint) ? resume()
                : new State();
        if (SparkChecks.directMode(master) && state.completedEpochs < epochs) {
            checkDirectMode(trainingData);
        }
        List<String> warnings = new ArrayList<>();
        boolean first = true;
        while (state.completedEpochs < epochs) {
            Model model = net.network();
            int fromIteration = Networks.iterationCount(model);
            int epoch = Networks.epochCount(model);
            fitOnce(trainingData);
            model = net.network();
            int toIteration = Networks.iterationCount(model);
            state.record.recordFit(model, fromIteration, toIteration, epoch, net.score());
            if (first) {
                int remaining = epochs - state.completedEpochs;
                int steps = toIteration - fromIteration;
                String run = remaining + " epochs of " + steps + " steps from iteration " + fromIteration
                        + " and epoch " + epoch + "; one step is one averaging round";
                warnings.addAll(SparkChecks.horizonWarnings(model, fromIteration + remaining * steps,
                        epoch + remaining, run));
                for (String w : warnings) {
                    log.warn(w);
                }
                first = false;
            }
            double value = metric == null ? Double.NaN : metric.measure(net);
            state.metrics = Arrays.copyOf(state.metrics, state.metrics.length + 1);
            state.metrics[state.metrics.length - 1] = value;
            if (plateau != null) {
                plateau.report(model, value);
            }
            state.completedEpochs++;
            for (EpochHook hook : hooks) {
                hook.epochEnd(model, epoch, value, state.record);
            }
            if (statsStorage != null) {
                state.record.writeTo(statsStorage, sessionId, "driver", state.storageStartMillis, state.rowsInStorage);
                state.rowsInStorage = state.record.size();
            }
            if (learningRateCsv != null) {
                state.record.writeCsv(learningRateCsv);
            }
            if (checkpoint != null) {
                writeCheckpoint(model, state);
            }
        }
        return new Result(state.completedEpochs, state.metrics, state.record, warnings);
    }

    private void fitOnce(JavaRDD<DataSet> trainingData) {
        try {
            net.fit(trainingData);
        } catch (Exception e) {
            // Spark throws its checked SparkException through Scala code that declares nothing.
            SparkException spark = findCause(e, SparkException.class);
            if (spark != null && String.valueOf(spark.getMessage()).contains("Task not serializable")) {
                throw new IllegalArgumentException("Spark could not serialize what it ships to the workers: "
                        + "every listener given to setListeners (or workerListeners) runs on the workers and must "
                        + "be Serializable, and so must the functions that built the RDD. Spark says: "
                        + rootMessage(spark), e);
            }
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new IllegalStateException("Spark training failed: " + e, e);
        }
    }

    private void checkDirectMode(JavaRDD<DataSet> trainingData) {
        int expected = master.getRddDataSetNumExamples();
        int actual = trainingData.first().numExamples();
        if (actual != expected) {
            throw new IllegalArgumentException("the training master runs in Direct mode with rddDataSetNumExamples ("
                    + expected + "), but the first DataSet of the RDD holds " + actual + " examples: in Direct mode "
                    + "ParameterAveragingTrainingMaster.Builder(n) must equal the examples per DataSet, or the "
                    + "rounds are cut wrong and only one task trains");
        }
    }

    private State resume() throws IOException {
        File zip = checkpoint.toFile();
        if (!Checkpoint.keys(checkpoint).contains(STATE_KEY)) {
            throw new IllegalArgumentException("checkpoint (" + checkpoint + ") holds no " + STATE_KEY + " state: it was "
                    + "not written by SparkTrainingLoop; delete it or give another file");
        }
        net.restore(zip);
        if (plateau != null) {
            Checkpoint.restore(checkpoint, plateauState);
        }
        Checkpoint.restore(checkpoint, checkpointStates.toArray(new Checkpointable<?>[0]));
        State state = Checkpoint.object(checkpoint, STATE_KEY, State.class);
        log.info("resuming from {} after epoch {} of {} (iteration {})", checkpoint, state.completedEpochs, epochs,
                Networks.iterationCount(net.network()));
        return state;
    }

    private void writeCheckpoint(Model model, State state) throws IOException {
        Checkpoint.Builder written = Checkpoint.of(model).object(STATE_KEY, state);
        if (plateau != null) {
            written.state(plateauState);
        }
        for (Checkpointable<?> extra : checkpointStates) {
            written.state(extra);
        }
        written.write(checkpoint);
    }

    private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(t.getMessage()).split("\n")[0] + (root == t ? "" : " (" + root + ")");
    }

    /** What the loop keeps in its checkpoint besides the model and the plateau state. */
    static final class State implements Serializable {
        private static final long serialVersionUID = 1L;
        int completedEpochs;
        double[] metrics = new double[0];
        AppliedLearningRates record = new AppliedLearningRates();
        int rowsInStorage;
        long storageStartMillis = System.currentTimeMillis();
    }

    /** The outcome of {@link #fit(JavaRDD)}. */
    public static final class Result {
        private final int epochs;
        private final double[] metrics;
        private final AppliedLearningRates learningRates;
        private final List<String> horizonWarnings;

        Result(int epochs, double[] metrics, AppliedLearningRates learningRates, List<String> horizonWarnings) {
            this.epochs = epochs;
            this.metrics = metrics.clone();
            this.learningRates = learningRates;
            this.horizonWarnings = Collections.unmodifiableList(new ArrayList<>(horizonWarnings));
        }

        /** Epochs trained by this loop, those of a resumed earlier run included. */
        public int epochs() {
            return epochs;
        }

        /** The monitored metric after each epoch (NaN without a metric), a copy. */
        public double[] metrics() {
            return metrics.clone();
        }

        /** The learning rates the workers applied, one row per step. */
        public AppliedLearningRates learningRates() {
            return learningRates;
        }

        /** The horizon warnings logged after the first epoch of this fit (empty if every schedule fits). */
        public List<String> horizonWarnings() {
            return horizonWarnings;
        }
    }

    /** Builds a {@link SparkTrainingLoop}; only {@link #epochs(int)} is required. */
    public static final class Builder {
        private final SparkNet net;
        private final ParameterAveragingTrainingMaster master;
        private int epochs;
        private MetricRuleListener plateau;
        private Checkpointable<?> plateauState;
        private SparkMetric metric;
        private Path checkpoint;
        private boolean resumeFromCheckpoint = true;
        private Path learningRateCsv;
        private StatsStorageRouter statsStorage;
        private String sessionId;
        private List<TrainingListener> workerListeners;
        private final List<EpochHook> hooks = new ArrayList<>();
        private final List<Checkpointable<?>> checkpointStates = new ArrayList<>();
        private WeightAveraging averaging;

        private Builder(SparkNet net) {
            this.net = net;
            this.master = SparkChecks.parameterAveraging(net.trainingMaster());
        }

        /** The number of epochs the network trains in all, resumed epochs included; {@code > 0}. */
        public Builder epochs(int epochs) {
            this.epochs = Args.positive("epochs", epochs);
            return this;
        }

        /**
         * Lowers the learning rate on a plateau of {@code metric}, decided on the driver after every epoch. Build
         * {@code plateau} with {@code reported(metric.mode())}; its decisions reach the workers with the next fit.
         */
        public Builder plateau(ReduceLROnPlateauListener plateau, SparkMetric metric) {
            return rule(Args.notNull("plateau", plateau), plateau, metric);
        }

        /**
         * Applies Hugging Face's GreedyLR rule to {@code metric} on the driver after every epoch, as
         * {@link #plateau} does the plateau rule (instead of it): build {@code greedy} with
         * {@code reported(metric.mode())}; its decisions reach the workers with the next fit, its state rides in the
         * checkpoint.
         */
        public Builder greedy(GreedyLrListener greedy, SparkMetric metric) {
            return rule(Args.notNull("greedy", greedy), greedy, metric);
        }

        private Builder rule(MetricRuleListener rule, Checkpointable<?> state, SparkMetric metric) {
            if (this.plateau != null) {
                throw new IllegalArgumentException("a learning-rate rule is already set (" + this.plateau
                        + "): give plateau(...) or greedy(...), once");
            }
            this.metric = Args.notNull("metric", metric);
            this.plateau = rule;
            this.plateauState = state;
            return this;
        }

        /** Measures {@code metric} after every epoch ({@link Result#metrics()}) without a plateau listener. */
        public Builder monitor(SparkMetric metric) {
            this.metric = Args.notNull("metric", metric);
            return this;
        }

        /** Writes a checkpoint zip after every epoch, and resumes from it when the file exists. */
        public Builder checkpoint(Path modelZip) {
            this.checkpoint = Args.notNull("checkpoint", modelZip);
            return this;
        }

        /**
         * Writes a checkpoint zip after every epoch; resumes from it when the file exists only if {@code resume},
         * else trains the network as given and replaces the file after the first epoch (for a caller whose file
         * holds another run's checkpoint until then).
         */
        public Builder checkpoint(Path modelZip, boolean resume) {
            this.checkpoint = Args.notNull("checkpoint", modelZip);
            this.resumeFromCheckpoint = resume;
            return this;
        }

        /**
         * Calls {@code hook} on the driver after every epoch (hooks run in the order given): after the fit, the
         * metric and the plateau decision, before the checkpoint.
         */
        public Builder onEpochEnd(EpochHook hook) {
            hooks.add(Args.notNull("hook", hook));
            return this;
        }

        /**
         * Saves {@code state} in every checkpoint of the loop and restores it from the checkpoint when the loop
         * resumes, before the first epoch it trains (a caller's record of the run, a listener of its own); requires
         * {@link #checkpoint(Path)}. Its key must differ from {@value #STATE_KEY} and from the plateau listener's.
         */
        public Builder checkpointState(Checkpointable<?> state) {
            Args.notNull("state", state);
            String key = state.checkpointKey();
            if (STATE_KEY.equals(key) || ReduceLROnPlateauListener.STATE_KEY.equals(key)
                    || GreedyLrListener.STATE_KEY.equals(key)) {
                throw new IllegalArgumentException("checkpointState key (" + key + ") is taken by the loop itself;"
                        + " choose another");
            }
            for (Checkpointable<?> other : checkpointStates) {
                if (other.checkpointKey().equals(key)) {
                    throw new IllegalArgumentException("checkpointState key (" + key + ") is given twice");
                }
            }
            checkpointStates.add(state);
            return this;
        }

        /**
         * Keeps {@code averaging} (EMA or SWA) of the driver's parameters: after every epoch's fit and plateau decision
         * the loop calls {@link WeightAveraging#epochEnded} on the driver network with the epoch that ended, and the
         * average rides in the loop's checkpoint (so it needs {@link #checkpoint(Path)} only to survive a restart).
         * Read it with {@code averaging.evaluationWeights(sparkNet.getNetwork())} after the loop.
         *
         * @throws IllegalArgumentException for an average timed by iterations ({@code everyIterations}): the driver
         *                                  sees whole epochs only
         */
        public Builder averaging(WeightAveraging averaging) {
            Args.notNull("averaging", averaging);
            if (averaging.followsIterations()) {
                throw new IllegalArgumentException("averaging (" + averaging + ") is timed by iterations, which the Spark"
                        + " driver does not see (the workers run the iterations): build it without everyIterations,"
                        + " to average after every epoch");
            }
            if (this.averaging != null) {
                throw new IllegalArgumentException("averaging is given twice");
            }
            onEpochEnd((network, epoch, metric, learningRates) -> averaging.epochEnded(network, epoch));
            this.averaging = averaging;
            return this;
        }

        /** Writes the CSV of {@code LearningRateRecorder} (the rates the workers applied) after every epoch. */
        public Builder learningRateCsv(Path file) {
            this.learningRateCsv = Args.notNull("learningRateCsv", file);
            return this;
        }

        /**
         * Writes the applied learning rates as {@code StatsListener} reports of session {@code sessionId} (worker
         * {@code "driver"}) into {@code storage} after every epoch, for the Schedules page of the DL4J UI. A resumed
         * loop continues where the checkpoint says the storage stopped, so give it the same persistent storage.
         */
        public Builder statsStorage(StatsStorageRouter storage, String sessionId) {
            this.statsStorage = Args.notNull("statsStorage", storage);
            this.sessionId = Args.notNull("sessionId", sessionId);
            return this;
        }

        /**
         * Listeners that run on the workers (each on its own copy, once per task). They must be Serializable;
         * {@code ReduceLROnPlateauListener} and {@code LearningRateRecorder} are refused with what to use instead.
         */
        public Builder workerListeners(TrainingListener... listeners) {
            Args.notNull("workerListeners", listeners);
            List<TrainingListener> list = Arrays.asList(listeners.clone());
            SparkChecks.workerListeners("workerListeners", list);
            this.workerListeners = list;
            return this;
        }

        /** Validates and builds; installs the worker listeners on the network. */
        public SparkTrainingLoop build() {
            if (epochs <= 0) {
                throw new IllegalArgumentException("epochs (" + epochs + ") must be > 0: call epochs(n)");
            }
            if (!checkpointStates.isEmpty() && checkpoint == null) {
                throw new IllegalStateException("checkpointState(...) needs checkpoint(file): without a checkpoint"
                        + " there is nowhere to save it");
            }
            if (averaging != null && checkpoint != null
                    && checkpointStates.stream().noneMatch(c -> c.checkpointKey().equals(averaging.checkpointKey()))) {
                checkpointStates.add(averaging);
            }
            return new SparkTrainingLoop(this);
        }
    }

}
