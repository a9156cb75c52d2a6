package io.github.lrschedules.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.schedule.CosineDecayRestartsSchedule;
import io.github.lrschedules.schedule.CosineDecaySchedule;
import io.github.lrschedules.schedule.ExponentialDecaySchedule;
import io.github.lrschedules.schedule.PiecewiseConstantSchedule;
import io.github.lrschedules.updater.SgdMomentum;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * {@link KerasTrainingImport} on Keras-2-layout HDF5 files ({@code scripts/keras_training_files.py}): a model trained
 * to step 37 with optimizer state, imported and trained three more steps, against what Keras 3 does from the same
 * weights, state and step; the imported network predicts what DL4J's plain import predicts.
 */
class KerasTrainingImportTest {

    private static final String DIR = "/io/github/lrschedules/keras/";
    private static double worstParamError;

    static Stream<Arguments> trajectories() {
        return Stream.of(
                Arguments.of("seq_adam_cosine_tf211", Adam.class, new CosineDecaySchedule(ScheduleType.ITERATION, 0.01, 50, 0.1 * 0.01)),
                Arguments.of("seq_adam_float_legacy", Adam.class, null),
                Arguments.of("seq_adamw_exponential_tf211", Adam.class,
                        ExponentialDecaySchedule.builder(ScheduleType.ITERATION, 0.01, 0.7, 20).staircase(true).build()),
                Arguments.of("seq_sgd_momentum_exponential_legacy", SgdMomentum.class,
                        ExponentialDecaySchedule.builder(ScheduleType.ITERATION, 0.05, 0.5, 10).build()),
                Arguments.of("fun_sgd_nesterov_piecewise_tf211", Nesterovs.class,
                        new PiecewiseConstantSchedule(ScheduleType.ITERATION, new int[] {38, 39}, new double[] {0.1, 0.05, 0.02})),
                Arguments.of("fun_adam_restarts_legacy", Adam.class,
                        CosineDecayRestartsSchedule.builder(ScheduleType.ITERATION, 0.02, 20).tMul(1.5).mMul(0.7).alpha(0.1).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trajectories")
    void continuesKerasTrainingAtStep37(String name, Class<? extends IUpdater> updaterClass, ISchedule schedule)
            throws Exception {
        String path = resource(name + ".h5");
        boolean functional = name.startsWith("fun");
        Model net = functional ? KerasTrainingImport.importModelAndWeights(path)
                : KerasTrainingImport.importSequentialModelAndWeights(path);
        List<String[]> keras = csv(name + ".csv");
        INDArray x = batch(0, 4);
        INDArray y = batch(4, 6);

        int iteration = functional ? ((ComputationGraph) net).getIterationCount() : ((MultiLayerNetwork) net).getIterationCount();
        assertThat(iteration).as("the step count of optimizer_weights").isEqualTo(37);
        IUpdater updater = ((BaseLayer) layer(net, "dense").conf().getLayer()).getIUpdater();
        assertThat(updater).isInstanceOf(updaterClass);
        assertThat(updater.getLearningRate(0, 0)).isGreaterThan(0);
        if (schedule != null) {
            assertThat(updaterSchedule(updater)).isEqualTo(schedule);
        }
        BaseLayer dense = (BaseLayer) layer(net, "dense").conf().getLayer();
        List<Regularization> decay = name.contains("adamw") ? List.of(new WeightDecay(0.05, true)) : List.of();
        assertThat(dense.getRegularization()).isEqualTo(decay);
        assertThat(dense.getRegularizationBias()).isEqualTo(decay);

        // Predictions: Keras' and DL4J's plain import (which drops the training configuration).
        INDArray predicted = output(net, x);
        Model plain = functional ? KerasModelImport.importKerasModelAndWeights(path, false)
                : KerasModelImport.importKerasSequentialModelAndWeights(path, false);
        assertThat(predicted).isEqualTo(output(plain, x));
        assertClose(predicted.dup('c').reshape(-1).toDoubleVector(), row(keras, "0", "pred"), 1e-6, name + " predictions");

        for (int t = 1; t <= 3; t++) {
            int step = 36 + t;
            double lr = updater.getLearningRate(step, 0);
            assertThat(Math.abs(lr - row(keras, String.valueOf(t), "lr")[0]))
                    .as("%s: the rate of step %d", name, step)
                    .isLessThanOrEqualTo(2e-6 * lr + 1e-9);
            fit(net, x, y);
            assertClose(params(net), row(keras, String.valueOf(t), "params"), 1e-5,
                    name + " parameters after step " + step);
        }
    }

    /** Saved with its updater and restored, the imported network trains on exactly as the one in memory. */
    @Test
    void importedNetworkSurvivesModelSerializer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        MultiLayerNetwork net = KerasTrainingImport.importSequentialModelAndWeights(
                resource("seq_sgd_momentum_exponential_legacy.h5"));
        File file = dir.resolve("imported.zip").toFile();
        org.deeplearning4j.util.ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertThat(restored.getIterationCount()).isEqualTo(37);
        assertThat(restored.getUpdater().getStateViewArray()).isEqualTo(net.getUpdater().getStateViewArray());
        INDArray x = batch(0, 4);
        INDArray y = batch(4, 6);
        for (int i = 0; i < 3; i++) {
            net.fit(new DataSet(x, y));
            restored.fit(new DataSet(x, y));
        }
        assertThat(restored.params()).isEqualTo(net.params());
    }

    @Test
    void rmspropStateAndRateAreCarriedOver() throws Exception {
        ComputationGraph net = KerasTrainingImport.importModelAndWeights(resource("fun_rmsprop_float_legacy.h5"));
        assertThat(net.getIterationCount()).isEqualTo(37);
        IUpdater updater = ((BaseLayer) net.getLayer("dense").conf().getLayer()).getIUpdater();
        assertThat(updater).isEqualTo(new RmsProp(0.002, 0.9, 1e-7));
        INDArray state = net.getUpdater().getStateViewArray();
        assertThat(state.length()).isEqualTo(net.numParams());
        // The file's rms values are drawn from [0.001, 0.05]: none is DL4J's fresh state.
        assertThat(state.minNumber().doubleValue()).isGreaterThanOrEqualTo(0.001 * (1 - 1e-6));
        assertThat(state.maxNumber().doubleValue()).isLessThanOrEqualTo(0.05 * (1 + 1e-6));
    }

    @Test
    void keras3FileIsRefusedNamingWhatWorks() {
        assertThatThrownBy(() -> KerasTrainingImport.importModelAndWeights(resource("keras3_model.h5")))
                .isInstanceOf(UnsupportedKerasConfigurationException.class)
                .hasMessageContaining("Keras 3.")
                .hasMessageContaining("KerasSchedules.fromConfig");
        assertThatThrownBy(() -> KerasTrainingImport.importSequentialModelAndWeights("/no/such/model.h5"))
                .isInstanceOf(IOException.class).hasMessageContaining("/no/such/model.h5");
    }

    @AfterAll
    static void report() {
        System.out.println("KerasTrainingImportTest: worst parameter error against Keras 3 after 1-3 steps: "
                + worstParamError);
    }

    private static ISchedule updaterSchedule(IUpdater updater) throws ReflectiveOperationException {
        return (ISchedule) updater.getClass().getMethod("getLearningRateSchedule").invoke(updater);
    }

    private static org.deeplearning4j.nn.api.Layer layer(Model net, String name) {
        return net instanceof ComputationGraph ? ((ComputationGraph) net).getLayer(name)
                : Arrays.stream(((MultiLayerNetwork) net).getLayers())
                        .filter(l -> name.equals(l.conf().getLayer().getLayerName())).findFirst().orElseThrow();
    }

    private static INDArray output(Model net, INDArray x) {
        return net instanceof ComputationGraph ? ((ComputationGraph) net).outputSingle(x)
                : ((MultiLayerNetwork) net).output(x);
    }

    private static void fit(Model net, INDArray x, INDArray y) {
        if (net instanceof ComputationGraph) {
            ((ComputationGraph) net).fit(new DataSet(x, y));
        } else {
            ((MultiLayerNetwork) net).fit(new DataSet(x, y));
        }
    }

    /** Keras' order: per layer the kernel [nIn, nOut] row by row, then the bias. */
    private static double[] params(Model net) {
        List<Double> out = new ArrayList<>();
        for (String name : List.of("dense", "dense_1")) {
            org.deeplearning4j.nn.api.Layer l = layer(net, name);
            for (double v : l.getParam("W").dup('c').reshape(-1).toDoubleVector()) {
                out.add(v);
            }
            for (double v : l.getParam("b").dup('c').reshape(-1).toDoubleVector()) {
                out.add(v);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void assertClose(double[] actual, double[] expected, double tolerance, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            double error = Math.abs(actual[i] - expected[i]);
            worstParamError = Math.max(worstParamError, error);
            assertThat(error).as("%s [%d]: %s vs Keras %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(tolerance * Math.max(1, Math.abs(expected[i])));
        }
    }

    private static double[] row(List<String[]> rows, String step, String kind) {
        return rows.stream().filter(r -> r[0].equals(step) && r[1].equals(kind)).findFirst()
                .map(r -> Arrays.stream(r, 2, r.length).mapToDouble(Double::parseDouble).toArray())
                .orElseThrow(() -> new AssertionError("no row " + step + "," + kind));
    }

    private static INDArray batch(int from, int to) throws IOException {
        List<String[]> rows = csv("batch.csv");
        double[][] values = new double[rows.size() - 1][];
        for (int i = 1; i < rows.size(); i++) {
            values[i - 1] = Arrays.stream(rows.get(i), from, to).mapToDouble(Double::parseDouble).toArray();
        }
        return Nd4j.create(values).castTo(DataType.FLOAT);
    }

    private static List<String[]> csv(String file) throws IOException {
        try (InputStream in = KerasTrainingImportTest.class.getResourceAsStream(DIR + file)) {
            assertThat(in).as(file).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String[]> rows = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                rows.add(line.split(","));
            }
            return rows;
        }
    }

    private static String resource(String file) {
        try {
            return new File(KerasTrainingImportTest.class.getResource(DIR + file).toURI()).getPath();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
