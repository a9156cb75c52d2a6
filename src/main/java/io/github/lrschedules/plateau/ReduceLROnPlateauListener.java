package io.github.lrschedules.plateau;

import io.github.lrschedules.schedule.ScaledSchedule;
import io.github.lrschedules.util.AtomicFiles;
import io.github.lrschedules.util.Networks;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.listener.EarlyStoppingListener;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the learning rate when a monitored metric stops improving, with PyTorch's ReduceLROnPlateau rule
 * ({@link PlateauTracker}), on top of whatever schedule the network already has.
 *
 * <p>A reduction multiplies the effective learning rate of every updater that has one (weights and biases, every
 * layer, layers with their own updater too) by the same factor. It does so by wrapping each updater's schedule, or
 * fixed learning rate, in a {@link ScaledSchedule}: per-layer ratios stay, a warmup, cosine or milestone schedule
 * keeps running underneath, and the updater state (Adam moments, Nesterov velocity) is kept. Before each
 * reduction the listener gives the network its own copies of the updater configurations, so that a network that
 * shares them with another one (a {@code clone()}, a TransferLearning copy, a model saver's snapshot) changes alone.
 *
 * <p>The factor comes from the tracker applied to the reference learning rate: the largest effective learning
 * rate among the network's updaters at the next step. {@code minLr} bounds that rate at the moment of a reduction;
 * a schedule underneath may take it lower afterwards (PyTorch cannot combine the two at all).
 *
 * <p>Metric sources: the mean training loss of the epoch (default), the loss, accuracy or F1 on a validation
 * iterator, or a value the caller passes to {@link #report(Model, double)} (for loops without epoch callbacks:
 * {@code EarlyStoppingTrainer} through {@link #earlyStoppingListener()}, {@code ParallelWrapper}, Spark). Decisions
 * are made at the end of every epoch, or every N iterations.
 *
 * <p>{@link #saveState(File)} and {@link #restoreState(File)} keep the decision state in the model zip, so a run
 * resumed from a checkpoint makes the same decisions as one that was never interrupted. Thread-safe.
 */
public final class ReduceLROnPlateauListener extends BaseTrainingListener {

    private static final Logger log = LoggerFactory.getLogger(ReduceLROnPlateauListener.class);

    /** Key of the listener's state among the model zip's extra objects. */
    public static final String STATE_KEY = "reduceLROnPlateau";

    /** What the listener monitors. */
    public enum Metric {
        /** Mean of the mini-batch scores since the last decision (MIN). */
        TRAINING_LOSS,
        /** Loss on the validation iterator, averaged over examples (MIN). */
        VALIDATION_LOSS,
        /** Accuracy on the validation iterator, from DL4J's {@code Evaluation} (MAX). */
        VALIDATION_ACCURACY,
        /** F1 on the validation iterator, from DL4J's {@code Evaluation.f1()} (MAX). */
        VALIDATION_F1,
        /** A value passed to {@link #report(Model, double)}; mode chosen by the caller. */
        REPORTED
    }

    private final PlateauTracker tracker;
    private final Metric metric;
    private final DataSetIterator validationData;
    private final int everyIterations;

    private double lossSum;
    private long lossCount;
    private final List<Reduction> history = new ArrayList<>();

    private ReduceLROnPlateauListener(Builder b) {
        this.metric = b.metric;
        this.validationData = b.validationData;
        this.everyIterations = b.everyIterations;
        PlateauTracker.Mode mode = b.metric == Metric.VALIDATION_ACCURACY || b.metric == Metric.VALIDATION_F1
                ? PlateauTracker.Mode.MAX : b.metric == Metric.REPORTED ? b.reportedMode : PlateauTracker.Mode.MIN;
        this.tracker = b.tracker.mode(mode).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- training callbacks -------------------------------------------------------------------------------------

    @Override
    public synchronized void iterationDone(Model model, int iteration, int epoch) {
        if (metric == Metric.TRAINING_LOSS) {
            double score = model.score();
            if (Double.isFinite(score)) {
                lossSum += score;
            } else {
                lossSum = Double.NaN;
            }
            lossCount++;
        }
        if (everyIterations > 0 && metric != Metric.REPORTED && (iteration + 1) % everyIterations == 0) {
            decide(model, measure(model), iteration + 1, epoch);
        }
    }

    @Override
    public synchronized void onEpochEnd(Model model) {
        if (everyIterations == 0 && metric != Metric.REPORTED) {
            // The epoch counter has not advanced yet: the next step is in the next epoch.
            decide(model, measure(model), Networks.iterationCount(model), Networks.epochCount(model) + 1);
        }
    }

    /**
     * Feeds a metric value measured by the caller and applies the decision to {@code model} (the root model for
     * {@code ParallelWrapper}). Use with {@link Builder#reported(PlateauTracker.Mode)}.
     *
     * @return the reference learning rate from now on
     */
    public synchronized double report(Model model, double value) {
        return reportFor(model, value, Networks.epochCount(model));
    }

    /** {@link #report(Model, double)} for a model whose next step is in epoch {@code nextEpoch}. */
    private synchronized double reportFor(Model model, double value, int nextEpoch) {
        if (metric != Metric.REPORTED) {
            throw new IllegalStateException("this listener monitors " + metric
                    + "; build it with reported(mode) to feed it values with report(model, value)");
        }
        return decide(model, value, Networks.iterationCount(model), nextEpoch);
    }

    /**
     * An adapter for {@code EarlyStoppingTrainer}: feeds the trainer's per-epoch score (from its
     * {@code ScoreCalculator}) into {@link #report(Model, double)}. Build the listener with
     * {@code reported(MIN)} for a loss-like score.
     */
    public <T extends Model> EarlyStoppingListener<T> earlyStoppingListener() {
        ReduceLROnPlateauListener plateau = this;
        return new EarlyStoppingListener<T>() {
            @Override
            public void onStart(EarlyStoppingConfiguration<T> esConfig, T net) {
            }

            @Override
            public void onEpoch(int epochNum, double score, EarlyStoppingConfiguration<T> esConfig, T net) {
                // The trainer sets the epoch count at the start of each epoch, so the model still counts epochNum
                // here: the next step (the first with a reduced rate) is in epoch epochNum + 1.
                plateau.reportFor(net, score, epochNum + 1);
            }

            @Override
            public void onCompletion(EarlyStoppingResult<T> esResult) {
            }
        };
    }

    // ---- the decision -------------------------------------------------------------------------------------------

    private double measure(Model model) {
        switch (metric) {
            case TRAINING_LOSS:
                return lossCount == 0 ? Double.NaN : lossSum / lossCount;
            case VALIDATION_LOSS:
                return validationLoss(model);
            case VALIDATION_ACCURACY:
                return evaluate(model).accuracy();
            case VALIDATION_F1:
                return evaluate(model).f1();
            default:
                throw new IllegalStateException("metric " + metric + " is reported, not measured");
        }
    }

    private double validationLoss(Model model) {
        validationData.reset();
        double sum = 0;
        long examples = 0;
        while (validationData.hasNext()) {
            DataSet ds = validationData.next();
            int n = ds.numExamples();
            double score = model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).score(ds, false)
                    : Networks.asGraph(model).score(ds, false);
            sum += score * n;
            examples += n;
        }
        validationData.reset();
        if (examples == 0) {
            throw new IllegalStateException("the validation iterator gave no examples");
        }
        return sum / examples;
    }

    private Evaluation evaluate(Model model) {
        validationData.reset();
        Evaluation evaluation = model instanceof MultiLayerNetwork
                ? ((MultiLayerNetwork) model).evaluate(validationData) : Networks.asGraph(model).evaluate(validationData);
        validationData.reset();
        return evaluation;
    }

    private double decide(Model model, double value, int nextIteration, int nextEpoch) {
        lossSum = 0;
        lossCount = 0;
        List<IUpdater> updaters = Networks.learningRateUpdaters(model);
        if (updaters.isEmpty()) {
            throw new IllegalStateException("the model has no updater with a learning rate to reduce");
        }
        double current = referenceLearningRate(updaters, nextIteration, nextEpoch);
        double next = tracker.step(value, current);
        if (next < current) {
            double factor = next / current;
            // At every reduction, not only the first: a clone() taken since (EarlyStoppingTrainer's model saver
            // keeps clones) shares this model's configurations and must keep its rate.
            ownUpdaterConfigurations(model);
            updaters = Networks.learningRateUpdaters(model);
            for (IUpdater updater : updaters) {
                scale(updater, factor);
            }
            Reduction reduction = new Reduction(nextEpoch, nextIteration, value, tracker.state().getBest(), current,
                    referenceLearningRate(updaters, nextIteration, nextEpoch));
            history.add(reduction);
            log.info("ReduceLROnPlateau: epoch {}, iteration {}: {} = {} (best {}) did not improve; learning rate {} -> {}",
                    nextEpoch, nextIteration, metric, value, tracker.state().getBest(), current, reduction.getNewLr());
            return reduction.getNewLr();
        }
        return current;
    }

    private static double referenceLearningRate(List<IUpdater> updaters, int iteration, int epoch) {
        double max = 0;
        for (IUpdater updater : updaters) {
            max = Math.max(max, updater.getLearningRate(iteration, epoch));
        }
        return max;
    }

    private static void scale(IUpdater updater, double factor) {
        ISchedule schedule = scheduleOf(updater);
        double fixedRate = fixedRateOf(updater);
        ScaledSchedule scaled;
        if (schedule instanceof ScaledSchedule) {
            ScaledSchedule current = (ScaledSchedule) schedule;
            scaled = current.withScale(current.getScale() * factor);
        } else {
            scaled = new ScaledSchedule(schedule != null ? schedule : new FixedSchedule(fixedRate), factor);
        }
        updater.setLrAndSchedule(fixedRate, scaled);
    }

    /** The updater's learning-rate schedule, or null for a fixed learning rate. */
    private static ISchedule scheduleOf(IUpdater updater) {
        try {
            Method getter = updater.getClass().getMethod("getLearningRateSchedule");
            return (ISchedule) getter.invoke(updater);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("cannot read the learning-rate schedule of " + updater.getClass().getName()
                    + ": it has no getLearningRateSchedule()", e);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read the learning-rate schedule of " + updater, e);
        }
    }

    /** The updater's fixed learning rate (used by DL4J when it has no schedule). */
    private static double fixedRateOf(IUpdater updater) {
        try {
            return (double) updater.getClass().getMethod("getLearningRate").invoke(updater);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return updater.getLearningRate(0, 0);
        }
    }

    /**
     * Replaces the updater configurations of the model's layers by copies (one copy per shared instance, so
     * sharing inside the model stays) and rebuilds the model's updater around its existing state, so that the
     * running updaters use the copies and the state (moments, velocity) carries over.
     */
    private static void ownUpdaterConfigurations(Model model) {
        Map<IUpdater, IUpdater> copies = new IdentityHashMap<>();
        for (Layer layer : Networks.layers(model)) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            if (conf instanceof BaseLayer) {
                BaseLayer base = (BaseLayer) conf;
                if (base.getIUpdater() != null) {
                    base.setIUpdater(copies.computeIfAbsent(base.getIUpdater(), IUpdater::clone));
                }
                if (base.getBiasUpdater() != null) {
                    base.setBiasUpdater(copies.computeIfAbsent(base.getBiasUpdater(), IUpdater::clone));
                }
            }
        }
        if (model instanceof MultiLayerNetwork) {
            MultiLayerNetwork net = (MultiLayerNetwork) model;
            org.deeplearning4j.nn.api.Updater updater = net.getUpdater(false);
            if (updater != null) {
                INDArray state = updater.getStateViewArray();
                net.setUpdater(new MultiLayerUpdater(net, state));
            }
        } else {
            ComputationGraph graph = Networks.asGraph(model);
            ComputationGraphUpdater updater = graph.getUpdater(false);
            if (updater != null) {
                INDArray state = updater.getStateViewArray();
                graph.setUpdater(new ComputationGraphUpdater(graph, state));
            }
        }
    }

    // ---- state --------------------------------------------------------------------------------------------------

    /** The reductions made so far, oldest first. */
    public synchronized List<Reduction> history() {
        return Collections.unmodifiableList(new ArrayList<>(history));
    }

    /** The tracker's state now. */
    public synchronized PlateauTracker.State trackerState() {
        return tracker.state();
    }

    /** Everything needed to continue exactly: tracker state, the partial epoch loss, the history. */
    public synchronized State state() {
        return new State(tracker.state(), lossSum, lossCount, history);
    }

    /** Continues from a state taken with {@link #state()}. */
    public synchronized void restore(State state) {
        Objects.requireNonNull(state, "state");
        tracker.restore(state.tracker);
        lossSum = state.lossSum;
        lossCount = state.lossCount;
        history.clear();
        history.addAll(state.history);
    }

    /**
     * Adds this listener's state to a model zip written by {@code ModelSerializer}, replacing an earlier one. The
     * zip is rewritten beside itself and moved into place, so a failure leaves the original file intact.
     */
    public void saveState(File modelZip) throws IOException {
        Path source = modelZip.toPath();
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException("modelZip (" + modelZip + ") is not a file; write the model first");
        }
        State state = state();
        AtomicFiles.write(source, temp -> {
            copyZipWithout(source, temp, "objects/" + STATE_KEY);
            ModelSerializer.addObjectToFile(temp.toFile(), STATE_KEY, state);
        });
    }

    /**
     * Writes {@code model} (with its updater state) and this listener's state to {@code modelZip} in one step;
     * an existing file is replaced only once the new one is complete.
     */
    public void checkpoint(Model model, File modelZip) throws IOException {
        State state = state();
        AtomicFiles.write(modelZip.toPath(), temp -> {
            ModelSerializer.writeModel(model, temp.toFile(), true);
            ModelSerializer.addObjectToFile(temp.toFile(), STATE_KEY, state);
        });
    }

    /**
     * Continues from the state stored in a model zip by {@link #saveState(File)} or {@link #checkpoint}.
     *
     * @throws IllegalArgumentException if the zip holds no such state
     */
    public void restoreState(File modelZip) {
        if (!ModelSerializer.listObjectsInFile(modelZip).contains(STATE_KEY)) {
            throw new IllegalArgumentException("modelZip (" + modelZip + ") holds no ReduceLROnPlateau state (key \""
                    + STATE_KEY + "\"); save it with saveState or checkpoint");
        }
        State state = ModelSerializer.getObjectFromFile(modelZip, STATE_KEY);
        restore(state);
    }

    private static void copyZipWithout(Path source, Path target, String skippedEntry) throws IOException {
        try (ZipFile zip = new ZipFile(source.toFile());
             OutputStream raw = Files.newOutputStream(target);
             ZipOutputStream out = new ZipOutputStream(raw)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.getName().equals(skippedEntry)) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream in = zip.getInputStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    @Override
    public synchronized String toString() {
        return "ReduceLROnPlateauListener{metric=" + metric + (everyIterations > 0 ? ", everyIterations="
                + everyIterations : ", every epoch") + ", tracker=" + tracker + ", reductions=" + history.size() + "}";
    }

    /** One reduction: when, on what value, and the reference learning rate before and after. */
    public static final class Reduction implements Serializable {
        private static final long serialVersionUID = 1L;

        private final int epoch;
        private final int iteration;
        private final double metric;
        private final double best;
        private final double oldLr;
        private final double newLr;

        Reduction(int epoch, int iteration, double metric, double best, double oldLr, double newLr) {
            this.epoch = epoch;
            this.iteration = iteration;
            this.metric = metric;
            this.best = best;
            this.oldLr = oldLr;
            this.newLr = newLr;
        }

        /** Epoch of the first step that uses the reduced rate. */
        public int getEpoch() {
            return epoch;
        }

        /** Iteration of the first step that uses the reduced rate. */
        public int getIteration() {
            return iteration;
        }

        public double getMetric() {
            return metric;
        }

        public double getBest() {
            return best;
        }

        public double getOldLr() {
            return oldLr;
        }

        public double getNewLr() {
            return newLr;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Reduction)) {
                return false;
            }
            Reduction r = (Reduction) o;
            return epoch == r.epoch && iteration == r.iteration && Double.compare(metric, r.metric) == 0
                    && Double.compare(best, r.best) == 0 && Double.compare(oldLr, r.oldLr) == 0
                    && Double.compare(newLr, r.newLr) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(epoch, iteration, metric, best, oldLr, newLr);
        }

        @Override
        public String toString() {
            return "Reduction{epoch=" + epoch + ", iteration=" + iteration + ", metric=" + metric + ", best=" + best
                    + ", lr " + oldLr + " -> " + newLr + "}";
        }
    }

    /** The listener's resumable state. */
    public static final class State implements Serializable {
        private static final long serialVersionUID = 1L;

        private final PlateauTracker.State tracker;
        private final double lossSum;
        private final long lossCount;
        private final List<Reduction> history;

        State(PlateauTracker.State tracker, double lossSum, long lossCount, List<Reduction> history) {
            this.tracker = tracker;
            this.lossSum = lossSum;
            this.lossCount = lossCount;
            this.history = new ArrayList<>(history);
        }

        public PlateauTracker.State getTracker() {
            return tracker;
        }

        public List<Reduction> getHistory() {
            return Collections.unmodifiableList(history);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof State)) {
                return false;
            }
            State s = (State) o;
            return tracker.equals(s.tracker) && Double.compare(lossSum, s.lossSum) == 0 && lossCount == s.lossCount
                    && history.equals(s.history);
        }

        @Override
        public int hashCode() {
            return Objects.hash(tracker, lossSum, lossCount, history);
        }
    }

    /** Builds a {@link ReduceLROnPlateauListener}; defaults are PyTorch's and the mean training loss. */
    public static final class Builder {
        private final PlateauTracker.Builder tracker = PlateauTracker.builder();
        private Metric metric = Metric.TRAINING_LOSS;
        private PlateauTracker.Mode reportedMode;
        private DataSetIterator validationData;
        private int everyIterations;

        private Builder() {
        }

        /** See {@link PlateauTracker.Builder#factor(double)}: in (0, 1), default 0.1. */
        public Builder factor(double factor) {
            tracker.factor(factor);
            return this;
        }

        /** See {@link PlateauTracker.Builder#patience(int)}: &gt;= 0, default 10. */
        public Builder patience(int patience) {
            tracker.patience(patience);
            return this;
        }

        public Builder threshold(double threshold) {
            tracker.threshold(threshold);
            return this;
        }

        public Builder thresholdMode(PlateauTracker.ThresholdMode thresholdMode) {
            tracker.thresholdMode(thresholdMode);
            return this;
        }

        public Builder cooldown(int cooldown) {
            tracker.cooldown(cooldown);
            return this;
        }

        public Builder minLr(double minLr) {
            tracker.minLr(minLr);
            return this;
        }

        public Builder eps(double eps) {
            tracker.eps(eps);
            return this;
        }

        /** Monitor the mean training loss (the default). */
        public Builder trainingLoss() {
            return source(Metric.TRAINING_LOSS, null);
        }

        /** Monitor the loss on {@code validationData}. */
        public Builder validationLoss(DataSetIterator validationData) {
            return source(Metric.VALIDATION_LOSS, requireData(validationData));
        }

        /** Monitor the accuracy on {@code validationData}. */
        public Builder validationAccuracy(DataSetIterator validationData) {
            return source(Metric.VALIDATION_ACCURACY, requireData(validationData));
        }

        /** Monitor the F1 score on {@code validationData}. */
        public Builder validationF1(DataSetIterator validationData) {
            return source(Metric.VALIDATION_F1, requireData(validationData));
        }

        /** Decide only on values passed to {@link #report(Model, double)}; {@code mode} says which way is better. */
        public Builder reported(PlateauTracker.Mode mode) {
            if (mode == null) {
                throw new IllegalArgumentException("mode must not be null: MIN for a loss, MAX for an accuracy");
            }
            this.reportedMode = mode;
            return source(Metric.REPORTED, null);
        }

        /** Decide at the end of every epoch (the default). */
        public Builder evaluateEveryEpoch() {
            this.everyIterations = 0;
            return this;
        }

        /** Decide every {@code iterations} iterations instead of every epoch. */
        public Builder evaluateEveryIterations(int iterations) {
            if (iterations <= 0) {
                throw new IllegalArgumentException("iterations (" + iterations + ") must be > 0");
            }
            this.everyIterations = iterations;
            return this;
        }

        private static DataSetIterator requireData(DataSetIterator data) {
            if (data == null) {
                throw new IllegalArgumentException("validationData must not be null: the metric needs a source");
            }
            return data;
        }

        private Builder source(Metric metric, DataSetIterator data) {
            this.metric = metric;
            this.validationData = data;
            return this;
        }

        public ReduceLROnPlateauListener build() {
            if (metric == Metric.REPORTED && reportedMode == null) {
                throw new IllegalArgumentException("metric REPORTED needs a mode: use reported(MIN) or reported(MAX)");
            }
            return new ReduceLROnPlateauListener(this);
        }
    }
}
