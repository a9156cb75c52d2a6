package io.github.lrschedules.averaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import io.github.lrschedules.weights.EvaluationWeights;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * What users rely on beyond the reference values: resuming from a checkpoint continues the average exactly, opening
 * the averaged weights changes nothing, BatchNorm statistics recomputed at the average are the population statistics
 * there, the entry point for loops without callbacks, argument checks, and no allocation per update.
 */
class WeightAveragingTest {

    @BeforeAll
    static void precision() {
        AveragingCases.doublePrecision();
    }

    @AfterEach
    void directLoopBack() {
        Lerp.allowDirect = true;
    }

    private static Model network(boolean graph) {
        return graph ? TestNets.graph(new Adam(0.01)) : TestNets.mlp(new Adam(0.01));
    }

    private static Supplier<WeightAveraging> averaging(boolean graph) {
        // EMA with warmup on the MultiLayerNetwork, SWA on the ComputationGraph
        return graph ? () -> WeightAveraging.swa().startEpoch(1).build()
                : () -> WeightAveraging.ema(0.99).warmup().updateAfterStep(2).build();
    }

    private static double[] values(INDArray a) {
        return a.dup().data().asDouble();
    }

    @ParameterizedTest(name = "graph {0}")
    @ValueSource(booleans = {false, true})
    void checkpointHalfwayThenRestoreGivesTheAverageOfAnUninterruptedRun(boolean graph, @TempDir Path dir)
            throws IOException {
        DataSetIterator data = TestData.blobs();
        Model uninterrupted = network(graph);
        WeightAveraging whole = averaging(graph).get();
        uninterrupted.addListeners(whole);
        TestNets.fitEpochs(uninterrupted, data, 4);

        Model first = network(graph);
        WeightAveraging firstHalf = averaging(graph).get();
        first.addListeners(firstHalf);
        TestNets.fitEpochs(first, data, 2);
        File zip = dir.resolve("checkpoint.zip").toFile();
        firstHalf.checkpoint(first, zip);

        Model restored = graph ? ModelSerializer.restoreComputationGraph(zip, true)
                : ModelSerializer.restoreMultiLayerNetwork(zip, true);
        WeightAveraging secondHalf = averaging(graph).get();
        secondHalf.restoreState(zip);
        assertThat(secondHalf.updates()).isEqualTo(firstHalf.updates()).isPositive();
        restored.addListeners(secondHalf);
        TestNets.fitEpochs(restored, data, 2);

        assertThat(secondHalf.updates()).isEqualTo(whole.updates());
        assertThat(values(secondHalf.averagedParameters())).containsExactly(values(whole.averagedParameters()));
        assertThat(values(restored.params())).containsExactly(values(uninterrupted.params()));
    }

    @Test
    void saveStateAddsTheAverageToAModelZipAndReplacesAnEarlierOne(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = TestNets.mlp(new Adam(0.01));
        WeightAveraging ema = WeightAveraging.ema(0.9).build();
        net.addListeners(ema);
        TestNets.fitEpochs(net, TestData.blobs(), 1);
        File zip = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(net, zip, true);
        ema.saveState(zip);
        TestNets.fitEpochs(net, TestData.blobs(), 1);
        ema.saveState(zip);

        WeightAveraging restored = WeightAveraging.ema(0.9).build();
        restored.restoreState(zip);
        assertThat(restored.updates()).isEqualTo(ema.updates()).isEqualTo(2L * TestData.ITERATIONS_PER_EPOCH);
        assertThat(values(restored.averagedParameters())).containsExactly(values(ema.averagedParameters()));
        assertThat(ModelSerializer.restoreMultiLayerNetwork(zip, true).numParams()).isEqualTo(net.numParams());
    }

