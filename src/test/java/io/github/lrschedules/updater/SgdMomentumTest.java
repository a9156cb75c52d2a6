package io.github.lrschedules.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.schedule.ExponentialDecaySchedule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/** {@link SgdMomentum}: the heavy-ball step, value semantics, JSON, validation and exact resume after a restore. */
class SgdMomentumTest {

    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();

    static Stream<SgdMomentum> samples() {
        return Stream.of(new SgdMomentum(0.05, 0.9),
                new SgdMomentum(ExponentialDecaySchedule.builder(ScheduleType.ITERATION, 0.1, 0.5, 10).build(), 0.8));
    }

    /** The Javadoc example: w = 1, gradient 2w, lr 0.1, momentum 0.5: w 0.8 then 0.54. */
    @Test
    void javadocExample() {
        SgdMomentum config = new SgdMomentum(0.1, 0.5);
        INDArray view = Nd4j.zeros(DataType.DOUBLE, 1, config.stateSize(1));
        GradientUpdater<?> updater = config.instantiate(view, true);
        double w = 1;
        double[] expectedW = {0.8, 0.54};
        double[] expectedV = {-0.2, -0.26};
        for (int step = 0; step < 2; step++) {
            INDArray g = Nd4j.valueArrayOf(new long[] {1, 1}, 2 * w, DataType.DOUBLE);
            updater.applyUpdater(g, step, 0);
            w -= g.getDouble(0);
            assertThat(w).isCloseTo(expectedW[step], within(1e-15));
            assertThat(view.getDouble(0)).as("velocity").isCloseTo(expectedV[step], within(1e-15));
        }
    }

    /** Against an independent loop: Keras' velocity carries each step's own rate (not PyTorch's buffer). */
    @Test
    void velocityCarriesEachStepsRate() {
        ExponentialDecaySchedule lr = ExponentialDecaySchedule.builder(ScheduleType.ITERATION, 0.2, 0.5, 1).build();
        SgdMomentum config = new SgdMomentum(lr, 0.9);
        INDArray view = Nd4j.zeros(DataType.DOUBLE, 1, 3);
        GradientUpdater<?> updater = config.instantiate(view, true);
        double[] w = {1, -2, 0.5};
        double[] v = new double[3];
        INDArray params = Nd4j.createFromArray(w.clone()).reshape(1, 3);
        for (int t = 0; t < 6; t++) {
            INDArray g = params.mul(params).muli(0.5).addi(1);   // any gradient
            double[] gJava = g.toDoubleVector();
            updater.applyUpdater(g, t, 0);
            params.subi(g);
            for (int i = 0; i < 3; i++) {
                v[i] = 0.9 * v[i] - lr.valueAt(t, 0) * gJava[i];
                w[i] += v[i];
            }
            assertThat(params.toDoubleVector()).containsExactly(w, within(1e-12));
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void jsonRoundTrip(SgdMomentum updater) throws IOException {
        String json = MAPPER.writeValueAsString(updater);
        IUpdater back = MAPPER.readValue(json, IUpdater.class);
        assertThat(back).isEqualTo(updater).hasSameHashCodeAs(updater).isNotSameAs(updater);
        assertThat(back.toString()).isEqualTo(updater.toString());
        MultiLayerConfiguration conf = conf(updater);
        assertThat(MultiLayerConfiguration.fromJson(conf.toJson())).isEqualTo(conf);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyMissingPropertyIsRefusedByName(SgdMomentum updater) throws IOException {
        ObjectNode full = (ObjectNode) MAPPER.readTree(MAPPER.writeValueAsString(updater));
        List<String> names = new ArrayList<>();
        full.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("@class", "learningRate", "learningRateSchedule", "momentum");
        for (String name : names) {
            if (!name.equals("@class")) {
                ObjectNode without = full.deepCopy();
                without.remove(name);
                assertThatThrownBy(() -> MAPPER.treeToValue(without, IUpdater.class)).as("without %s", name)
                        .hasMessageContaining("Missing required creator property '" + name + "'");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void javaSerializationAndClone(SgdMomentum updater) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(updater);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(updater);
        }
        SgdMomentum clone = updater.clone();
        assertThat(clone).isEqualTo(updater).isNotSameAs(updater);
        clone.setLrAndSchedule(0.123, null);
        assertThat(clone).isNotEqualTo(updater);
        assertThat(clone.getLearningRate(5, 1)).isEqualTo(0.123);
    }

    @Test
    void equalityBuilderAndValidation() {
        assertThat(new SgdMomentum(0.1, 0.9)).isEqualTo(new SgdMomentum(0.1, 0.9))
                .isNotEqualTo(new SgdMomentum(0.2, 0.9)).isNotEqualTo(new SgdMomentum(0.1, 0.8));
        assertThat(SgdMomentum.builder().build()).isEqualTo(new SgdMomentum(0.01, 0.9));
        assertThat(new SgdMomentum(0.1, 0.9).toString()).isEqualTo("SgdMomentum{learningRate=0.1, momentum=0.9}");
        assertThat(new SgdMomentum(0.1, 0.9).stateSize(7)).isEqualTo(7);
        assertThatThrownBy(() -> new SgdMomentum(0.1, 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("momentum (1.5) must be in [0, 1]");
        assertThatThrownBy(() -> new SgdMomentum(Double.NaN, 0.9)).hasMessage("learningRate (NaN) must be > 0 and finite");
        assertThatThrownBy(() -> new SgdMomentum(null, 0.9)).hasMessage("learningRateSchedule must not be null");
        assertThatThrownBy(() -> SgdMomentum.builder().momentum(Double.NaN).build())
                .hasMessage("momentum (NaN) must be in [0, 1]");
    }

    /** Train 5 steps, save with the updater, restore, train 5 more: the same parameters as 10 steps in one go. */
    @ParameterizedTest
    @MethodSource("samples")
    void modelSerializerResumesExactly(SgdMomentum updater, @TempDir Path dir) throws IOException {
        DataSet data = data();
        MultiLayerNetwork straight = new MultiLayerNetwork(conf(updater));
        straight.init();
        MultiLayerNetwork first = straight.clone();
        for (int i = 0; i < 10; i++) {
            straight.fit(data);
        }
        for (int i = 0; i < 5; i++) {
            first.fit(data);
        }
        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(first, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertThat(restored.getUpdater().getStateViewArray()).isEqualTo(first.getUpdater().getStateViewArray());
        assertThat(restored.getUpdater().getStateViewArray().sumNumber().doubleValue()).isNotZero();
        for (int i = 0; i < 5; i++) {
            restored.fit(data);
        }
        assertThat(restored.params()).isEqualTo(straight.params());
    }

    private static MultiLayerConfiguration conf(IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .build();
    }

    private static DataSet data() {
        Nd4j.getRandom().setSeed(3);
        return new DataSet(Nd4j.rand(DataType.DOUBLE, 16, 4), Nd4j.rand(DataType.DOUBLE, 16, 2));
    }
}
