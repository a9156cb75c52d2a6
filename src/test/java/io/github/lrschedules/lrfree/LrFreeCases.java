package io.github.lrschedules.lrfree;

import io.github.lrschedules.testing.ReferenceCsv;
import io.github.lrschedules.schedule.CosineDecaySchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
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
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The cases of {@code scripts/lrfree_reference.py} as DL4J networks: the same data, initial parameters and optimizer
 * settings, and the trajectories optax computed (resources {@code lrfree/*.csv}).
 */
enum LrFreeCases {
    PRODIGY("prodigy", Prodigy.builder().estimatedLr0(1e-3).build()),
    PRODIGY_DEFAULTS("prodigy_defaults", Prodigy.builder().build()),
    PRODIGY_COSINE_L2("prodigy_cosine_l2", Prodigy.builder().learningRate(cosine()).beta1(0.85).beta2(0.99)
            .estimatedLr0(1e-4).build(), null, 0.02, 0),
    PRODIGY_WEIGHT_DECAY("prodigy_weight_decay", Prodigy.builder().weightDecay(0.1).beta3(0.95)
            .estimatedLrCoefficient(0.5).epsilon(1e-6).estimatedLr0(1e-3).build()),
    PRODIGY_SAFEGUARD("prodigy_safeguard", Prodigy.builder()
            .learningRate(new WarmupCosineSchedule(ScheduleType.ITERATION, 1.0, 4, 40, 0.0, 0.0)).beta2(0.95)
            .safeguardWarmup(true).estimatedLr0(1e-2).build()),
    PRODIGY_DL4J_DECAY("prodigy_dl4j_decay", Prodigy.builder().estimatedLr0(1e-3).build(), null, 0, 0.05),
    PRODIGY_TWO_BLOCKS("prodigy_two_blocks", Prodigy.builder().estimatedLr0(1e-3).build(),
            Prodigy.builder().estimatedLr0(1e-2).estimatedLrCoefficient(2).build(), 0, 0),
    DADAPT("dadapt", DAdaptAdam.builder().estimatedLr0(1e-3).build()),
    DADAPT_COSINE_DECAY("dadapt_cosine_decay", DAdaptAdam.builder().learningRate(cosine()).beta1(0.8).beta2(0.99)
            .epsilon(1e-6).estimatedLr0(1e-4).weightDecay(0.05).build()),
    DOG("dog", Dog.builder().build()),
    DOG_COSINE_L2("dog_cosine_l2", Dog.builder().learningRate(cosine()).initialStep(1e-4).build(), null, 0.02, 0),
    DOG_DISTANCE("dog_distance", Dog.builder().initialDistance(0.01).epsilon(1e-6).build()),
    DOG_LEARNING_RATE("dog_learning_rate", Dog.builder().initialLearningRate(0.05).build());

    static final int STEPS = 40;
    static final int N_IN = 5;
    static final int N_OUT = 3;

    final String file;
    final IUpdater updater;
    final IUpdater biasUpdater;
    final double l2;
    final double dl4jWeightDecay;
    private List<String[]> rows;

    LrFreeCases(String file, IUpdater updater) {
        this(file, updater, null, 0, 0);
    }

    LrFreeCases(String file, IUpdater updater, IUpdater biasUpdater, double l2, double dl4jWeightDecay) {
        this.file = file;
        this.updater = updater;
        this.biasUpdater = biasUpdater;
        this.l2 = l2;
        this.dl4jWeightDecay = dl4jWeightDecay;
    }

    private static ISchedule cosine() {
        return new CosineDecaySchedule(ScheduleType.ITERATION, 1.0, STEPS, 0.0);
    }

    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    int blocks() {
        return biasUpdater == null ? 1 : 2;
    }

    private NeuralNetConfiguration.Builder base() {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE)
                .updater(updater.clone());
        if (biasUpdater != null) {
            b.biasUpdater(biasUpdater.clone());
        }
        if (l2 > 0) {
            b.l2(l2);
        }
        return b;
    }

    private OutputLayer output() {
        OutputLayer.Builder b = new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                .nIn(N_IN).nOut(N_OUT);
        if (dl4jWeightDecay > 0) {
            b.weightDecay(dl4jWeightDecay);
        }
        return b.build();
    }

    /** The network with the reference's initial parameters, without {@link LearningRateFree#attach}. */
    MultiLayerNetwork bareNetwork() {
        MultiLayerNetwork net = new MultiLayerNetwork(base().list().layer(output()).build());
        net.init();
        setParameters(net, params(0));
        return net;
    }

    /** The network with the reference's initial parameters, attached. */
    MultiLayerNetwork network() {
        MultiLayerNetwork net = bareNetwork();
        LearningRateFree.attach(net);
        return net;
    }

    /** The same model as a ComputationGraph (layer "out"), attached. */
    ComputationGraph graph() {
        ComputationGraph net = new ComputationGraph(base().graphBuilder().addInputs("in").addLayer("out", output(),
                "in").setOutputs("out").build());
        net.init();
        setParameters(net, params(0));
        LearningRateFree.attach(net);
        return net;
    }

    private static String layer(Model net) {
        return net instanceof MultiLayerNetwork ? "0" : "out";
    }

    /** The parameters in the script's order: W row by row ([nIn, nOut]), then b. */
    static double[] parameters(Model net) {
        INDArray w = net.getParam(layer(net) + "_W");
        INDArray b = net.getParam(layer(net) + "_b");
        double[] values = new double[(int) (w.length() + b.length())];
        int k = 0;
        for (int r = 0; r < w.rows(); r++) {
            for (int c = 0; c < w.columns(); c++) {
                values[k++] = w.getDouble(r, c);
            }
        }
        for (long i = 0; i < b.length(); i++) {
            values[k++] = b.getDouble(i);
        }
        return values;
    }

    static void setParameters(Model net, double[] values) {
        INDArray w = net.getParam(layer(net) + "_W").dup();
        INDArray b = net.getParam(layer(net) + "_b").dup();
        int k = 0;
        for (int r = 0; r < w.rows(); r++) {
            for (int c = 0; c < w.columns(); c++) {
                w.putScalar(r, c, values[k++]);
            }
        }
        for (long i = 0; i < b.length(); i++) {
            b.putScalar(i, values[k++]);
        }
        net.setParam(layer(net) + "_W", w);
        net.setParam(layer(net) + "_b", b);
    }

    /** The 16 examples, full batch. */
    static DataSet data() {
        List<String[]> rows = read("data.csv");
        double[][] features = new double[rows.size()][N_IN];
        double[][] labels = new double[rows.size()][N_OUT];
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < N_IN; j++) {
                features[i][j] = Double.parseDouble(rows.get(i)[j]);
            }
            for (int j = 0; j < N_OUT; j++) {
                labels[i][j] = Double.parseDouble(rows.get(i)[N_IN + j]);
            }
        }
        return new DataSet(Nd4j.create(features), Nd4j.create(labels));
    }

    private List<String[]> rows() {
        if (rows == null) {
            rows = read(file + ".csv");
        }
        return rows;
    }

    /** Parameters after {@code step} steps (0: initial). */
    double[] params(int step) {
        return row(rows().get(step == 0 ? 0 : 3 * step - 2), "x", step);
    }

    /** Per block, the step size (d or eta) step {@code step >= 1} used. */
    double[] stepSizes(int step) {
        return row(rows().get(3 * step - 1), "d", step);
    }

    /** Per block, the effective learning rate of step {@code step >= 1}. */
    double[] effectiveRates(int step) {
        return row(rows().get(3 * step), "lr", step);
    }

    private static double[] row(String[] cells, String kind, int step) {
        if (step > 0 && !(cells[0].equals(Integer.toString(step)) && cells[1].equals(kind))) {
            throw new IllegalStateException("expected row " + step + "," + kind + ", found " + cells[0] + "," + cells[1]);
        }
        double[] values = new double[cells.length - 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = Double.parseDouble(cells[i + 2]);
        }
        return values;
    }

    private static List<String[]> read(String name) {
        return ReferenceCsv.rows("/io/github/lrschedules/lrfree/" + name, "run scripts/lrfree_reference.py");
    }

    /**
     * max |a - b| / max |b|: the error against the scale of the whole vector, so that entries passing near 0 (where
     * Prodigy's rounding is amplified relative to the entry) are measured against the matrix's scale.
     */
    static double relativeError(double[] actual, double[] expected) {
        return ReferenceCsv.relativeError(actual, expected);
    }
}
