package io.github.lrschedules.schedulefree;

import io.github.lrschedules.testing.ReferenceCsv;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
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
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The cases of {@code scripts/schedulefree_reference.py} as DL4J networks: the same data, initial parameters and
 * optimizer settings, and the trajectories PyTorch computed (resources {@code schedulefree/*.csv}).
 */
enum ReferenceCases {
    SGD("sgd", false, 0, new SgdScheduleFree(0.1, 0.9, 0), null),
    SGD_WARMUP_L2("sgd_warmup_l2", false, 0.05, new SgdScheduleFree(0.2, 0.8, 5), null),
    SGD_SCHEDULE("sgd_schedule", false, 0,
            new SgdScheduleFree(new MilestoneStepSchedule(ScheduleType.ITERATION, 0.3, 0.5, 10, 25), 0.9, 4), null),
    ADAMW("adamw", false, 0, new AdamWScheduleFree(0.02, 0.9, 0.999, 1e-8, 0, 0), null),
    ADAMW_WARMUP_DECAY("adamw_warmup_decay", false, 0, new AdamWScheduleFree(0.05, 0.85, 0.99, 1e-6, 6, 0.1), null),
    TWO_BLOCKS("two_blocks", true, 0, new SgdScheduleFree(0.05, 0.9, 3),
            new AdamWScheduleFree(0.03, 0.9, 0.999, 1e-8, 4, 0.05));

    static final int STEPS = 40;
    static final int N_IN = 5;
    static final int N_HIDDEN = 4;
    static final int N_OUT = 3;

    final String file;
    final boolean twoLayers;
    final double l2;
    final IUpdater first;
    final IUpdater second;

    ReferenceCases(String file, boolean twoLayers, double l2, IUpdater first, IUpdater second) {
        this.file = file;
        this.twoLayers = twoLayers;
        this.l2 = l2;
        this.first = first;
        this.second = second;
    }

    boolean needsAttach() {
        return decays(first) || decays(second);
    }

    private static boolean decays(IUpdater u) {
        return u instanceof AdamWScheduleFree && ((AdamWScheduleFree) u).getWeightDecay() > 0;
    }

    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private NeuralNetConfiguration.Builder base() {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE)
                .updater(first);
        if (l2 > 0) {
            b.l2(l2);
        }
        return b;
    }

    private OutputLayer output(int nIn) {
        OutputLayer.Builder b = new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                .nIn(nIn).nOut(N_OUT);
        if (second != null) {
            b.updater(second);
        }
        return b.build();
    }

    /** The network, with the reference's initial parameters (and {@link ScheduleFree#attach} when needed). */
    MultiLayerNetwork network() {
        NeuralNetConfiguration.ListBuilder list = base().list();
        if (twoLayers) {
            list.layer(new DenseLayer.Builder().activation(Activation.IDENTITY).nIn(N_IN).nOut(N_HIDDEN).build());
        }
        list.layer(output(twoLayers ? N_HIDDEN : N_IN));
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        setParameters(net, row(trajectory().get(0)));
        if (needsAttach()) {
            ScheduleFree.attach(net);
        }
        return net;
    }

    /** The same model as a ComputationGraph (layers "hidden" and "out"). */
    ComputationGraph graph() {
        ComputationGraphConfiguration.GraphBuilder g = base().graphBuilder().addInputs("in");
        String last = "in";
        if (twoLayers) {
            g.addLayer("hidden", new DenseLayer.Builder().activation(Activation.IDENTITY).nIn(N_IN).nOut(N_HIDDEN)
                    .build(), "in");
            last = "hidden";
        }
        g.addLayer("out", output(twoLayers ? N_HIDDEN : N_IN), last).setOutputs("out");
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        setParameters(net, row(trajectory().get(0)));
        if (needsAttach()) {
            ScheduleFree.attach(net);
        }
        return net;
    }

    List<String> keys(Model net) {
        List<String> keys = new ArrayList<>();
        if (net instanceof MultiLayerNetwork) {
            if (twoLayers) {
                keys.add("0");
                keys.add("1");
            } else {
                keys.add("0");
            }
        } else {
            if (twoLayers) {
                keys.add("hidden");
            }
            keys.add("out");
        }
        return keys;
    }

    /** The parameters in the script's order: per layer W row by row ([nIn, nOut]), then b. */
    double[] parameters(Model net) {
        List<Double> values = new ArrayList<>();
        for (String layer : keys(net)) {
            INDArray w = net.getParam(layer + "_W");
            for (int r = 0; r < w.rows(); r++) {
                for (int c = 0; c < w.columns(); c++) {
                    values.add(w.getDouble(r, c));
                }
            }
            INDArray b = net.getParam(layer + "_b");
            for (long i = 0; i < b.length(); i++) {
                values.add(b.getDouble(i));
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    void setParameters(Model net, double[] values) {
        int k = 0;
        for (String layer : keys(net)) {
            INDArray w = net.getParam(layer + "_W").dup();
            for (int r = 0; r < w.rows(); r++) {
                for (int c = 0; c < w.columns(); c++) {
                    w.putScalar(r, c, values[k++]);
                }
            }
            net.setParam(layer + "_W", w);
            INDArray b = net.getParam(layer + "_b").dup();
            for (long i = 0; i < b.length(); i++) {
                b.putScalar(i, values[k++]);
            }
            net.setParam(layer + "_b", b);
        }
        if (k != values.length) {
            throw new IllegalStateException("set " + k + " of " + values.length + " parameters");
        }
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

    /** Rows of this case's file: "0,init", then "k,y" and "k,x" for k = 1..40. */
    List<String[]> trajectory() {
        return read(file + ".csv");
    }

    /** Training parameters after {@code step} steps (0: initial). */
    double[] y(int step) {
        return row(trajectory().get(step == 0 ? 0 : 2 * step - 1));
    }

    /** Evaluation weights after {@code step >= 1} steps. */
    double[] x(int step) {
        return row(trajectory().get(2 * step));
    }

    static double[] row(String[] cells) {
        double[] values = new double[cells.length - 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = Double.parseDouble(cells[i + 2]);
        }
        return values;
    }

    private static List<String[]> read(String name) {
        return ReferenceCsv.rows("/io/github/lrschedules/schedulefree/" + name,
                "run /usr/bin/python3 scripts/schedulefree_reference.py");
    }

    /** max |a - b| / max |b|: the relative error of the whole vector. */
    static double relativeError(double[] actual, double[] expected) {
        return ReferenceCsv.relativeError(actual, expected);
    }

}
