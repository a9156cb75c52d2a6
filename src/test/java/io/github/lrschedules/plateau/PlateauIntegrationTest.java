package io.github.lrschedules.plateau;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.schedule.ScaledSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingTrainer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The plateau listener inside the training loops that give it no (or unusual) epoch callbacks: EarlyStoppingTrainer,
 * ParallelWrapper, TransferLearning copies and clones, ComputationGraph with per-iteration decisions, and the
 * validation-F1 source. Every decision is checked against an independent {@link PlateauTracker} fed with the same
 * metric values, and every learning rate against what the updaters really apply.
 */
class PlateauIntegrationTest {

    /** 320 examples in batches of 64: 5 iterations per epoch. */
    private static final List<DataSet> TRAIN = TestData.noisyBlobs(320, 1);
    private static final List<DataSet> VALID = TestData.noisyBlobs(160, 2);
    private static final int BATCH = 64;
    private static final int VALID_BATCH = 160;
    private static final int ITERATIONS_PER_EPOCH = TRAIN.size() / BATCH;

    // ---- EarlyStoppingTrainer -----------------------------------------------------------------------------------

    private static EarlyStoppingConfiguration<MultiLayerNetwork> earlyStopping(int epochs) {
        return new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
                .epochTerminationConditions(new MaxEpochsTerminationCondition(epochs))
                .scoreCalculator(new DataSetLossCalculator(TestData.iterator(VALID, VALID_BATCH), true))
                .modelSaver(new InMemoryModelSaver<>())
                .build();
    }

    @Test
    void earlyStoppingTrainerReducesAtTheEpochsItsOwnScoresPredictThroughTheAdapter() throws Exception {
        double initialLr = 0.4;
        MultiLayerNetwork net = TestNets.noisyMlp(new Sgd(initialLr), new Sgd(0.12), new Sgd(0.2));
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0).threshold(0.05).build();
        LearningRateRecorder recorder = new LearningRateRecorder();
        net.setListeners(recorder);
        int epochs = 6;
        EarlyStoppingTrainer trainer = new EarlyStoppingTrainer(earlyStopping(epochs), net,
                TestData.iterator(TRAIN, BATCH));
        trainer.setListener(plateau.<MultiLayerNetwork>earlyStoppingListener());

        EarlyStoppingResult<MultiLayerNetwork> result = trainer.fit();

