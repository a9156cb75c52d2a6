package io.github.lrschedules.examples.train;

import io.github.lrschedules.averaging.WeightAveraging;
import io.github.lrschedules.examples.data.DigitSet;
import io.github.lrschedules.examples.data.EpochIterator;
import io.github.lrschedules.examples.schedule.Averaging;
import io.github.lrschedules.examples.train.Evaluator.Measured;
import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.examples.schedule.SchedulePlan;
import io.github.lrschedules.examples.schedule.ScheduleSetup;
import io.github.lrschedules.schedulefree.ScheduleFree;
import io.github.lrschedules.weights.EvaluationWeights;
import io.github.lrschedules.plateau.Reduction;
import io.github.lrschedules.record.LearningRateRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import io.github.lrschedules.record.EpochMetricsRecorder;
import io.github.lrschedules.record.EpochMetricsReport;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.api.StatsReport;
import org.deeplearning4j.ui.model.stats.api.StatsType;
import org.deeplearning4j.ui.model.stats.impl.DefaultStatsUpdateConfiguration;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Trains one network under one schedule: same initial weights (seed) and same batches in the same order for every
 * schedule, evaluation on the held-out split and the test set after every epoch, the applied learning rate recorded
 * at every iteration; with a weight average ({@link RunSettings#averaging()}), the test set again at the averaged
 * weights after every epoch. Where the epochs run is the {@link Backend}'s business (this JVM or Spark); the trainer does
 * the same around both.
 */
public final class Trainer {

    /** Parameter whose learning rate is reported: the first layer's weights. */
    public static final String LR_KEY = "0_W";
    /** Key of the test accuracy at the averaged weights among the epoch metrics of {@code stats.dl4j}. */
    public static final String AVERAGED_TEST_ACCURACY = EpochMetricsReport.AVERAGED_TEST_ACCURACY;
    /** StatsListener reports per epoch unless RunSettings.statsEvery() says otherwise. */
    static final int STATS_PER_EPOCH = 4;

    private final PreparedData data;
    private final RunSettings settings;
    private final StatsStorageRouter stats;
    private final Progress progress;
    private final Backend backend;
    private EpochCheckpoints checkpoints = EpochCheckpoints.NONE;
    private Set<Part> leftOut = EnumSet.noneOf(Part.class);

    /**
     * What a run does around {@code net.fit}, that {@link #leavingOut(Set)} can leave out: {@code bench-overhead
     * --examples --without ...} measures what each costs. The checkpoint is left out by not calling
     * {@link #checkpointing(EpochCheckpoints)}.
     */
    public enum Part {
        /** DL4J's {@code StatsListener} (reports into the stats storage for DL4J's own UI pages). */
        STATS("stats"),
        /** The applied rates of every iteration and the test accuracy of every epoch written into the stats storage. */
        RATES("rates"),
        /** The held-out and test evaluation after every epoch (the epoch rows then hold NaN there). */
        EVALUATION("evaluation"),
        /** The listener that feeds the progress output, and the output itself. */
        PROGRESS("progress");

        private final String id;

        Part(String id) {
            this.id = id;
        }

        /** The name {@code --without} takes. */
        public String id() {
            return id;
        }
    }

    /** The last held-out measurement, for the plateau report and the epoch's row alike. */
    private MultiLayerNetwork measuredNet;
    private int measuredIteration = -1;
    private Measured measured;
    /** Measures the networks of the run being trained. */
    private Evaluator evaluator;

    /**
     * @param stats   where a {@code StatsListener} reports (session id = schedule name), or null for none; the DL4J
     *                UI can show the same router live
     * @param backend where the epochs run: {@link Backend#local(int)} or the Spark one
     */
    public Trainer(PreparedData data, RunSettings settings, StatsStorageRouter stats, Progress progress,
                   Backend backend) {
        this.data = data;
        this.settings = settings;
        this.stats = stats;
        this.progress = progress;
        this.backend = backend;
    }

    /** Saves every schedule's state after each epoch into {@code checkpoints}, and continues from what it holds. */
    public Trainer checkpointing(EpochCheckpoints checkpoints) {
        this.checkpoints = checkpoints;
        return this;
    }

    /**
     * Leaves {@code parts} out of every run: what the run's outputs then lack is the measurement's business, not a
     * user's ({@code bench-overhead} uses this; {@code compare} never does).
     */
    public Trainer leavingOut(Set<Part> parts) {
        this.leftOut = parts.isEmpty() ? EnumSet.noneOf(Part.class) : EnumSet.copyOf(parts);
        return this;
    }

    /** Mini-batches per epoch. */
    public int batchesPerEpoch() {
        return (data.trainSize() + settings.batch() - 1) / settings.batch();
    }

    /**
     * Configures every schedule for this run without training, so that one that cannot fit the run's length fails
     * before the others have trained.
     */
    public void check(List<ScheduleName> schedules) {
        EpochIterator train = EpochIterator.shuffled(data.train(), settings.batch(), settings.seed());
        for (ScheduleName schedule : schedules) {
            setup(schedule, plan(train, validationIterator()));
        }
    }

    public RunResult run(ScheduleName schedule) {
        long start = System.nanoTime();
        EpochIterator train = EpochIterator.shuffled(data.train(), settings.batch(), settings.seed());
        EpochIterator validation = validationIterator();
        SchedulePlan plan = plan(train, validation);
        ScheduleSetup setup = setup(schedule, plan);
        WeightAveraging averaging = settings.averaging() == null ? null : settings.averaging().newAverage();

        MultiLayerNetwork net = settings.model().build(setup.updater(), settings.seed(), settings.dataType(),
                settings.workspaceMode(), data.rows(), data.columns(), DigitSet.CLASSES);
        EpochCheckpoints.Continuation resumed = continuation(schedule, net);
        RunResult before = resumed == null ? null : resumed.soFar();
        if (resumed != null) {
            net = resumed.network();
            start -= (long) (before.seconds() * 1e9);
            try {
                resumed.restore(setup.plateauState(), averaging);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Progress progress = leftOut.contains(Part.PROGRESS) ? Progress.none() : this.progress;
        List<TrainingListener> displays = new ArrayList<>();
        if (stats != null && !leftOut.contains(Part.STATS)) {
            displays.add(statsListener(schedule, train.batchesPerEpoch()));
        }
        if (!leftOut.contains(Part.PROGRESS)) {
            displays.add(new ProgressListener(progress));
        }
        StatsStorageRouter records = leftOut.contains(Part.RATES) ? null : stats;
        boolean evaluate = !leftOut.contains(Part.EVALUATION);

        // Test accuracy per epoch beside the StatsListener's reports, for the Schedules page of the DL4J UI.
        EpochMetricsRecorder accuracyRecorder = records == null ? null
                : new EpochMetricsRecorder(records, schedule.id());
        progress.start(schedule.id(), plan.totalIterations(), settings.epochs());
        evaluator = new Evaluator(net, Evaluator.speeds(settings.model()));
        List<EpochStats> epochs = new ArrayList<>(before == null ? List.of() : before.epochStats());
        int steps = stepsPerEpoch(train);
        long begun = start;
        SoFar latest = new SoFar(net);
        // each epoch measured at copies of its weights: while the next epoch trains (on one thread of its own) where
        // the backend allows, else before it starts
        boolean ahead = backend.measuresWhileTraining();
        EpochMeasurement measurement = !evaluate ? null : new EpochMeasurement(net, validationIterator(),
                testIterator(), ahead ? new Evaluator(net, false) : evaluator);
        Backend.EpochEnd epochEnd = (trained, epoch, rows, trainSeconds) -> {
            latest.net = trained;
            latest.rows = rows;
            double[] scores = rows.scores();
            double trainLoss = mean(Arrays.copyOfRange(scores, Math.max(0, scores.length - steps), scores.length));
            double[] lr = rows.learningRates(LR_KEY);
            double seconds = (System.nanoTime() - begun) / 1e9;
            boolean diverged = !Double.isFinite(trainLoss);
            RowArrays rowsNow = new RowArrays(rows, setup);
            // what the epoch's row needs from the measurements, then the rest: the row, the records, the progress
            Function<Measured[], RunResult> finish = m -> {
                Measured val = m[0];
                Measured tst = m[1];
                Measured avg = m[2];
                Double averaged = avg == null ? null : avg.accuracy;
                EpochStats stats = new EpochStats(epoch, lr[lr.length - 1], trainLoss, val.loss, val.accuracy,
                        tst.loss, tst.accuracy, seconds, trainSeconds, avg == null ? null : avg.loss, averaged);
                epochs.add(stats);
                if (accuracyRecorder != null && tst.accuracy >= 0 && tst.accuracy <= 1) {
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    metrics.put(EpochMetricsReport.TEST_ACCURACY, tst.accuracy);
                    if (averaged != null && averaged >= 0 && averaged <= 1) {
                        metrics.put(AVERAGED_TEST_ACCURACY, averaged);
                    }
                    accuracyRecorder.record(epoch, metrics);
                }
                progress.epoch(stats);
                return result(schedule, setup, steps, rowsNow, before, epochs, begun, -1);
            };
            RunResult soFar;
            if (measurement == null) {
                soFar = finish.apply(new Measured[] {Measured.NONE, Measured.NONE,
                        averaging == null ? null : Measured.NONE});
            } else {
                EpochMeasurement.Weights weights = weightsOf(schedule, trained, averaging, validation);
                if (ahead && !diverged) {
                    checkpoints.epochDone(measurement.submit(weights, finish, checkpoints));
                    return true;
                }
                measurement.await();
                soFar = finish.apply(measurement.measure(weights));
            }
            if (diverged) {
                latest.diverged = epoch;
                return false;
            }
            checkpoints.epochDone(soFar);
            return true;
        };
        Backend.Epochs work = new Backend.Epochs(net, setup, train, epochs.size(), settings.epochs(), displays, records,
                schedule.id(), checkpoints, resumed != null,
                trained -> validation == null ? Double.NaN : validation(trained, validation).loss, epochEnd,
                averaging);
        try {
            if (epochs.size() < settings.epochs()) {
                LearningRateRows rows = backend.train(work);
                if (latest.rows == null) {
                    latest.rows = rows;
                }
            }
            if (measurement != null) {
                measurement.await();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (measurement != null) {
                measurement.close();
            }
            progress.finish();
            evaluator.close();
        }
        RunResult result = result(schedule, setup, steps, latest.rows == null ? null : new RowArrays(latest.rows, setup),
                before, epochs, start, latest.diverged);
        try {
            checkpoints.scheduleDone(result, latest.net);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    private RunResult result(ScheduleName schedule, ScheduleSetup setup, int stepsPerEpoch, RowArrays recorder,
                             RunResult before, List<EpochStats> epochs, long start, int diverged) {
        // A continued run's local recorder holds the rows since the checkpoint, and the saved run the rows before;
        // the Spark loop's rows are all of them. No rows: no epoch trained in this process.
        RunResult earlier = recorder != null && backend.rowsIncludeResumedEpochs() ? null : before;
        RowArrays rows = recorder == null ? RowArrays.NONE : recorder;
        return new RunResult(schedule, setup.description(), stepsPerEpoch,
                Rows.join(earlier == null ? null : earlier.iterations(), rows.iterations),
                Rows.join(earlier == null ? null : earlier.epochs(), rows.epochs),
                Rows.join(earlier == null ? null : earlier.learningRates(), rows.rates),
                Rows.join(earlier == null ? null : earlier.losses(), rows.losses), new ArrayList<>(epochs),
                rows.reductions, (System.nanoTime() - start) / 1e9, settings.target(), diverged);
    }

    /** The recorded rows and the plateau's reductions at one moment, for a record completed later. */
    private static final class RowArrays {
        static final RowArrays NONE = new RowArrays();
        final int[] iterations;
        final int[] epochs;
        final double[] rates;
        final double[] losses;
        final List<Reduction> reductions;

        private RowArrays() {
            iterations = new int[0];
            epochs = new int[0];
            rates = new double[0];
            losses = new double[0];
            reductions = List.of();
        }

        RowArrays(LearningRateRows rows, ScheduleSetup setup) {
            iterations = rows.iterations();
            epochs = rows.epochs();
            rates = rows.learningRates(LR_KEY);
            losses = rows.scores();
            reductions = setup.plateau() == null ? List.of() : List.copyOf(setup.plateau().history());
        }
    }

    /**
     * Copies of the weights the epoch is measured at: the network's (schedule-free updaters train at y and are
     * evaluated at their average x, as the authors evaluate), the weight average's (BatchNorm statistics recomputed
     * over the training images there, PyTorch's {@code update_bn}; none while there is no average yet: SWA before its
     * start), and the held-out measurement if the plateau listener took it already.
     */
    private EpochMeasurement.Weights weightsOf(ScheduleName schedule, MultiLayerNetwork trained,
                                               WeightAveraging averaging, EpochIterator validation) {
        INDArray at;
        Measured heldOut;
        try (ScheduleFree.EvaluationWeights atX = schedule.scheduleFree() && !backend.installsEvaluationWeights()
                ? ScheduleFree.evaluationWeights(trained) : null) {
            at = trained.params().dup();
            heldOut = validation == null ? Measured.NONE : isMeasured(trained) ? measured : null;
        }
        INDArray average = null;
        if (averaging != null && averaging.updates() > 0) {
            try (EvaluationWeights weights = averaging.evaluationWeights(trained)) {
                if (hasBatchNorm(trained)) {
                    weights.recomputeBatchNormStatistics(EpochIterator.sequential(data.train(),
                            settings.evaluationBatch()));
                }
                average = trained.params().dup();
            }
        }
        return new EpochMeasurement.Weights(at, heldOut, averaging != null, average);
    }

    private EpochCheckpoints.Continuation continuation(ScheduleName schedule, MultiLayerNetwork fresh) {
        try {
            return checkpoints.continuation(schedule, fresh);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schedule's setup for {@code plan}, with the weight average's change to it (SWA's rate), if any. */
    private ScheduleSetup setup(ScheduleName schedule, SchedulePlan plan) {
        ScheduleSetup setup = schedule.setup(plan);
        Averaging averaging = settings.averaging();
        return averaging == null ? setup : averaging.apply(setup, plan);
    }

    private static boolean hasBatchNorm(MultiLayerNetwork net) {
        for (Layer layer : net.getLayers()) {
            if (layer instanceof BatchNormalization) {
                return true;
            }
        }
        return false;
    }

    private SchedulePlan plan(EpochIterator train, EpochIterator validation) {
        SchedulePlan plan = new SchedulePlan(settings, stepsPerEpoch(train), validation);
        return backend.reportsValidation() ? plan.reportingValidationLoss() : plan;
    }

    /** ITERATION steps per epoch: the mini-batches, or under Spark the averaging rounds times the frequency. */
    private int stepsPerEpoch(EpochIterator train) {
        return backend.stepsPerEpoch(train.batchesPerEpoch());
    }

    private EpochIterator testIterator() {
        return EpochIterator.sequential(data.test(), settings.evaluationBatch());
    }

    private EpochIterator validationIterator() {
        return data.validation() == null ? null : EpochIterator.sequential(data.validation(),
                settings.evaluationBatch());
    }

    /** The held-out measurement of {@code net} now, measured once per network state. */
    private Measured validation(MultiLayerNetwork net, DataSetIterator validation) {
        if (!isMeasured(net)) {
            remember(net, measure(net, validation));
        }
        return measured;
    }

    /** True if {@link #measured} is the held-out measurement of {@code net} in its present state. */
    private boolean isMeasured(MultiLayerNetwork net) {
        return measuredNet == net && measuredIteration == net.getIterationCount();
    }

    private void remember(MultiLayerNetwork net, Measured heldOut) {
        measured = heldOut;
        measuredNet = net;
        measuredIteration = net.getIterationCount();
    }

    private Measured measure(MultiLayerNetwork net, DataSetIterator data) {
        return evaluator.measure(net, data)[0];
    }

    /**
     * What DL4J's own UI pages draw and nothing more: scores, learning rates, memory, garbage collection, parameter and
     * update mean magnitudes (the overview's update:parameter ratios, the model page), the updates' standard deviation
     * (the overview's chart, computed by {@link CompareStatsListener}); no histograms, and no mean or standard deviation
     * of the parameters or mean of the updates, which no page reads. FileStatsStorage commits every report to disk,
     * which costs more than an MLP iteration; hence reports every few iterations (the exact per-iteration curves are in
     * metrics.csv).
     */
    private StatsListener statsListener(ScheduleName schedule, int batchesPerEpoch) {
        return new CompareStatsListener(stats, statsConfiguration(settings.statsEvery() > 0 ? settings.statsEvery()
                : Math.max(1, batchesPerEpoch / STATS_PER_EPOCH)), schedule.id());
    }

    /** What DL4J's {@code StatsListener} collects itself, a report every {@code every} iterations. */
    static DefaultStatsUpdateConfiguration statsConfiguration(int every) {
        return new DefaultStatsUpdateConfiguration.Builder()
                .reportingFrequency(every)
                .collectLearningRates(true)
                .collectHistogramsParameters(false)
                .collectHistogramsGradients(false)
                .collectHistogramsUpdates(false)
                .collectHistogramsActivations(false)
                .collectMeanParameters(false)
                .collectStdevParameters(false)
                .collectMeanUpdates(false)
                .collectStdevUpdates(false)
                .collectMeanGradients(false)
                .collectStdevGradients(false)
                .collectMeanMagnitudesGradients(false)
                .collectMeanActivations(false)
                .collectStdevActivations(false)
                .collectMeanMagnitudesActivations(false)
                .build();
    }

    /**
     * DL4J's {@code StatsListener} as {@code compare} reports with it: initialized once per run, and the updates'
     * standard deviation computed from two fast reductions.
     *
     * <p>{@code BaseStatsListener} initializes (model and hardware information, 20-30 ms for the MLP) whenever its last
     * iteration seen is 0, so a run from iteration 0 initializes at iteration 0 and again at 1. Where reports come
     * every few iterations iteration 0 reports nothing, so this listener starts at iteration 1: one initialization,
     * the same reports (its examples/s count the first batch out).
     *
     * <p>ND4J's standard deviation ({@code stdNumber}, the summary-statistics op) took 90% of a report: about 3.5 ms for
     * the MLP's updates, a third of a training iteration. Here it is {@code sqrt((sum(x^2) - n mean^2) / (n - 1))} from
     * a sum and a norm-2, DL4J's bias-corrected estimate within float32 rounding (relative 1e-4 on the MLP's updates),
     * put into the report DL4J builds.
     */
    static final class CompareStatsListener extends StatsListener {
        private final int every;
        /** The updates' standard deviations for the report being built, or null. */
        private Map<String, Double> updateStdev;

        CompareStatsListener(StatsStorageRouter router, DefaultStatsUpdateConfiguration update, String session) {
            super(router, null, update, session, "0");
            this.every = update.reportingFrequency();
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            if (iteration == 0 && every > 1) {
                return;
            }
            // when BaseStatsListener reports
            boolean reports = every <= 1 || iteration % every == 0;
            updateStdev = reports && model.gradient() != null ? stdev(model.gradient().gradientForVariable()) : null;
            try {
                super.iterationDone(model, iteration, epoch);
            } finally {
                updateStdev = null;
            }
        }

        @Override
        public StatsReport getNewStatsReport() {
            StatsReport report = super.getNewStatsReport();
            if (updateStdev != null) {
                report.reportStdev(StatsType.Updates, updateStdev);
            }
            return report;
        }

        /** Bias-corrected standard deviation of each array (0 for fewer than 2 values). */
        static Map<String, Double> stdev(Map<String, INDArray> arrays) {
            Map<String, Double> out = new LinkedHashMap<>();
            for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
                INDArray a = e.getValue();
                long n = a.length();
                if (n < 2) {
                    out.put(e.getKey(), 0.0);
                    continue;
                }
                double mean = a.sumNumber().doubleValue() / n;
                double norm2 = a.norm2Number().doubleValue();
                double variance = (norm2 * norm2 - n * mean * mean) / (n - 1);
                out.put(e.getKey(), Math.sqrt(Math.max(variance, 0.0)));
            }
            return out;
        }
    }

    /** What the epochs of a run gave so far: the latest network and rows, and the epoch that diverged (-1: none). */
    private static final class SoFar {
        MultiLayerNetwork net;
        LearningRateRows rows;
        int diverged = -1;

        SoFar(MultiLayerNetwork net) {
            this.net = net;
        }
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return values.length == 0 ? Double.NaN : sum / values.length;
    }

    /** Feeds the progress display from the training loop. */
    private static final class ProgressListener extends BaseTrainingListener {
        private final Progress progress;
        private int done;

        ProgressListener(Progress progress) {
            this.progress = progress;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            done++;
            MultiLayerNetwork net = (MultiLayerNetwork) model;
            // the updater DL4J trains the parameter with, as the library's recorder reads it (NoOp for a frozen layer)
            IUpdater updater = net.getLayer(0).getConfig().getUpdaterByParam("W");
            double lr = updater.hasLearningRate() ? updater.getLearningRate(iteration, epoch) : Double.NaN;
            progress.step(done, epoch, model.score(), lr);
        }
    }
}
