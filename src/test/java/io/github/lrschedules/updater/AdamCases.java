package io.github.lrschedules.updater;

import io.github.lrschedules.testing.ReferenceCsv;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.schedulefree.ScheduleFree;
import java.util.ArrayList;
import java.util.Collections;
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
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The cases of {@code scripts/scheduled_adam_reference.py} as DL4J networks: the same data, initial parameters and
 * optimizer settings, and the trajectories real {@code torch.optim.Adam}/{@code AdamW} under {@code OneCycleLR}
 * computed (resources {@code updater/adam/*.csv}).
 */
enum AdamCases {
    ADAM_ONECYCLE("adam_onecycle", false),
    ADAMW_ONECYCLE("adamw_onecycle", false),
    ADAMW_WD_SCHEDULE("adamw_wd_schedule", false),
    ADAMW_TWO_LAYERS("adamw_two_layers", true);

    static final int STEPS = 40;
    static final int N_IN = 5;
    static final int N_HIDDEN = 4;
    static final int N_OUT = 3;

    final String file;
    final boolean twoLayers;
    private List<String[]> rows;

    AdamCases(String file, boolean twoLayers) {
        this.file = file;
        this.twoLayers = twoLayers;
    }

    /** PyTorch's weight-decay schedule of the *_wd_schedule cases: 0.2 (1 + cos(pi k / 40)) / 2. */
    static ISchedule cosineWeightDecay() {
        return new WarmupCosineSchedule(ScheduleType.ITERATION, 0.2, 0, STEPS, 0.0, 0.0);
    }

    private OneCycleSchedule.Builder cycle() {
        OneCycleSchedule.Builder b = OneCycleSchedule.builder(ScheduleType.ITERATION, 0.05, STEPS);
        if (this == ADAMW_ONECYCLE) {
            b.pctStart(0.25).anneal(OneCycleSchedule.Anneal.LINEAR).threePhase(true).baseMomentum(0.8)
                    .maxMomentum(0.9);
        }
        return b;
    }

    /** The weight decay PyTorch applied, as a schedule. */
    ISchedule weightDecay() {
        switch (this) {
            case ADAM_ONECYCLE:
                return new FixedSchedule(0);
            case ADAMW_ONECYCLE:
                return new FixedSchedule(0.1);
            default:
                return cosineWeightDecay();
        }
    }

    /** The updater of this case, with the decay in the updater (needs {@code ScheduleFree.attach}). */
    ScheduledAdam updater() {
        return updater(weightDecay());
    }

    ScheduledAdam updater(ISchedule weightDecay) {
        OneCycleSchedule.Builder cycle = cycle();
        double beta2 = this == ADAMW_ONECYCLE ? 0.99 : 0.999;
        double epsilon = this == ADAMW_ONECYCLE ? 1e-6 : 1e-8;
        return new ScheduledAdam(cycle.build(), cycle.buildMomentum(), beta2, epsilon, weightDecay);
    }

    MultiLayerNetwork network() {
        return network(updater(), Collections.emptyList());
    }

    /**
     * The network with {@code updater} and regularization on weights and biases (set on each layer: DL4J's global
     * builder applies a regularization list given to it twice), and the initial parameters.
     */
    MultiLayerNetwork network(ScheduledAdam updater, List<Regularization> regularization) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.DOUBLE).updater(updater).list();
        if (twoLayers) {
            list.layer(new DenseLayer.Builder().activation(Activation.IDENTITY).nIn(N_IN).nOut(N_HIDDEN)
                    .regularization(new ArrayList<>(regularization)).regularizationBias(new ArrayList<>(regularization))
                    .build());
        }
        OutputLayer out = output();
        out.setRegularization(new ArrayList<>(regularization));
        out.setRegularizationBias(new ArrayList<>(regularization));
        list.layer(out);
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        setParameters(net, parameters(0));
        ScheduleFree.attach(net);
        return net;
    }

    /** DL4J's own decoupled decay instead of the updater's: WeightDecay(schedule, applyLR = true), no attach. */
    MultiLayerNetwork networkWithDl4jWeightDecay() {
        MultiLayerNetwork net = network(updater(new FixedSchedule(0)),
                Collections.singletonList(new WeightDecay(weightDecay(), true)));
        net.setListeners();
        return net;
    }

    ComputationGraph graph() {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.DOUBLE).updater(updater()).graphBuilder().addInputs("in");
        String last = "in";
        if (twoLayers) {
            g.addLayer("hidden", new DenseLayer.Builder().activation(Activation.IDENTITY).nIn(N_IN).nOut(N_HIDDEN)
                    .build(), "in");
            last = "hidden";
        }
        g.addLayer("out", output(), last).setOutputs("out");
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        setParameters(net, parameters(0));
        ScheduleFree.attach(net);
        return net;
    }

    private OutputLayer output() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                .nIn(twoLayers ? N_HIDDEN : N_IN).nOut(N_OUT).build();
    }

    private List<String> keys(Model net) {
        List<String> keys = new ArrayList<>();
        if (net instanceof MultiLayerNetwork) {
            keys.add("0");
            if (twoLayers) {
                keys.add("1");
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

    private void setParameters(Model net, double[] values) {
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

    /** PyTorch's parameters after {@code step} steps (0: the initial ones). */
    double[] parameters(int step) {
        String[] cells = rows().get(step);
        double[] values = new double[cells.length - 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = Double.parseDouble(cells[i + 4]);
        }
        return values;
    }

    /** The learning rate, beta1 and weight decay PyTorch's param group held for step {@code k} (0-based). */
    double[] hyperparameters(int k) {
        String[] cells = rows().get(k + 1);
        return new double[]{Double.parseDouble(cells[1]), Double.parseDouble(cells[2]), Double.parseDouble(cells[3])};
    }

    private synchronized List<String[]> rows() {
        if (rows == null) {
            rows = read(file + ".csv");
        }
        return rows;
    }

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

    private static List<String[]> read(String name) {
        return ReferenceCsv.rows("/io/github/lrschedules/updater/adam/" + name,
                "run scripts/scheduled_adam_reference.py (torch 2.13)");
    }

    /** max |a - b| / max |b|: the relative error of the whole vector. */
    static double relativeError(double[] actual, double[] expected) {
        return ReferenceCsv.relativeError(actual, expected);
    }
}