    @Test
    void aStateIsRestoredOnlyIntoAListenerBuiltTheSameWay(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = TestNets.mlp(new Adam(0.01));
        WeightAveraging ema = WeightAveraging.ema(0.9).everyIterations(2).build();
        net.addListeners(ema);
        TestNets.fitEpochs(net, TestData.blobs(), 1);
        File zip = dir.resolve("checkpoint.zip").toFile();
        ema.checkpoint(net, zip);

        assertThatThrownBy(() -> WeightAveraging.ema(0.9).build().restoreState(zip))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ema(0.9).minDecay(0.0).updateAfterStep(0).everyIterations(2)")
                .hasMessageContaining("ema(0.9).minDecay(0.0).updateAfterStep(0).everyIterations(1)");
        File plain = dir.resolve("plain.zip").toFile();
        ModelSerializer.writeModel(net, plain, true);
        assertThatThrownBy(() -> WeightAveraging.swa().build().restoreState(plain))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no WeightAveraging state");
        assertThatThrownBy(() -> ema.saveState(dir.resolve("missing.zip").toFile()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a file");
    }

    /** Opens and closes the averaged weights after every iteration, after the averaging listener has run. */
    private static final class Peek extends BaseTrainingListener {
        private final WeightAveraging averaging;
        int opened;

        Peek(WeightAveraging averaging) {
            this.averaging = averaging;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            try (EvaluationWeights at = averaging.evaluationWeights(model)) {
                model.score();
                opened++;
            }
        }
    }

    @ParameterizedTest(name = "graph {0}")
    @ValueSource(booleans = {false, true})
    void openingTheAverageEveryIterationChangesNothing(boolean graph) {
        WeightAveraging alone = WeightAveraging.ema(0.95).build();
        Model plain = network(graph);
        plain.addListeners(alone);
        TestNets.fitEpochs(plain, TestData.blobs(), 2);

        WeightAveraging watched = WeightAveraging.ema(0.95).build();
        Model peeked = network(graph);
        Peek peek = new Peek(watched);
        peeked.addListeners(watched, peek);
        TestNets.fitEpochs(peeked, TestData.blobs(), 2);

        assertThat(peek.opened).isEqualTo(2 * TestData.ITERATIONS_PER_EPOCH);
        assertThat(values(peeked.params())).containsExactly(values(plain.params()));
        assertThat(values(watched.averagedParameters())).containsExactly(values(alone.averagedParameters()));
    }

    @Test
    void theNetworkHoldsTheAverageUntilCloseRestoresTheTrainingWeightsBitForBit() {
        MultiLayerNetwork net = TestNets.mlp(new Nesterovs(0.05, 0.9));
        WeightAveraging swa = WeightAveraging.swa().build();
        net.addListeners(swa);
        TestNets.fitEpochs(net, TestData.blobs(), 3);
        double[] training = values(net.params());
        double[] average = values(swa.averagedParameters());
        assertThat(average).isNotEqualTo(training);
        try (EvaluationWeights at = swa.evaluationWeights(net)) {
            assertThat(values(net.params())).containsExactly(average);
            assertThatThrownBy(() -> swa.update(net)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("evaluation weights");
        }
        assertThat(values(net.params())).containsExactly(training);
        assertThat(swa.updates()).isEqualTo(3);
    }

    private static MultiLayerNetwork batchNormNet() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(new Nesterovs(0.05, 0.9)).list()
                .layer(new DenseLayer.Builder().nIn(TestData.FEATURES).nOut(8).activation(Activation.TANH).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(TestData.CLASSES).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void batchNormStatisticsRecomputedAtTheAverageMakeInferenceEqualTrainingOnTheFullBatch() {
        MultiLayerNetwork net = batchNormNet();
        WeightAveraging swa = WeightAveraging.swa().build();
        net.addListeners(swa);
        TestNets.fitEpochs(net, TestData.blobs(), 3);
        DataSet all = TestData.blobs(TestData.FEATURES, 12345L);
        double[] training = values(net.params());
        INDArray runningMean = net.getLayer(1).getParam("mean").dup();
        try (EvaluationWeights at = swa.evaluationWeights(net)) {
            // the running statistics are part of the average
            assertThat(values(net.getLayer(1).getParam("mean"))).isNotEqualTo(values(runningMean));
            INDArray trainingMode = net.output(all.getFeatures(), true).dup();
            assertThat(maxDifference(net.output(all.getFeatures(), false), trainingMode)).isGreaterThan(1e-4);
            at.recomputeBatchNormStatistics(new ListDataSetIterator<>(all.asList(), 32));
            assertThat(maxDifference(net.output(all.getFeatures(), false), trainingMode)).isLessThan(1e-9);
        }
        assertThat(values(net.params())).containsExactly(training);
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void aLoopWithoutCallbacksGetsTheListenersAverageFromEpochEnded() {
        DataSetIterator data = TestData.blobs();
        MultiLayerNetwork listened = TestNets.mlp(new Adam(0.01));
        WeightAveraging byListener = WeightAveraging.swa().startEpoch(1).everyEpochs(2).build();
        listened.addListeners(byListener);
        TestNets.fitEpochs(listened, data, 5);

        MultiLayerNetwork driven = TestNets.mlp(new Adam(0.01));
        WeightAveraging byDriver = WeightAveraging.swa().startEpoch(1).everyEpochs(2).build();
        boolean[] averaged = new boolean[5];
        for (int epoch = 0; epoch < 5; epoch++) {
            TestNets.fitEpochs(driven, data, 1);
            // as a Spark driver after fit: the network's epoch count has advanced already
            averaged[epoch] = byDriver.epochEnded(driven, epoch);
        }
        assertThat(averaged).containsExactly(false, true, false, true, false);
        assertThat(byDriver.updates()).isEqualTo(byListener.updates()).isEqualTo(2);
        assertThat(values(byDriver.averagedParameters())).containsExactly(values(byListener.averagedParameters()));

        WeightAveraging ema = WeightAveraging.ema(0.5).build();
        assertThat(ema.epochEnded(driven, 0)).isTrue();
        assertThat(ema.epochEnded(driven, 1)).isTrue();
        assertThat(ema.updates()).isEqualTo(2);
        ema.update(driven);
        assertThat(ema.updates()).isEqualTo(3);
    }

    @Test
    void aLoopWithoutIterationCallbacksRefusesAnIterationTimedAverage() {
        MultiLayerNetwork net = TestNets.mlp(new Adam(0.01));
        assertThatThrownBy(() -> WeightAveraging.ema(0.9).everyIterations(4).build().epochEnded(net, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("every 4 iterations");
        assertThatThrownBy(() -> WeightAveraging.swa().everyIterations(3).build().epochEnded(net, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("every 3 iterations");
        assertThatThrownBy(() -> WeightAveraging.swa().build().epochEnded(net, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch (-1)");
    }

    @Test
    void beforeTheFirstUpdateThereIsNoAverage() {
        WeightAveraging ema = WeightAveraging.ema(0.9).build();
        MultiLayerNetwork net = TestNets.mlp(new Adam(0.01));
        assertThat(ema.updates()).isZero();
        assertThatThrownBy(ema::averagedParameters).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no average yet");
        assertThatThrownBy(() -> ema.evaluationWeights(net)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no average yet");
    }

    @Test
    void oneAveragePerNetwork() {
        WeightAveraging ema = WeightAveraging.ema(0.9).build();
        ema.update(TestNets.mlp(new Adam(0.01)));
        MultiLayerNetwork other = TestNets.noisyMlp(new Adam(0.01));
        assertThatThrownBy(() -> ema.update(other)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("one WeightAveraging per network");
        assertThatThrownBy(() -> ema.evaluationWeights(other)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badArgumentsAreRefusedWithTheArgumentNamed() {
        assertThatThrownBy(() -> WeightAveraging.ema(1.0).build()).hasMessageContaining("decay (1.0)");
        assertThatThrownBy(() -> WeightAveraging.ema(Double.NaN).build()).hasMessageContaining("decay (NaN)");
        assertThatThrownBy(() -> WeightAveraging.ema(-0.1).build()).hasMessageContaining("decay (-0.1)");
        assertThatThrownBy(() -> WeightAveraging.ema(0.9).minDecay(0.95).build())
                .hasMessageContaining("minDecay (0.95) must be <= decay (0.9)");
        assertThatThrownBy(() -> WeightAveraging.ema(0.9).warmup(0, 0.75).build())
                .hasMessageContaining("warmup gamma (0.0)");
        assertThatThrownBy(() -> WeightAveraging.ema(0.9).warmup(1, Double.NaN).build())
                .hasMessageContaining("warmup power (NaN)");
        assertThatThrownBy(() -> WeightAveraging.ema(0.9).updateAfterStep(-1).build())
                .hasMessageContaining("updateAfterStep (-1)");
        assertThatThrownBy(() -> WeightAveraging.ema(0.9).everyIterations(0).build())
                .hasMessageContaining("everyIterations (0)");
        assertThatThrownBy(() -> WeightAveraging.swa().startEpoch(-2).build()).hasMessageContaining("startEpoch (-2)");
        assertThatThrownBy(() -> WeightAveraging.swa().everyEpochs(0).build()).hasMessageContaining("everyEpochs (0)");
        assertThatThrownBy(() -> WeightAveraging.swa().everyIterations(-3).build())
                .hasMessageContaining("everyIterations (-3)");
        assertThatThrownBy(() -> WeightAveraging.swa().everyEpochs(2).everyIterations(5).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("everyEpochs(2) and everyIterations(5) contradict each other");
        assertThatThrownBy(() -> WeightAveraging.ema(0.9).build().update(null))
                .hasMessageContaining("net must be a MultiLayerNetwork or a ComputationGraph");
    }

    @Test
    void floatNetworksAverageInTheOnePassLoopAsInNd4j() {
        MultiLayerNetwork direct = TestNets.mlp(new Adam(0.01)).convertDataType(DataType.FLOAT);
        MultiLayerNetwork nd4j = direct.clone();
        WeightAveraging byLoop = WeightAveraging.ema(0.9).build();
        WeightAveraging byNd4j = WeightAveraging.ema(0.9).build();
        direct.addListeners(byLoop);
        nd4j.addListeners(byNd4j);
        TestNets.fitEpochs(direct, TestData.blobs(), 1);
        Lerp.allowDirect = false;
        TestNets.fitEpochs(nd4j, TestData.blobs(), 1);
        INDArray a = byLoop.averagedParameters();
        INDArray b = byNd4j.averagedParameters();
        assertThat(a.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(a.sub(b).amaxNumber().doubleValue()).isLessThan(1e-6);
        assertThat(a.sub(direct.params()).amaxNumber().doubleValue()).isGreaterThan(1e-4);
    }

    @ParameterizedTest(name = "graph {0}")
    @ValueSource(booleans = {false, true})
    void anUpdateAllocatesNothingAfterTheFirst(boolean graph) {
        Model net = network(graph);
        // past the first steps, where the rule copies (k == 0)
        TestNets.fitEpochs(net, TestData.blobs(), 1);
        WeightAveraging ema = WeightAveraging.ema(0.999).warmup().build();
        ema.update(net);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int updates = 5_000;
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < updates; i++) {
                ema.update(net);
            }
            best = Math.min(best, threads.getThreadAllocatedBytes(thread) - before);
        }
        System.out.printf("WeightAveraging update (%s, %d parameters): %.2f bytes allocated per update%n",
                graph ? "ComputationGraph" : "MultiLayerNetwork", net.numParams(), (double) best / updates);
        // one allocation per update would be at least 16 bytes each: 80,000 bytes
        assertThat(best).as("bytes allocated by %s updates", updates).isLessThan(4096);

        // for BENCHMARKS.md: the ND4J path (CUDA, half precision) allocates op descriptors, no arrays
        Lerp.allowDirect = false;
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < updates; i++) {
            ema.update(net);
        }
        System.out.printf("WeightAveraging update through ND4J ops (%s): %.0f bytes allocated per update%n",
                graph ? "ComputationGraph" : "MultiLayerNetwork",
                (double) (threads.getThreadAllocatedBytes(thread) - before) / updates);
    }
}
