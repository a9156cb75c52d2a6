package io.github.lrschedules.schedulefree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.datasets.iterator.utilty.SingletonMultiDataSetIterator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link ScheduleFree.EvaluationWeights#recomputeBatchNormStatistics}: after it, a BatchNorm layer's inference output
 * on the whole data set equals its training-mode output on the whole data set as one batch (the statistics are the
 * exact population mean and variance at x), although the iterator hands out batches of 4; close() puts the old
 * statistics back.
 */
class BatchNormStatisticsTest {

    @BeforeAll
    static void precision() {
        ReferenceCases.doublePrecision();
    }

    private static MultiLayerNetwork net(boolean useLogStd) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(new AdamWScheduleFree(0.02, 0.9, 0.999, 1e-8, 2, 0)).list()
                .layer(new DenseLayer.Builder().nIn(ReferenceCases.N_IN).nOut(6).activation(Activation.TANH).build())
                .layer(new BatchNormalization.Builder().useLogStd(useLogStd).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nOut(ReferenceCases.N_OUT).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @ParameterizedTest(name = "useLogStd {0}")
    @ValueSource(booleans = {true, false})
    void recomputedStatisticsAreThePopulationStatisticsAtX(boolean useLogStd) {
        DataSet data = ReferenceCases.data();
        MultiLayerNetwork net = net(useLogStd);
        for (int i = 0; i < 15; i++) {
            net.fit(data);
        }
        double[] y = net.params().dup().data().asDouble();
        try (ScheduleFree.EvaluationWeights at = ScheduleFree.evaluationWeights(net)) {
            INDArray inference = bnOutput(net, data, false);
            INDArray training = bnOutput(net, data, true);
            assertThat(maxDifference(inference, training)).as("statistics gathered at y").isGreaterThan(1e-3);
            List<DataSet> batches = data.asList();
            at.recomputeBatchNormStatistics(new ListDataSetIterator<>(batches, 4));
            assertThat(maxDifference(bnOutput(net, data, false), training)).isLessThan(1e-9);
        }
        assertThat(net.params().data().asDouble()).containsExactly(y);
    }

    private static ComputationGraph graph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(new SgdScheduleFree(0.05, 0.9, 2)).graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(ReferenceCases.N_IN).nOut(6)
                        .activation(Activation.TANH).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().nIn(6).nOut(6).build(), "dense")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nIn(6).nOut(ReferenceCases.N_OUT).build(), "bn")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    @Test
    void computationGraphStatisticsAreThePopulationStatisticsAtX() {
        DataSet data = ReferenceCases.data();
        ComputationGraph graph = graph();
        for (int i = 0; i < 15; i++) {
            graph.fit(data);
        }
        double[] y = graph.params().dup().data().asDouble();
        double[] statisticsAtY = graph.getLayer("bn").params().dup().data().asDouble();
        try (ScheduleFree.EvaluationWeights at = ScheduleFree.evaluationWeights(graph)) {
            INDArray training = graph.feedForward(new INDArray[] {data.getFeatures()}, true).get("bn").dup();
            INDArray inference = graph.feedForward(new INDArray[] {data.getFeatures()}, false).get("bn").dup();
            assertThat(maxDifference(inference, training)).as("statistics gathered at y").isGreaterThan(1e-3);
            at.recomputeBatchNormStatistics(new ListDataSetIterator<>(data.asList(), 4));
            INDArray recomputed = graph.feedForward(new INDArray[] {data.getFeatures()}, false).get("bn");
            assertThat(maxDifference(recomputed, training)).isLessThan(1e-9);
        }
        assertThat(graph.params().data().asDouble()).containsExactly(y);
        assertThat(graph.getLayer("bn").params().data().asDouble()).containsExactly(statisticsAtY);
    }

    @Test
    void multiDataSetIteratorNeedsAGraph() {
        MultiLayerNetwork net = net(false);
        try (ScheduleFree.EvaluationWeights at = ScheduleFree.evaluationWeights(net)) {
            assertThatThrownBy(() -> at.recomputeBatchNormStatistics(new SingletonMultiDataSetIterator(
                    new org.nd4j.linalg.dataset.MultiDataSet(ReferenceCases.data().getFeatures(),
                            ReferenceCases.data().getLabels()))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a ComputationGraph");
        }
    }

    @Test
    void closedWeightsRefuseRecomputation() {
        MultiLayerNetwork net = net(true);
        ScheduleFree.EvaluationWeights at = ScheduleFree.evaluationWeights(net);
        at.close();
        assertThatThrownBy(() -> at.recomputeBatchNormStatistics(
                new ListDataSetIterator<>(ReferenceCases.data().asList(), 4)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    private static INDArray bnOutput(MultiLayerNetwork net, DataSet data, boolean train) {
        return net.feedForward(data.getFeatures(), train).get(2).dup();
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }
}