        assertThat(result.getTotalEpochs()).isEqualTo(epochs);
        Map<Integer, Double> scores = result.getScoreVsEpoch();
        assertThat(scores).hasSize(epochs);
        PlateauTracker replica = PlateauTracker.builder().mode(PlateauTracker.Mode.MIN).factor(0.5).patience(0)
                .threshold(0.05).build();
        double lr = initialLr;
        List<Double> lrPerEpoch = new ArrayList<>();
        List<Integer> reducedFromEpoch = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            lrPerEpoch.add(lr);
            double next = replica.step(scores.get(e), lr);
            if (next < lr) {
                reducedFromEpoch.add(e + 1);
            }
            lr = next;
        }
        assertThat(reducedFromEpoch).as("the validation loss must plateau in this run").hasSizeGreaterThanOrEqualTo(2);
        assertThat(plateau.trackerState()).isEqualTo(replica.state());
        List<Reduction> history = plateau.history();
        assertThat(history).extracting(Reduction::getMetric).containsExactlyElementsOf(
                reducedFromEpoch.stream().map(e -> scores.get(e - 1)).collect(Collectors.toList()));
        // Reduction.getEpoch()/getIteration(): the first epoch/iteration that trains with the reduced rate.
        assertThat(history).extracting(Reduction::getEpoch).containsExactlyElementsOf(reducedFromEpoch);
        assertThat(history).extracting(Reduction::getIteration).containsExactlyElementsOf(
                reducedFromEpoch.stream().map(e -> e * ITERATIONS_PER_EPOCH).collect(Collectors.toList()));

        // The trainer restarts the epoch count at 0 and sets it per epoch: the recorder sees epochs 0..5, and from
        // the epoch after each reduction on every parameter trains with the replica's rate (per-layer ratios kept).
        int[] recordedEpochs = recorder.epochs();
        assertThat(recordedEpochs).hasSize(epochs * ITERATIONS_PER_EPOCH);
        assertThat(recordedEpochs[0]).isZero();
        assertThat(recordedEpochs[recordedEpochs.length - 1]).isEqualTo(epochs - 1);
        assertAppliedRatesFollow(recorder, i -> lrPerEpoch.get(recordedEpochs[i]) / initialLr);
    }

    @Test
    void theDefaultTrainingLossSourceDecidesOncePerEarlyStoppingEpoch() throws Exception {
        // BaseEarlyStoppingTrainer trains with fit(DataSet) but calls onEpochStart/onEpochEnd of the model's
        // listeners itself (triggerEpochListeners), so the training-loss source needs no adapter.
        double initialLr = 0.4;
        MultiLayerNetwork net = TestNets.noisyMlp(new Sgd(initialLr));
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder().factor(0.5).patience(0)
                .threshold(0.05).build();
        LearningRateRecorder recorder = new LearningRateRecorder();
        net.setListeners(recorder, plateau);
        int epochs = 5;
        EarlyStoppingResult<MultiLayerNetwork> result = new EarlyStoppingTrainer(earlyStopping(epochs), net,
                TestData.iterator(TRAIN, BATCH)).fit();
        assertThat(result.getTotalEpochs()).isEqualTo(epochs);

        // Replica: the mean of the mini-batch scores of each epoch, summed in the same order.
        double[] batchScores = recorder.scores();
        int[] recordedEpochs = recorder.epochs();
        PlateauTracker replica = PlateauTracker.builder().factor(0.5).patience(0).threshold(0.05).build();
        double lr = initialLr;
        List<Double> lrPerEpoch = new ArrayList<>();
        List<Integer> reducedFromEpoch = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            lrPerEpoch.add(lr);
            double sum = 0;
            int n = 0;
            for (int i = 0; i < batchScores.length; i++) {
                if (recordedEpochs[i] == e) {
                    sum += batchScores[i];
                    n++;
                }
            }
            assertThat(n).as("iterations of epoch %s", e).isEqualTo(ITERATIONS_PER_EPOCH);
            double next = replica.step(sum / n, lr);
            if (next < lr) {
                reducedFromEpoch.add(e + 1);
            }
            lr = next;
        }
        assertThat(plateau.trackerState().getSteps()).as("one decision per epoch").isEqualTo(epochs);
        assertThat(plateau.trackerState()).isEqualTo(replica.state());
        assertThat(reducedFromEpoch).as("the training loss must plateau in this run").isNotEmpty();
        assertThat(plateau.history()).extracting(Reduction::getEpoch).containsExactlyElementsOf(reducedFromEpoch);
        assertAppliedRatesFollow(recorder, i -> lrPerEpoch.get(recordedEpochs[i]) / initialLr);
    }

    @Test
    void theEarlyStoppingBestModelKeepsTheRateItWasSavedWith() throws Exception {
        // InMemoryModelSaver keeps net.clone(), which shares the updater configurations with the training network.
        double initialLr = 0.2;
        MultiLayerNetwork net = TestNets.noisyMlp(new Sgd(initialLr));
        // Only a 50% better loss counts as better: every epoch after the first reduces, while the trainer still
        // saves every strictly better model.
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0).threshold(0.5).build();
        int epochs = 5;
        EarlyStoppingTrainer trainer = new EarlyStoppingTrainer(earlyStopping(epochs), net,
                TestData.iterator(TRAIN, BATCH));
        trainer.setListener(plateau.<MultiLayerNetwork>earlyStoppingListener());
        EarlyStoppingResult<MultiLayerNetwork> result = trainer.fit();

        int bestEpoch = result.getBestModelEpoch();
        List<Reduction> history = plateau.history();
        assertThat(history).as("a reduction before the best epoch and one after it")
                .anyMatch(r -> r.getEpoch() <= bestEpoch).anyMatch(r -> r.getEpoch() > bestEpoch);
        long reductionsBeforeSave = history.stream().filter(r -> r.getEpoch() <= bestEpoch).count();
        double savedWith = initialLr * Math.pow(0.5, reductionsBeforeSave);
        MultiLayerNetwork best = result.getBestModel();
        for (Map.Entry<String, Double> e : configuredRates(best).entrySet()) {
            assertThat(e.getValue()).as("best model (epoch %s) %s", bestEpoch, e.getKey())
                    .isCloseTo(savedWith, within(1e-15));
        }
        for (Map.Entry<String, Double> e : configuredRates(net).entrySet()) {
            assertThat(e.getValue()).as("trained network %s", e.getKey())
                    .isCloseTo(initialLr * Math.pow(0.5, history.size()), within(1e-15));
        }
    }

    // ---- ParallelWrapper ----------------------------------------------------------------------------------------

    private static ParallelWrapper wrapper(Model root) {
        return new ParallelWrapper.Builder<>(root).workers(2).prefetchBuffer(2).averagingFrequency(1)
                .reportScoreAfterAveraging(false).build();
    }

    /** The root model kinds for ParallelWrapper. */
    enum Root {
        /** DL4J clears a MultiLayerNetwork root's solver (and updater) at the end of every fit(). */
        MULTI_LAYER_NETWORK,
        /** A ComputationGraph root keeps its running updater between fits. */
        COMPUTATION_GRAPH;

        Model create() {
            return this == MULTI_LAYER_NETWORK ? TestNets.noisyMlp(new Sgd(0.2), new Sgd(0.06), new Sgd(0.1))
                    : TestNets.noisyGraph(new Sgd(0.2), new Sgd(0.05), new Sgd(0.1));
        }
    }

    private static Collection<TrainingListener> listenersOf(Model model) {
        return model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getListeners()
                : ((ComputationGraph) model).getListeners();
    }

    @ParameterizedTest
    @EnumSource(Root.class)
    void parallelWrapperWorkersTrainWithTheRateDecidedOnTheRootModelBetweenFits(Root kind) throws Exception {
        double initialLr = 0.2;
        Model root = kind.create();
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0).threshold(0.5).build();
        LearningRateRecorder recorder = new LearningRateRecorder();
        AppliedRateProbe probe = new AppliedRateProbe();
        root.setListeners(recorder, probe);
        Map<String, Double> initialRates = configuredRates(root);
        ParallelWrapper wrapper = wrapper(root);
        PlateauTracker replica = PlateauTracker.builder().mode(PlateauTracker.Mode.MIN).factor(0.5).patience(0)
                .threshold(0.5).build();
        int fits = 4;
        List<Double> lrPerFit = new ArrayList<>();
        try {
            // The builder moves the model's listeners to the wrapper, which shares them between the workers.
            assertThat(listenersOf(root)).isEmpty();
            assertThat(wrapper.getListeners()).containsExactly(recorder, probe);
            double lr = initialLr;
            for (int f = 0; f < fits; f++) {
                lrPerFit.add(lr);
                probe.fit = f;
                wrapper.fit(TestData.iterator(TRAIN, BATCH));
                double value = validationLoss(root);
                double expected = replica.step(value, lr);
                assertThat(plateau.report(root, value)).as("fit %s", f).isCloseTo(expected, within(1e-15));
                lr = expected;
            }
        } finally {
            wrapper.close();
        }
        assertThat(plateau.history()).hasSize(fits - 1);
        assertThat(plateau.trackerState()).isEqualTo(replica.state());

        // Two workers per fit: worker 0 is the root model itself, worker 1 a network rebuilt from the root's JSON
        // configuration at every fit() (a new instance each time), both training with the rate of that fit.
        Set<Model> rebuiltWorkers = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int f = 0; f < fits; f++) {
            List<AppliedRateProbe.Record> records = probe.recordsOf(f);
            assertThat(records).as("fit %s", f).hasSize(ITERATIONS_PER_EPOCH);
            Set<Model> workers = Collections.newSetFromMap(new IdentityHashMap<>());
            records.forEach(r -> workers.add(r.model));
            assertThat(workers).as("fit %s", f).hasSize(2);
            assertThat(workers.remove(root)).as("fit %s: worker 0 is the root model", f).isTrue();
            assertThat(rebuiltWorkers.add(workers.iterator().next())).as("worker 1 of fit %s is new", f).isTrue();
            for (AppliedRateProbe.Record r : records) {
                String worker = r.model == root ? "root" : "rebuilt";
                assertThat(r.rates.keySet()).isEqualTo(initialRates.keySet());
                assertThat(r.measured.keySet()).isEqualTo(initialRates.keySet());
                for (String key : initialRates.keySet()) {
                    double expected = initialRates.get(key) * lrPerFit.get(f) / initialLr;
                    assertThat(r.rates.get(key)).as("fit %s, %s worker, %s: running updater", f, worker, key)
                            .isCloseTo(expected, within(1e-15));
                    assertThat(r.measured.get(key)).as("fit %s, %s worker, %s: parameter step", f, worker, key)
                            .isCloseTo(expected, within(expected * 1e-9));
                }
            }
        }
        // The shared LearningRateRecorder saw the same; its records come fit by fit, ITERATIONS_PER_EPOCH each.
        assertThat(recorder.size()).isEqualTo(fits * ITERATIONS_PER_EPOCH);
        assertAppliedRatesFollow(recorder, i -> lrPerFit.get(i / ITERATIONS_PER_EPOCH) / initialLr);
        // The root model's updater configurations (weights and biases of every layer) carry the reduction.
        for (Map.Entry<String, IUpdater> e : updaterConfigs(root).entrySet()) {
            assertThat(scheduleOf(e.getValue())).as(e.getKey()).isInstanceOf(ScaledSchedule.class);
        }
        Map<String, Double> rootRates = configuredRates(root);
        for (Map.Entry<String, Double> e : initialRates.entrySet()) {
            assertThat(rootRates.get(e.getKey())).as(e.getKey())
                    .isCloseTo(e.getValue() * Math.pow(0.5, fits - 1), within(1e-15));
        }
        assertThat(root.params().sumNumber().doubleValue()).isFinite();
    }

    // ---- clone() and TransferLearning copies --------------------------------------------------------------------

    enum Copy {
        CLONE, FINE_TUNE, FINE_TUNE_FROZEN_FIRST_LAYER;

        MultiLayerNetwork of(MultiLayerNetwork source) {
            FineTuneConfiguration fineTune = new FineTuneConfiguration.Builder().seed(7L).build();
            switch (this) {
                case CLONE:
                    return source.clone();
                case FINE_TUNE:
                    return new TransferLearning.Builder(source).fineTuneConfiguration(fineTune).build();
                default:
                    return new TransferLearning.Builder(source).fineTuneConfiguration(fineTune)
                            .setFeatureExtractor(0).build();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Copy.class)
    void reductionsOnACopyLeaveTheSourceModelsUpdatersAlone(Copy kind) {
        MultiLayerNetwork source = TestNets.noisyMlp(new Nesterovs(0.1, 0.9), new Sgd(0.03), new Sgd(0.07));
        source.fit(TestData.iterator(TRAIN, BATCH));
        Map<String, IUpdater> sourceUpdaters = updaterConfigs(source);
        Map<String, IUpdater> sourceValues = new TreeMap<>();
        sourceUpdaters.forEach((k, u) -> sourceValues.put(k, u.clone()));
        Map<String, Double> sourceRates = configuredRates(source);
        assertThat(sourceRates).containsOnlyKeys("0_W", "0_b", "1_W", "1_b", "2_W", "2_b");

        MultiLayerNetwork copy = kind.of(source);
        INDArray frozenBefore = copy.getLayer(0).params().dup();
        Map<String, IUpdater> copyUpdaters = updaterConfigs(copy);
        assertThat(copyUpdaters).isNotEmpty();
        copyUpdaters.forEach((k, u) -> assertThat(u).as("%s: %s shares the source's updater", kind, k)
                .isSameAs(sourceUpdaters.get(k)));

        // Training loss must fall 10x per epoch to count as better: every epoch after the first reduces.
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder().factor(0.5).patience(0)
                .threshold(0.9).build();
        LearningRateRecorder recorder = new LearningRateRecorder();
        copy.setListeners(recorder, plateau);
        int epochs = 3;
        INDArray beforeLastEpoch = null;
        for (int e = 0; e < epochs; e++) {
            beforeLastEpoch = copy.params().dup();
            copy.fit(TestData.iterator(TRAIN, BATCH));
        }
        assertThat(plateau.history()).hasSize(epochs - 1);

        // The source: the same updater instances, with the same values and rates.
        Map<String, IUpdater> sourceAfter = updaterConfigs(source);
        assertThat(sourceAfter.keySet()).isEqualTo(sourceUpdaters.keySet());
        sourceAfter.forEach((k, u) -> {
            assertThat(u).as(k).isSameAs(sourceUpdaters.get(k)).isEqualTo(sourceValues.get(k));
            assertThat(scheduleOf(u) instanceof ScaledSchedule).as("%s has a ScaledSchedule", k).isFalse();
        });
        assertThat(configuredRates(source)).isEqualTo(sourceRates);

        // The copy: its own updaters, every layer's weights and biases reduced by 0.5^(epochs - 1).
        Map<String, Double> copyRates = configuredRates(copy);
        assertThat(copyRates).isNotEmpty();
        double scale = Math.pow(0.5, epochs - 1);
        copyRates.forEach((k, lr) -> {
            assertThat(lr).as("%s: %s", kind, k).isCloseTo(sourceRates.get(k) * scale, within(1e-15));
            assertThat(updaterConfigs(copy).get(k)).isNotSameAs(sourceUpdaters.get(k));
        });
        // ... and it keeps training, with finite parameters, at the reduced rate.
        assertThat(copy.params().sumNumber().doubleValue()).isFinite();
        assertThat(copy.params().sub(beforeLastEpoch).norm2Number().doubleValue()).isGreaterThan(0.0);
        int[] epochsRecorded = recorder.epochs();
        for (String key : copyRates.keySet()) {
            double[] applied = recorder.learningRates(key);
            int last = applied.length - 1;
            // The last epoch trains after epochs - 2 reductions; the last reduction follows it.
            assertThat(applied[last]).as("%s last iteration", key)
                    .isCloseTo(sourceRates.get(key) * Math.pow(0.5, epochs - 2), within(1e-15));
            assertThat(applied[0]).as("%s first iteration", key).isCloseTo(sourceRates.get(key), within(1e-15));
            assertThat(epochsRecorded[last] - epochsRecorded[0]).isEqualTo(epochs - 1);
        }
        if (kind == Copy.FINE_TUNE_FROZEN_FIRST_LAYER) {
            assertThat(copyRates).doesNotContainKeys("0_W", "0_b");
            assertThat(copy.getLayer(0).params()).isEqualTo(frozenBefore);
        }

        // The source itself still trains with its own, unreduced rates.
        LearningRateRecorder sourceRecorder = new LearningRateRecorder();
        source.setListeners(sourceRecorder);
        source.fit(TestData.iterator(TRAIN, BATCH));
        for (String key : sourceRecorder.parameterKeys()) {
            for (double applied : sourceRecorder.learningRates(key)) {
                assertThat(applied).as("source %s", key).isEqualTo(sourceRates.get(key));
            }
        }
    }

    @Test
    void aFrozenLayersUnusedUpdaterNeitherSetsTheReferenceRateNorLetsMinLrBeUndercut() {
        // Layer 0's bias updater (0.5) is far above the rest (0.01). Frozen by TransferLearning, layer 0 trains with
        // NoOp, though its conf().getLayer() still holds the Sgd(0.5) of the layer it wraps.
        MultiLayerNetwork source = TestNets.noisyMlp(new Sgd(0.01), null, new Sgd(0.5));
        MultiLayerNetwork copy = new TransferLearning.Builder(source)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().seed(7L).build())
                .setFeatureExtractor(0).build();
        assertThat(copy.getLayer(0).conf().getLayer().getUpdaterByParam("b").getLearningRate(0, 0)).isEqualTo(0.5);
        assertThat(configuredRates(copy)).containsOnlyKeys("1_W", "1_b", "2_W", "2_b");
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0).minLr(0.008).build();
        copy.fit(TestData.iterator(TRAIN, BATCH));
        assertThat(plateau.report(copy, 1.0)).isCloseTo(0.01, within(1e-15));
        assertThat(plateau.report(copy, 2.0)).isCloseTo(0.008, within(1e-15));
        Reduction reduction = plateau.history().get(0);
        assertThat(reduction.getOldLr()).isCloseTo(0.01, within(1e-15));
        assertThat(reduction.getNewLr()).isCloseTo(0.008, within(1e-15));
        configuredRates(copy).forEach((k, lr) -> assertThat(lr).as(k).isCloseTo(0.008, within(1e-15)));
        INDArray frozen = copy.getLayer(0).params().dup();
        copy.fit(TestData.iterator(TRAIN, BATCH));
        assertThat(copy.getLayer(0).params()).isEqualTo(frozen);
        assertThat(copy.params().sumNumber().doubleValue()).isFinite();
    }

    @Test
    void aCloneTakenAfterAReductionKeepsItsRateWhenTheOriginalIsReducedAgain() {
        MultiLayerNetwork net = TestNets.noisyMlp(new Sgd(0.2), new Sgd(0.06), new Sgd(0.1));
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0).build();
        net.fit(TestData.iterator(TRAIN, BATCH));
        plateau.report(net, 1.0);
        plateau.report(net, 2.0);
        Map<String, Double> atSnapshot = configuredRates(net);
        MultiLayerNetwork snapshot = net.clone();
        plateau.report(net, 3.0);
        assertThat(plateau.history()).hasSize(2);
        assertThat(configuredRates(snapshot)).isEqualTo(atSnapshot);
        configuredRates(net).forEach((k, lr) -> assertThat(lr).as(k).isCloseTo(atSnapshot.get(k) * 0.5,
                within(1e-15)));
    }

    // ---- ComputationGraph ---------------------------------------------------------------------------------------

    /**
     * Computes the validation metric every {@code n} iterations; listed before the plateau listener, so it measures the
     * same parameters the plateau listener then decides on.
     */
    private static final class EveryN extends BaseTrainingListener {
        final int n;
        final boolean accuracy;
        final List<Integer> nextIterations = new ArrayList<>();
        final List<Double> values = new ArrayList<>();

        EveryN(int n, boolean accuracy) {
            this.n = n;
            this.accuracy = accuracy;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            if ((iteration + 1) % n == 0) {
                nextIterations.add(iteration + 1);
                values.add(accuracy ? evaluation(model).accuracy() : validationLoss(model));
            }
        }
    }

    private static void graphDecidesEveryNIterations(boolean accuracy) {
        int n = 3;
        double initialLr = 0.2;
        ComputationGraph graph = TestNets.noisyGraph(new Sgd(initialLr), new Sgd(0.05), new Sgd(0.1));
        ReduceLROnPlateauListener.Builder builder = ReduceLROnPlateauListener.builder().factor(0.5)
                .evaluateEveryIterations(n);
        PlateauTracker.Builder replicaBuilder = PlateauTracker.builder().factor(0.5);
        if (accuracy) {
            builder.validationAccuracy(TestData.iterator(VALID, VALID_BATCH)).patience(0)
                    .thresholdMode(PlateauTracker.ThresholdMode.ABS).threshold(0.01);
            replicaBuilder.mode(PlateauTracker.Mode.MAX).patience(0).thresholdMode(PlateauTracker.ThresholdMode.ABS)
                    .threshold(0.01);
        } else {
            builder.validationLoss(TestData.iterator(VALID, VALID_BATCH)).patience(0).threshold(0.03);
            replicaBuilder.mode(PlateauTracker.Mode.MIN).patience(0).threshold(0.03);
        }
        ReduceLROnPlateauListener plateau = builder.build();
        PlateauTracker replica = replicaBuilder.build();
        LearningRateRecorder recorder = new LearningRateRecorder();
        EveryN metric = new EveryN(n, accuracy);
        graph.setListeners(recorder, metric, plateau);
        Map<String, Double> initialRates = configuredRates(graph);
        assertThat(initialRates).containsOnlyKeys("left_W", "left_b", "right_W", "right_b", "out_W", "out_b");
        int epochs = 5;
        ListDataSetIterator<DataSet> train = TestData.iterator(TRAIN, BATCH);
        for (int e = 0; e < epochs; e++) {
            graph.fit(train);
        }
        int iterations = epochs * ITERATIONS_PER_EPOCH;
        assertThat(metric.nextIterations).hasSize(iterations / n);

        // Replica: the reduced rate takes effect at the iteration after the decision.
        double lr = initialLr;
        List<Integer> reducedFrom = new ArrayList<>();
        for (int d = 0; d < metric.values.size(); d++) {
            double next = replica.step(metric.values.get(d), lr);
            if (next < lr) {
                reducedFrom.add(metric.nextIterations.get(d));
            }
            lr = next;
        }
        assertThat(plateau.trackerState().getSteps()).as("decisions").isEqualTo(iterations / n);
        assertThat(plateau.trackerState()).isEqualTo(replica.state());
        assertThat(reducedFrom).as("the metric must plateau in this run").hasSizeGreaterThanOrEqualTo(2);
        List<Reduction> history = plateau.history();
        assertThat(history).extracting(Reduction::getIteration).containsExactlyElementsOf(reducedFrom)
                .allMatch(i -> i % n == 0);
        if (accuracy) {
            // MAX: the best accuracy is the highest seen (to within the 0.01 threshold), not the lowest.
            double max = metric.values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            assertThat(plateau.trackerState().getBest()).isCloseTo(max, within(0.01 + 1e-12))
                    .isGreaterThan(metric.values.get(0));
        }
        int[] recordedIterations = recorder.iterations();
        assertAppliedRatesFollow(recorder, i -> {
            long reductions = reducedFrom.stream().filter(from -> from <= recordedIterations[i]).count();
            return Math.pow(0.5, reductions);
        });
        for (Reduction r : history) {
            // The recorded reference rate (left is 0.05, right's bias 0.1, the rest 0.2) at the boundary.
            double[] outW = recorder.learningRates("out_W");
            assertThat(outW[r.getIteration() - 1]).isCloseTo(r.getOldLr(), within(1e-15));
            if (r.getIteration() < outW.length) {
                assertThat(outW[r.getIteration()]).isCloseTo(r.getNewLr(), within(1e-15));
            }
        }
        Map<String, Double> finalRates = configuredRates(graph);
        initialRates.forEach((k, v) -> assertThat(finalRates.get(k)).as(k)
                .isCloseTo(v * Math.pow(0.5, history.size()), within(1e-15)));
        assertThat(graph.params().sumNumber().doubleValue()).isFinite();
    }

    @Test
    void graphValidationLossEveryNIterationsReducesEveryLayer() {
        graphDecidesEveryNIterations(false);
    }

    @Test
    void graphValidationAccuracyEveryNIterationsIsMaxModeAndReducesEveryLayer() {
        graphDecidesEveryNIterations(true);
    }

    // ---- validation F1 ------------------------------------------------------------------------------------------

    @Test
    void validationF1DecidesInMaxMode() {
        double initialLr = 0.2;
        MultiLayerNetwork net = TestNets.noisyMlp(new Sgd(initialLr));
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .validationF1(TestData.iterator(VALID, VALID_BATCH)).factor(0.5).patience(1).threshold(0.005)
                .build();
        LearningRateRecorder recorder = new LearningRateRecorder();
        net.setListeners(recorder, plateau);
        PlateauTracker replica = PlateauTracker.builder().mode(PlateauTracker.Mode.MAX).factor(0.5).patience(1)
                .threshold(0.005).build();
        PlateauTracker minReplica = replica.toBuilder().mode(PlateauTracker.Mode.MIN).build();
        double lr = initialLr;
        double lrIfMin = initialLr;
        List<Double> lrPerEpoch = new ArrayList<>();
        List<Integer> reducedFromEpoch = new ArrayList<>();
        List<Double> f1s = new ArrayList<>();
        ListDataSetIterator<DataSet> train = TestData.iterator(TRAIN, BATCH);
        int epochs = 8;
        for (int e = 0; e < epochs; e++) {
            lrPerEpoch.add(lr);
            net.fit(train);
            double f1 = evaluation(net).f1();
            f1s.add(f1);
            double next = replica.step(f1, lr);
            if (next < lr) {
                reducedFromEpoch.add(e + 1);
            }
            lr = next;
            lrIfMin = minReplica.step(f1, lrIfMin);
        }
        assertThat(plateau.trackerState()).isEqualTo(replica.state());
        assertThat(plateau.trackerState()).as("a MIN tracker would decide otherwise").isNotEqualTo(minReplica.state());
        assertThat(reducedFromEpoch).as("F1 must plateau in this run").isNotEmpty();
        assertThat(plateau.history()).extracting(Reduction::getEpoch).containsExactlyElementsOf(reducedFromEpoch);
        assertThat(plateau.trackerState().getBest()).isGreaterThan(f1s.get(0));
        int[] recordedEpochs = recorder.epochs();
        assertAppliedRatesFollow(recorder, i -> lrPerEpoch.get(recordedEpochs[i]) / initialLr);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private interface Scale {
        double at(int recordIndex);
    }

    /**
     * Every recorded parameter's applied rate is its rate at the first recorded iteration times
     * {@code scale.at(record)}.
     */
    private static void assertAppliedRatesFollow(LearningRateRecorder recorder, Scale scale) {
        assertThat(recorder.size()).isPositive();
        int[] iterations = recorder.iterations();
        for (String key : recorder.parameterKeys()) {
            double[] applied = recorder.learningRates(key);
            double initial = applied[0];
            for (int i = 0; i < applied.length; i++) {
                assertThat(applied[i]).as("%s at iteration %s", key, iterations[i])
                        .isCloseTo(initial * scale.at(i), within(1e-15));
            }
        }
    }

    private static double validationLoss(Model model) {
        ListDataSetIterator<DataSet> it = TestData.iterator(VALID, VALID_BATCH);
        double sum = 0;
        long n = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            double score = model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).score(ds, false)
                    : ((ComputationGraph) model).score(ds, false);
            sum += score * ds.numExamples();
            n += ds.numExamples();
        }
        return sum / n;
    }

    private static Evaluation evaluation(Model model) {
        ListDataSetIterator<DataSet> it = TestData.iterator(VALID, VALID_BATCH);
        return model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).evaluate(it)
                : ((ComputationGraph) model).evaluate(it);
    }

    private static Layer[] layers(Model model) {
        return model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getLayers()
                : ((ComputationGraph) model).getLayers();
    }

    private static String key(Model model, Layer layer, String param) {
        return (model instanceof ComputationGraph ? layer.conf().getLayer().getLayerName()
                : String.valueOf(layer.getIndex())) + "_" + param;
    }

    /**
     * The updater configuration of every parameter that trains with a learning rate, keyed like the recorder; read
     * from {@code layer.getConfig()} as the updater blocks do (a frozen layer has none).
     */
    private static Map<String, IUpdater> updaterConfigs(Model model) {
        Map<String, IUpdater> result = new TreeMap<>();
        for (Layer layer : layers(model)) {
            for (String param : layer.paramTable(false).keySet()) {
                IUpdater updater = layer.getConfig().getUpdaterByParam(param);
                if (updater != null && updater.hasLearningRate()) {
                    result.put(key(model, layer, param), updater);
                }
            }
        }
        return result;
    }

    /** The configured rate of every parameter for the model's next step. */
    private static Map<String, Double> configuredRates(Model model) {
        int iteration = model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getIterationCount()
                : ((ComputationGraph) model).getIterationCount();
        int epoch = model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getEpochCount()
                : ((ComputationGraph) model).getEpochCount();
        Map<String, Double> result = new TreeMap<>();
        updaterConfigs(model).forEach((k, u) -> result.put(k, u.getLearningRate(iteration, epoch)));
        return result;
    }

    private static ISchedule scheduleOf(IUpdater updater) {
        if (updater instanceof Sgd) {
            return ((Sgd) updater).getLearningRateSchedule();
        }
        if (updater instanceof Nesterovs) {
            return ((Nesterovs) updater).getLearningRateSchedule();
        }
        throw new IllegalArgumentException(updater.toString());
    }

    /**
     * Records, per iteration and per worker model, the learning rate each parameter is trained with, twice: from the
     * configuration held by the running updater blocks' {@code GradientUpdater}s (not the layer configuration), and
     * measured from the parameter step itself (Sgd: {@code step = -lr * gradient / batch}, the gradient taken in
     * {@code onGradientCalculation}, before the updater runs). Shared by the ParallelWrapper workers, so synchronized.
     */
    private static final class AppliedRateProbe extends BaseTrainingListener {
        static final class Record {
            final int fit;
            final Model model;
            final Map<String, Double> rates;
            final Map<String, Double> measured;

            Record(int fit, Model model, Map<String, Double> rates, Map<String, Double> measured) {
                this.fit = fit;
                this.model = model;
                this.rates = rates;
                this.measured = measured;
            }
        }

        volatile int fit;
        private final List<Record> records = new ArrayList<>();
        /** Per model: parameter key -> {parameters before the step, raw gradient}. */
        private final Map<Model, Map<String, INDArray[]>> beforeStep = new IdentityHashMap<>();

        @Override
        public synchronized void onGradientCalculation(Model model) {
            Map<String, INDArray[]> snapshot = new TreeMap<>();
            for (Map.Entry<String, INDArray> e : model.paramTable().entrySet()) {
                INDArray gradient = model.gradient().getGradientFor(e.getKey());
                snapshot.put(e.getKey(), new INDArray[] {e.getValue().dup(), gradient.dup()});
            }
            beforeStep.put(model, snapshot);
        }

        @Override
        public synchronized void iterationDone(Model model, int iteration, int epoch) {
            BaseMultiLayerUpdater<?> updater = model instanceof MultiLayerNetwork
                    ? (BaseMultiLayerUpdater<?>) ((MultiLayerNetwork) model).getUpdater(false)
                    : ((ComputationGraph) model).getUpdater(false);
            Map<String, Double> rates = new TreeMap<>();
            for (UpdaterBlock block : updater.getUpdaterBlocks()) {
                IUpdater config = block.getGradientUpdater().getConfig();
                for (UpdaterBlock.ParamState state : block.getLayersAndVariablesInBlock()) {
                    // A graph's blocks hold its LayerVertex objects, a MultiLayerNetwork's its layers.
                    Trainable trainable = state.getLayer();
                    String name = model instanceof ComputationGraph ? trainable.getConfig().getLayerName()
                            : String.valueOf(((Layer) trainable).getIndex());
                    if (config.hasLearningRate()) {
                        rates.put(name + "_" + state.getParamName(), config.getLearningRate(iteration, epoch));
                    }
                }
            }
            Map<String, Double> measured = new TreeMap<>();
            Map<String, INDArray[]> before = beforeStep.remove(model);
            for (Map.Entry<String, INDArray[]> e : before.entrySet()) {
                INDArray step = model.getParam(e.getKey()).sub(e.getValue()[0]);
                INDArray meanGradient = e.getValue()[1].div(BATCH);
                double lr = -step.mul(meanGradient).sumNumber().doubleValue()
                        / meanGradient.mul(meanGradient).sumNumber().doubleValue();
                measured.put(e.getKey(), lr);
            }
            records.add(new Record(fit, model, rates, measured));
        }

        synchronized List<Record> recordsOf(int fit) {
            List<Record> result = new ArrayList<>();
            for (Record r : records) {
                if (r.fit == fit) {
                    result.add(r);
                }
            }
            return result;
        }
    }
}
