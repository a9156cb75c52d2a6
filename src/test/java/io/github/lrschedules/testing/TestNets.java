package io.github.lrschedules.testing;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Small double-precision networks for the real-training tests, all with a fixed seed: for the clean blobs of
 * {@link TestData} ({@link #mlp}, {@link #cnn}, {@link #graph}), and for its noisy blobs with an updater per layer
 * ({@link #noisyMlp}, {@link #noisyGraph}).
 */
public final class TestNets {

    public static final long SEED = 42L;

    private TestNets() {
    }

    /** Builder with the seed, double precision and the given updater for every layer. */
    public static NeuralNetConfiguration.Builder base(IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER)
                .activation(Activation.TANH)
                .updater(updater);
    }

    /** 20 -> 16 -> 12 -> 3, keys {@code 0_W ... 2_b}. */
    public static MultiLayerConfiguration mlpConf(NeuralNetConfiguration.Builder builder) {
        return builder.list()
                .layer(new DenseLayer.Builder().nIn(TestData.FEATURES).nOut(16).build())
                .layer(new DenseLayer.Builder().nIn(16).nOut(12).build())
                .layer(output(12))
                .build();
    }

    public static MultiLayerNetwork mlp(IUpdater updater) {
        return init(mlpConf(base(updater)));
    }

    /** Conv 3x3 (8x8 -> 6x6, 4 channels) -> max pool 2x2 (3x3) -> dense 16 -> 3, on flattened 8x8x1 input. */
    public static MultiLayerNetwork cnn(IUpdater updater) {
        MultiLayerConfiguration conf = base(updater).list()
                .layer(new ConvolutionLayer.Builder(3, 3).stride(1, 1).nOut(4).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new DenseLayer.Builder().nOut(16).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(TestData.CLASSES).build())
                .setInputType(InputType.convolutionalFlat(8, 8, 1))
                .build();
        return init(conf);
    }

    /** in -> {left (12), right (8)} -> merge -> out (3); keys {@code left_W, left_b, right_W, ..., out_b}. */
    public static ComputationGraphConfiguration graphConf(NeuralNetConfiguration.Builder builder) {
        return builder.graphBuilder()
                .addInputs("in")
                .addLayer("left", new DenseLayer.Builder().nIn(TestData.FEATURES).nOut(12).build(), "in")
                .addLayer("right", new DenseLayer.Builder().nIn(TestData.FEATURES).nOut(8).build(), "in")
                .addVertex("merge", new MergeVertex(), "left", "right")
                .addLayer("out", output(20), "merge")
                .setOutputs("out")
                .build();
    }

    public static ComputationGraph graph(IUpdater updater) {
        ComputationGraph graph = new ComputationGraph(graphConf(base(updater)));
        graph.init();
        return graph;
    }

    public static OutputLayer output(int nIn) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX)
                .nIn(nIn)
                .nOut(TestData.CLASSES)
                .build();
    }

    public static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** {@code epochs} calls of {@code fit(DataSetIterator)}, each from the start of the data. */
    public static void fitEpochs(Model model, DataSetIterator data, int epochs) {
        for (int e = 0; e < epochs; e++) {
            data.reset();
            if (model instanceof MultiLayerNetwork) {
                ((MultiLayerNetwork) model).fit(data);
            } else {
                ((ComputationGraph) model).fit(data);
            }
        }
    }

    /**
     * For {@link TestData#noisyBlobs}: a two-hidden-layer MLP (10 -> 16 tanh -> 16 relu -> 4); the second layer has
     * its own updater and the first a separate bias updater (either may be null).
     */
    public static MultiLayerNetwork noisyMlp(IUpdater updater, IUpdater secondLayerUpdater, IUpdater biasUpdater) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.DOUBLE)
                .updater(updater)
                .list();
        DenseLayer.Builder first = new DenseLayer.Builder().nIn(TestData.NOISY_FEATURES).nOut(16)
                .activation(Activation.TANH);
        if (biasUpdater != null) {
            first.biasUpdater(biasUpdater);
        }
        DenseLayer.Builder second = new DenseLayer.Builder().nIn(16).nOut(16).activation(Activation.RELU);
        if (secondLayerUpdater != null) {
            second.updater(secondLayerUpdater);
        }
        MultiLayerConfiguration conf = list.layer(first.build()).layer(second.build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(TestData.NOISY_CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        return init(conf);
    }

    /** {@link #noisyMlp(IUpdater, IUpdater, IUpdater)} with one updater for everything. */
    public static MultiLayerNetwork noisyMlp(IUpdater updater) {
        return noisyMlp(updater, null, null);
    }

    /**
     * For {@link TestData#noisyBlobs}: a graph {@code in -> {left (12, tanh), right (8, relu)} -> merge -> out (4)};
     * {@code left} has its own updater and {@code right} a separate bias updater (either may be null). Parameter
     * keys {@code left_W ... out_b}.
     */
    public static ComputationGraph noisyGraph(IUpdater updater, IUpdater leftUpdater, IUpdater rightBiasUpdater) {
        DenseLayer.Builder left = new DenseLayer.Builder().nIn(TestData.NOISY_FEATURES).nOut(12)
                .activation(Activation.TANH);
        if (leftUpdater != null) {
            left.updater(leftUpdater);
        }
        DenseLayer.Builder right = new DenseLayer.Builder().nIn(TestData.NOISY_FEATURES).nOut(8)
                .activation(Activation.RELU);
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
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(20)
                        .nOut(TestData.NOISY_CLASSES).activation(Activation.SOFTMAX).build(), "merge")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }
}
