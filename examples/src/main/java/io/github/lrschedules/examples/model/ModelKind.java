package io.github.lrschedules.examples.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The networks the examples train; both end in a 10-way softmax. */
public enum ModelKind {

    /**
     * Fully connected 784-500-100-10, ReLU, softmax, dropout on the inputs of every layer (each kept with probability
     * 0.8): about 0.44M parameters, fast on a CPU. Without dropout it learns the 7,200 training digits of the embedded
     * subset by heart within a few epochs, after which the learning rate hardly matters.
     */
    MLP("mlp", "MLP 784-500-100-10 (ReLU, softmax, dropout 0.2)", 0.1) {
        @Override
        MultiLayerConfiguration configure(NeuralNetConfiguration.Builder builder, int rows, int columns, int classes,
                                          CNN2DFormat format) {
            return builder.dropOut(KEEP_PROBABILITY).list()
                    .layer(new DenseLayer.Builder().nIn(rows * columns).nOut(500).build())
                    .layer(new DenseLayer.Builder().nOut(100).build())
                    .layer(output(classes))
                    .setInputType(InputType.feedForward(rows * columns))
                    .build();
        }
    },

    /**
     * LeNet-5-like CNN as in DL4J's own MNIST example: conv 5x5x20, max-pool 2x2, conv 5x5x50, max-pool 2x2, dense 500
     * (ReLU), softmax, the convolutions linear with Xavier initialisation as there: about 0.43M parameters, most of the
     * compute in the convolutions.
     */
    LENET("lenet", "LeNet-5-like CNN (conv5x5x20, pool, conv5x5x50, pool, dense 500, softmax)", 0.05) {
        @Override
        MultiLayerConfiguration configure(NeuralNetConfiguration.Builder builder, int rows, int columns, int classes,
                                          CNN2DFormat format) {
            // NCHW takes the flat rows as they are; NHWC takes [batch, rows, columns, 1] (see featureShape).
            InputType input = format == CNN2DFormat.NCHW ? InputType.convolutionalFlat(rows, columns, 1)
                    : InputType.convolutional(rows, columns, 1, format);
            return builder.list()
                    .layer(new ConvolutionLayer.Builder(5, 5).nIn(1).stride(1, 1).nOut(20)
                            .activation(Activation.IDENTITY).weightInit(WeightInit.XAVIER).dataFormat(format).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                            .dataFormat(format).build())
                    .layer(new ConvolutionLayer.Builder(5, 5).stride(1, 1).nOut(50).activation(Activation.IDENTITY)
                            .weightInit(WeightInit.XAVIER).dataFormat(format).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                            .dataFormat(format).build())
                    .layer(new DenseLayer.Builder().nOut(500).build())
                    .layer(output(classes))
                    .setInputType(input)
                    .build();
        }
    };

    /** DL4J's dropOut(p) takes the probability of keeping an input. */
    static final double KEEP_PROBABILITY = 0.8;

    private final String id;
    private final String description;
    private final double defaultLearningRate;

    ModelKind(String id, String description, double defaultLearningRate) {
        this.id = id;
        this.description = description;
        this.defaultLearningRate = defaultLearningRate;
    }

    /** The peak learning rate used without --lr: the largest that trains the model stably with Nesterov 0.9. */
    public double defaultLearningRate() {
        return defaultLearningRate;
    }

    /** The name on the command line. */
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** The kind called {@code id} (case-insensitive), or null. */
    public static ModelKind byId(String id) {
        for (ModelKind kind : values()) {
            if (kind.id.equalsIgnoreCase(id)) {
                return kind;
            }
        }
        return null;
    }

    abstract MultiLayerConfiguration configure(NeuralNetConfiguration.Builder builder, int rows, int columns,
                                               int classes, CNN2DFormat format);

    /**
     * Shape of a batch of {@code batch} flat images that the network built with {@code format} takes: the flat rows
     * for NCHW (and for the MLP), {@code [batch, rows, columns, 1]} for NHWC (the same bytes, as there is one channel).
     */
    public long[] featureShape(long batch, int rows, int columns, CNN2DFormat format) {
        return this == LENET && format == CNN2DFormat.NHWC ? new long[] {batch, rows, columns, 1}
                : new long[] {batch, (long) rows * columns};
    }

    /**
     * An initialised network for {@code rows x columns} grey images and {@code classes} classes: ReLU with He
     * initialisation, {@code updater} on every parameter, initial weights fixed by {@code seed}.
     */
    public MultiLayerNetwork build(IUpdater updater, long seed, DataType dataType, WorkspaceMode workspaceMode,
                                   int rows, int columns, int classes) {
        return build(updater, seed, dataType, workspaceMode, rows, columns, classes, CNN2DFormat.NCHW);
    }

    /**
     * As {@link #build(IUpdater, long, DataType, WorkspaceMode, int, int, int)}, with the convolutions and poolings
     * of LeNet in {@code format} (the MLP ignores it); feed it batches of {@link #featureShape}.
     */
    public MultiLayerNetwork build(IUpdater updater, long seed, DataType dataType, WorkspaceMode workspaceMode,
                                   int rows, int columns, int classes, CNN2DFormat format) {
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType)
                .trainingWorkspaceMode(workspaceMode)
                .inferenceWorkspaceMode(workspaceMode)
                .weightInit(WeightInit.RELU)
                .activation(Activation.RELU)
                .updater(updater);
        MultiLayerNetwork net = new MultiLayerNetwork(configure(builder, rows, columns, classes, format));
        net.init();
        return net;
    }

    private static OutputLayer output(int classes) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nOut(classes)
                .activation(Activation.SOFTMAX)
                .weightInit(WeightInit.XAVIER)
                .build();
    }

    @Override
    public String toString() {
        return id;
    }
}
