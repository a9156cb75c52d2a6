package io.github.lrschedules.examples.train;

import io.github.lrschedules.examples.data.DigitSet;
import io.github.lrschedules.examples.data.EpochIterator;
import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.examples.schedule.SchedulePlan;
import io.github.lrschedules.examples.schedule.ScheduleSetup;
import io.github.lrschedules.examples.spark.SparkTraining;
import io.github.lrschedules.spark.AppliedLearningRates;
import io.github.lrschedules.schedulefree.ScheduleFree;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.plateau.Reduction;
import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.record.LearningRateRows;
import io.github.lrschedules.internal.Networks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.github.lrschedules.record.EpochMetricsRecorder;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.impl.DefaultStatsUpdateConfiguration;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Trains one network under one schedule: same initial weights (seed) and same batches in the same order for every
 * schedule, evaluation on the held-out split and the test set after every epoch, the applied learning rate recorded
 * at every iteration.
 */
public final class Trainer {

    /** Parameter whose learning rate is reported: the first layer's weights. */
    public static final String LR_KEY = "0_W";
    /** StatsListener reports per epoch unless RunSettings.statsEvery() says otherwise. */
    static final int STATS_PER_EPOCH = 20;

    private final PreparedData data;
    private final RunSettings settings;
    private final StatsStorageRouter stats;
    private final Progress progress;
    private EpochCheckpoints checkpoints = EpochCheckpoints.NONE;
    private SparkTraining spark;

    /**
     * @param stats where a {@code StatsListener} reports (session id = schedule name), or null for none; the DL4J UI
     *              can show the same router live
     */
    public Trainer(PreparedData data, RunSettings settings, StatsStorageRouter stats, Progress progress) {
        this.data = data;
        this.settings = settings;
        this.stats = stats;
        this.progress = progress;
    }

    /** Saves every schedule's state after each epoch into {@code checkpoints}, and continues from what it holds. */
    public Trainer checkpointing(EpochCheckpoints checkpoints) {
        this.checkpoints = checkpoints;
        return this;
    }

