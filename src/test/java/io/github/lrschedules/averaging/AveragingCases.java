package io.github.lrschedules.averaging;

import io.github.lrschedules.testing.ReferenceCsv;
import java.util.ArrayList;
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

/**
 * The model and data of {@code scripts/averaging_reference.py} in DL4J (an OutputLayer(MSE, identity) 5 -> 3 in
 * double precision), and its reference files ({@code averaging/*.csv}).
 */
final class AveragingCases {

    static final int N_IN = 5;
    static final int N_OUT = 3;
    static final int BATCH = 8;

    private AveragingCases() {
    }

    /** One row of a case file: its step (or epoch), its kind and its values. */
    static final class Row {
        final int step;
        final String kind;
        final double[] values;

        Row(int step, String kind, double[] values) {
            this.step = step;
            this.kind = kind;
            this.values = values;
        }
    }

    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static NeuralNetConfiguration.Builder base(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE).updater(updater);
    }

    private static OutputLayer output() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nIn(N_IN)
                .nOut(N_OUT).build();
    }

    /** The case's model as a MultiLayerNetwork (layer "0") or a ComputationGraph (layer "out"), at its "init" row. */
    static Model network(String file, IUpdater updater, boolean graph) {
        Model net;
        if (graph) {
            ComputationGraph g = new ComputationGraph(base(updater).graphBuilder().addInputs("in")
                    .addLayer("out", output(), "in").setOutputs("out").build());
            g.init();
            net = g;
        } else {
            MultiLayerNetwork m = new MultiLayerNetwork(base(updater).list().layer(output()).build());
            m.init();
            net = m;
        }
        setParameters(net, rows(file).get(0).values);
        return net;
    }

    private static String layer(Model net) {
        return net instanceof ComputationGraph ? "out" : "0";
    }

    /** The parameters in the script's order: W row by row ([nIn, nOut]), then b. */
    static double[] parameters(Model net) {
        INDArray w = net.getParam(layer(net) + "_W");
        INDArray b = net.getParam(layer(net) + "_b");
        double[] values = new double[N_IN * N_OUT + N_OUT];
        int k = 0;
        for (int r = 0; r < N_IN; r++) {
            for (int c = 0; c < N_OUT; c++) {
                values[k++] = w.getDouble(r, c);
            }
        }
        for (int c = 0; c < N_OUT; c++) {
            values[k++] = b.getDouble(c);
        }
        return values;
    }

    static void setParameters(Model net, double[] values) {
        INDArray w = net.getParam(layer(net) + "_W").dup();
        INDArray b = net.getParam(layer(net) + "_b").dup();
        int k = 0;
        for (int r = 0; r < N_IN; r++) {
            for (int c = 0; c < N_OUT; c++) {
                w.putScalar(r, c, values[k++]);
            }
        }
        for (int c = 0; c < N_OUT; c++) {
            b.putScalar(c, values[k++]);
        }
        net.setParam(layer(net) + "_W", w);
        net.setParam(layer(net) + "_b", b);
    }

    /** The 16 examples. */
    static DataSet data() {
        List<String[]> lines = read("data.csv");
        double[][] features = new double[lines.size()][N_IN];
        double[][] labels = new double[lines.size()][N_OUT];
        for (int i = 0; i < lines.size(); i++) {
            for (int j = 0; j < N_IN; j++) {
                features[i][j] = Double.parseDouble(lines.get(i)[j]);
            }
            for (int j = 0; j < N_OUT; j++) {
                labels[i][j] = Double.parseDouble(lines.get(i)[N_IN + j]);
            }
        }
        return new DataSet(Nd4j.create(features), Nd4j.create(labels));
    }

    /** The rows of a case file, "0,init" first. */
    static List<Row> rows(String file) {
        List<Row> rows = new ArrayList<>();
        for (String[] cells : read(file + ".csv")) {
            double[] values = new double[cells.length - 2];
            for (int i = 0; i < values.length; i++) {
                values[i] = Double.parseDouble(cells[i + 2]);
            }
            rows.add(new Row(Integer.parseInt(cells[0]), cells[1], values));
        }
        return rows;
    }

    /** The row of {@code kind} for {@code step}, or null. */
    static Row find(List<Row> rows, int step, String kind) {
        for (Row row : rows) {
            if (row.step == step && row.kind.equals(kind)) {
                return row;
            }
        }
        return null;
    }

    /** The data rows of a file, without its header. */
    static List<String[]> read(String name) {
        return ReferenceCsv.rows("/io/github/lrschedules/averaging/" + name, "run scripts/averaging_reference.py");
    }

    /** max |a - b| / max |b|: the relative error of the whole vector. */
    static double relativeError(double[] actual, double[] expected) {
        return ReferenceCsv.relativeError(actual, expected);
    }
}
