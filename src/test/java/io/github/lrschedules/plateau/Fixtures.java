package io.github.lrschedules.plateau;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small deterministic data and networks for the plateau tests. */
final class Fixtures {

    static final int FEATURES = 10;
    static final int CLASSES = 4;

    private Fixtures() {
    }

    /**
     * Four overlapping Gaussian blobs with 20% label noise: the loss improves for a few epochs and then stalls, which
     * is what a plateau rule is for.
     */
    static List<DataSet> blobs(int examples, long seed) {
        Random random = new Random(seed);
        double[][] centres = new double[CLASSES][FEATURES];
        Random centreRandom = new Random(42);
        for (double[] c : centres) {
            for (int f = 0; f < FEATURES; f++) {
                c[f] = centreRandom.nextGaussian();
            }
        }
        List<DataSet> list = new ArrayList<>();
        for (int i = 0; i < examples; i++) {
            int cls = random.nextInt(CLASSES);
            INDArray x = Nd4j.create(DataType.DOUBLE, 1, FEATURES);
            for (int f = 0; f < FEATURES; f++) {
                x.putScalar(0, f, centres[cls][f] + 0.9 * random.nextGaussian());
            }
            int label = random.nextDouble() < 0.2 ? random.nextInt(CLASSES) : cls;
            INDArray y = Nd4j.zeros(DataType.DOUBLE, 1, CLASSES);
            y.putScalar(0, label, 1.0);
            list.add(new DataSet(x, y));
        }
        return list;
    }

    static ListDataSetIterator<DataSet> iterator(List<DataSet> examples, int batch) {
        return new ListDataSetIterator<>(examples, batch);
    }

    /** A two-hidden-layer MLP; the second layer has its own updater and the first a separate bias updater. */
    static MultiLayerNetwork mlp(IUpdater updater, IUpdater secondLayerUpdater, IUpdater biasUpdater) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.DOUBLE)
                .updater(updater)
                .list();
        DenseLayer.Builder first = new DenseLayer.Builder().nIn(FEATURES).nOut(16).activation(Activation.TANH);
        if (biasUpdater != null) {
            first.biasUpdater(biasUpdater);
        }
        DenseLayer.Builder second = new DenseLayer.Builder().nIn(16).nOut(16).activation(Activation.RELU);
        if (secondLayerUpdater != null) {
            second.updater(secondLayerUpdater);
        }
        MultiLayerConfiguration conf = list.layer(first.build()).layer(second.build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static MultiLayerNetwork mlp(IUpdater updater) {
        return mlp(updater, null, null);
    }

    /**
     * A graph {@code in -> {left (12, tanh), right (8, relu)} -> merge -> out}; {@code left} has its own updater and
     * {@code right} a separate bias updater (either may be null). Parameter keys {@code left_W ... out_b}.
     */
    static ComputationGraph graph(IUpdater updater, IUpdater leftUpdater, IUpdater rightBiasUpdater) {
        DenseLayer.Builder left = new DenseLayer.Builder().nIn(FEATURES).nOut(12).activation(Activation.TANH);
        if (leftUpdater != null) {
            left.updater(leftUpdater);
        }
        DenseLayer.Builder right = new DenseLayer.Builder().nIn(FEATURES).nOut(8).activation(Activation.RELU);
        if (rightBiasUpdater != null) {
            right.biasUpdater(rightBiasUpdater);
        }
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.DOUBLE)
                .updater(updater)
                .graphBuilder()
                .addInputs("in")
                .addLayer("left", left.build(), "in")
                .addLayer("right", right.build(), "in")
                .addVertex("merge", new MergeVertex(), "left", "right")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(20).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "merge")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }
}