    /**
     * Trains every epoch with DL4J's Spark training in {@code spark} instead of in this JVM: the schedules are sized
     * in averaging rounds ({@link SparkTraining#stepsPerEpoch}), the plateau listener gets the held-out loss the
     * driver measures, and the rows are the rates the workers applied, rebuilt on the driver.
     */
    public Trainer onSpark(SparkTraining spark) {
        this.spark = spark;
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
            schedule.setup(plan(train, validationIterator()));
        }
    }

    public RunResult run(ScheduleName schedule) {
        long start = System.nanoTime();
        EpochIterator train = EpochIterator.shuffled(data.train(), settings.batch(), settings.seed());
        EpochIterator validation = validationIterator();
        EpochIterator test = EpochIterator.sequential(data.test(), settings.evaluationBatch());
        SchedulePlan plan = plan(train, validation);
        ScheduleSetup setup = schedule.setup(plan);

        MultiLayerNetwork net = settings.model().build(setup.updater(), settings.seed(), settings.dataType(),
                settings.workspaceMode(), data.rows(), data.columns(), DigitSet.CLASSES);
        EpochCheckpoints.Continuation resumed = continuation(schedule, net);
        RunResult before = resumed == null ? null : resumed.soFar();
        if (resumed != null) {
            net = resumed.network();
            start -= (long) (before.seconds() * 1e9);
        }
        LearningRateRecorder recorder = new LearningRateRecorder();
        AppliedLearningRates applied = new AppliedLearningRates();
        // the rows: what the recorder sees in this JVM, or the rates the Spark workers applied
        LearningRateRows steps = spark == null ? recorder : applied;
        List<TrainingListener> listeners = new ArrayList<>();
        if (spark == null) {
            listeners.add(recorder);
            listeners.addAll(setup.listeners());
            if (stats != null) {
                listeners.add(statsListener(schedule, train.batchesPerEpoch()));
            }
            listeners.add(new ProgressListener(progress));
        }
        // under Spark the driver's network trains nothing: the workers' copies would get the listeners
        net.setListeners(listeners);
        long storageStart = System.currentTimeMillis();

        // Test accuracy per epoch beside the StatsListener's reports, for the Schedules page of the DL4J UI.
        EpochMetricsRecorder accuracyRecorder = stats == null ? null : new EpochMetricsRecorder(stats, schedule.id());
        progress.start(schedule.id(), plan.totalIterations(), settings.epochs());
        List<EpochStats> epochs = new ArrayList<>(before == null ? List.of() : before.epochStats());
        int diverged = 0;
        if (resumed != null) {
            resumed.restore(setup.plateau());
        }
        try {
            for (int epoch = epochs.size(); epoch < settings.epochs(); epoch++) {
                int firstStep = steps.size();
                train.startEpoch(epoch);
                long fitStart = System.nanoTime();
                if (spark == null) {
                    fitEpoch(net, train);
                } else {
                    net = spark.fitEpoch(net, train, applied);
                }
                double trainSeconds = (System.nanoTime() - fitStart) / 1e9;
                double[] scores = steps.scores();
                double trainLoss = mean(Arrays.copyOfRange(scores, firstStep, scores.length));
                double[] lr = steps.learningRates(LR_KEY);
                Measured val;
                Measured tst;
                // schedule-free updaters train at y and are evaluated at their average x, as the authors evaluate
                try (ScheduleFree.EvaluationWeights atX = schedule.scheduleFree() ? ScheduleFree.evaluationWeights(net) : null) {
                    val = validation == null ? Measured.NONE : measure(net, validation);
                    tst = measure(net, test);
                }
                if (spark != null && setup.plateau() != null) {
                    setup.plateau().report(net, val.loss);
                }
                if (spark != null && stats != null) {
                    applied.writeTo(this.stats, schedule.id(), "driver", storageStart, firstStep);
                }
                EpochStats stats = new EpochStats(epoch + 1, lr[lr.length - 1], trainLoss, val.loss, val.accuracy,
                        tst.loss, tst.accuracy, (System.nanoTime() - start) / 1e9, trainSeconds);
                epochs.add(stats);
                if (accuracyRecorder != null && tst.accuracy >= 0 && tst.accuracy <= 1) {
                    accuracyRecorder.recordTestAccuracy(epoch, tst.accuracy);
                }
                progress.epoch(stats);
                if (!Double.isFinite(trainLoss)) {
                    diverged = epoch + 1;
                    break;
                }
                if (epoch + 1 < settings.epochs()) {
                    saveCheckpoint(net, setup.plateau(), result(schedule, setup, train, steps, before, epochs, start,
                            diverged));
                }
            }
        } finally {
            progress.finish();
        }
        return result(schedule, setup, train, steps, before, epochs, start, diverged);
    }

    private RunResult result(ScheduleName schedule, ScheduleSetup setup, EpochIterator train,
                             LearningRateRows recorder, RunResult before, List<EpochStats> epochs, long start,
                             int diverged) {
        List<Reduction> reductions = setup.plateau() == null ? List.of()
                : setup.plateau().history();
        // A continued run's recorder holds the rows since the checkpoint; the saved run holds the rows before.
        return new RunResult(schedule, setup.description(), stepsPerEpoch(train),
                Rows.join(before == null ? null : before.iterations(), recorder.iterations()),
                Rows.join(before == null ? null : before.epochs(), recorder.epochs()),
                Rows.join(before == null ? null : before.learningRates(), recorder.learningRates(LR_KEY)),
                Rows.join(before == null ? null : before.losses(), recorder.scores()), epochs, reductions,
                (System.nanoTime() - start) / 1e9, settings.target(), diverged);
    }

    private EpochCheckpoints.Continuation continuation(ScheduleName schedule, MultiLayerNetwork fresh) {
        try {
            return checkpoints.continuation(schedule, fresh);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void saveCheckpoint(MultiLayerNetwork net, ReduceLROnPlateauListener plateau, RunResult soFar) {
        try {
            checkpoints.epochDone(net, plateau, soFar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SchedulePlan plan(EpochIterator train, EpochIterator validation) {
        SchedulePlan plan = new SchedulePlan(settings.learningRate(), settings.epochs(), stepsPerEpoch(train),
                validation, settings.plateauFactor(), settings.plateauPatience(), settings.oneCycleMax());
        return spark == null ? plan : plan.reportingValidationLoss();
    }

    /** ITERATION steps per epoch: the mini-batches, or under Spark the averaging rounds times the frequency. */
    private int stepsPerEpoch(EpochIterator train) {
        return spark == null ? train.batchesPerEpoch() : spark.stepsPerEpoch(train.batchesPerEpoch());
    }

    private EpochIterator validationIterator() {
        return data.validation() == null ? null : EpochIterator.sequential(data.validation(),
                settings.evaluationBatch());
    }

    private void fitEpoch(MultiLayerNetwork net, EpochIterator train) {
        if (settings.prefetch() <= 0) {
            net.fit(train);
            return;
        }
        AsyncDataSetIterator prefetching = new AsyncDataSetIterator(train, settings.prefetch(), true);
        try {
            net.fit(prefetching);
        } finally {
            prefetching.shutdown();
        }
    }

    /**
     * Scores, learning rates, parameter and update magnitudes, without histograms. FileStatsStorage commits every
     * report to disk, which costs more than an MLP iteration; hence reports every few iterations (the exact
     * per-iteration curves are in metrics.csv).
     */
    private StatsListener statsListener(ScheduleName schedule, int batchesPerEpoch) {
        DefaultStatsUpdateConfiguration update = new DefaultStatsUpdateConfiguration.Builder()
                .reportingFrequency(settings.statsEvery() > 0 ? settings.statsEvery()
                        : Math.max(1, batchesPerEpoch / STATS_PER_EPOCH))
                .collectLearningRates(true)
                .collectHistogramsParameters(false)
                .collectHistogramsGradients(false)
                .collectHistogramsUpdates(false)
                .collectHistogramsActivations(false)
                .collectMeanGradients(false)
                .collectStdevGradients(false)
                .collectMeanMagnitudesGradients(false)
                .collectMeanActivations(false)
                .collectStdevActivations(false)
                .collectMeanMagnitudesActivations(false)
                .build();
        return new StatsListener(stats, null, update, schedule.id(), "0");
    }

    private static final class Measured {
        static final Measured NONE = new Measured(Double.NaN, Double.NaN);
        final double loss;
        final double accuracy;

        Measured(double loss, double accuracy) {
            this.loss = loss;
            this.accuracy = accuracy;
        }
    }

    /**
     * Accuracy and mean cross-entropy in one pass over {@code data}. A network that diverged predicts NaN: those
     * examples count as wrong and the loss is NaN (DL4J's Evaluation would refuse to count them at all).
     */
    private static Measured measure(MultiLayerNetwork net, DataSetIterator data) {
        data.reset();
        long correct = 0;
        long examples = 0;
        double lossSum = 0;
        while (data.hasNext()) {
            DataSet batch = data.next();
            double[][] output = net.output(batch.getFeatures(), false).toDoubleMatrix();
            double[][] labels = batch.getLabels().toDoubleMatrix();
            for (int i = 0; i < output.length; i++) {
                int label = argMax(labels[i]);
                int predicted = argMax(output[i]);
                if (predicted == label) {
                    correct++;
                }
                lossSum -= predicted < 0 ? Double.NaN : Math.log(Math.max(output[i][label], 1e-12));
            }
            examples += output.length;
        }
        data.reset();
        return new Measured(lossSum / examples, (double) correct / examples);
    }

    /** Index of the largest value; -1 if the row holds a NaN. */
    private static int argMax(double[] row) {
        int best = 0;
        for (int j = 0; j < row.length; j++) {
            if (Double.isNaN(row[j])) {
                return -1;
            }
            if (row[j] > row[best]) {
                best = j;
            }
        }
        return best;
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
            IUpdater updater = Networks.updater(net.getLayer(0), "W");
            double lr = updater.hasLearningRate() ? updater.getLearningRate(iteration, epoch) : Double.NaN;
            progress.step(done, epoch, model.score(), lr);
        }
    }
}
