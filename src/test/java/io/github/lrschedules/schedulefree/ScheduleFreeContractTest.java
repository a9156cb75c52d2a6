package io.github.lrschedules.schedulefree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.schedule.WarmupCosineSchedule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/** Value semantics, JSON and Java serialization, builders, validation and the Javadoc examples. */
public class ScheduleFreeContractTest {

    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();

    @BeforeAll
    static void precision() {
        ReferenceCases.doublePrecision();
    }

    /** One sample of each schedule-free updater, with a constant rate and with a schedule (also fuzzed elsewhere). */
    public static Stream<IUpdater> samples() {
        return Stream.of(new SgdScheduleFree(0.5, 0.8, 10),
                new SgdScheduleFree(new WarmupCosineSchedule(ScheduleType.ITERATION, 1.0, 5, 100, 0.0, 0.0), 0.9, 0),
                new AdamWScheduleFree(0.01, 0.9, 0.99, 1e-6, 20, 0.05),
                new AdamWScheduleFree(new ExponentialSchedule(ScheduleType.EPOCH, 0.01, 0.9), 0.9, 0.999, 1e-8, 0,
                        0));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void jsonRoundTripThroughDl4jsMapper(IUpdater updater) throws IOException {
        String json = MAPPER.writeValueAsString(updater);
        IUpdater back = MAPPER.readValue(json, IUpdater.class);
        assertThat(back).isEqualTo(updater).hasSameHashCodeAs(updater).isNotSameAs(updater);
        assertThat(back.toString()).isEqualTo(updater.toString());
        assertThat(json).contains("\"learningRateSchedule\"");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void configurationJsonRoundTrip(IUpdater updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2).build())
                .build();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        assertThat(((org.deeplearning4j.nn.conf.layers.BaseLayer) back.getConf(1).getLayer()).getIUpdater())
                .isEqualTo(updater);
        ComputationGraphConfiguration graph = new NeuralNetConfiguration.Builder().updater(updater).graphBuilder()
                .addInputs("in").addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4)
                        .nOut(2).build(), "in").setOutputs("out").build();
        assertThat(ComputationGraphConfiguration.fromJson(graph.toJson())).isEqualTo(graph);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void javaSerializationAndCloneKeepTheValue(IUpdater updater) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(updater);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(updater);
        }
        IUpdater clone = updater.clone();
        assertThat(clone).isEqualTo(updater).isNotSameAs(updater);
        clone.setLrAndSchedule(0.123, null);
        assertThat(clone).isNotEqualTo(updater);
        assertThat(clone.getLearningRate(5, 1)).isEqualTo(0.123);
    }

    @Test
    void equalityCoversEveryProperty() {
        SgdScheduleFree sgd = new SgdScheduleFree(0.5, 0.8, 10);
        assertThat(sgd).isNotEqualTo(new SgdScheduleFree(0.6, 0.8, 10)).isNotEqualTo(new SgdScheduleFree(0.5, 0.7, 10))
                .isNotEqualTo(new SgdScheduleFree(0.5, 0.8, 11)).isEqualTo(new SgdScheduleFree(0.5, 0.8, 10));
        AdamWScheduleFree adamw = new AdamWScheduleFree(0.01, 0.9, 0.99, 1e-6, 20, 0.05);
        assertThat(adamw).isEqualTo(new AdamWScheduleFree(0.01, 0.9, 0.99, 1e-6, 20, 0.05))
                .isNotEqualTo(new AdamWScheduleFree(0.02, 0.9, 0.99, 1e-6, 20, 0.05))
                .isNotEqualTo(new AdamWScheduleFree(0.01, 0.8, 0.99, 1e-6, 20, 0.05))
                .isNotEqualTo(new AdamWScheduleFree(0.01, 0.9, 0.98, 1e-6, 20, 0.05))
                .isNotEqualTo(new AdamWScheduleFree(0.01, 0.9, 0.99, 1e-7, 20, 0.05))
                .isNotEqualTo(new AdamWScheduleFree(0.01, 0.9, 0.99, 1e-6, 21, 0.05))
                .isNotEqualTo(new AdamWScheduleFree(0.01, 0.9, 0.99, 1e-6, 20, 0.06))
                .isNotEqualTo(sgd);
        assertThat(adamw.toString()).isEqualTo("AdamWScheduleFree{learningRate=0.01, beta1=0.9, beta2=0.99,"
                + " epsilon=1.0E-6, warmupSteps=20, weightDecay=0.05}");
        assertThat(sgd.toString()).isEqualTo("SgdScheduleFree{learningRate=0.5, momentum=0.8, warmupSteps=10}");
    }

    @Test
    void buildersHaveTheReferenceDefaults() {
        assertThat(SgdScheduleFree.builder().build()).isEqualTo(new SgdScheduleFree(1.0, 0.9, 0));
        assertThat(AdamWScheduleFree.builder().build()).isEqualTo(new AdamWScheduleFree(0.0025, 0.9, 0.999, 1e-8, 0, 0));
        assertThat(AdamWScheduleFree.builder().learningRate(0.01).beta1(0.95).beta2(0.99).epsilon(1e-6)
                .warmupSteps(100).weightDecay(0.1).build())
                .isEqualTo(new AdamWScheduleFree(0.01, 0.95, 0.99, 1e-6, 100, 0.1));
        ExponentialSchedule s = new ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.99);
        assertThat(SgdScheduleFree.builder().learningRateSchedule(s).momentum(0.5).warmupSteps(3).build())
                .isEqualTo(new SgdScheduleFree(s, 0.5, 3));
        assertThat(new SgdScheduleFree(s, 0.5, 3).getLearningRate(10, 0)).isEqualTo(s.valueAt(10, 0));
    }

    static Stream<Object[]> badInputs() {
        return Stream.of(
                bad(() -> new SgdScheduleFree(Double.NaN, 0.9, 0), "learningRate (NaN) must be > 0 and finite"),
                bad(() -> new SgdScheduleFree(0, 0.9, 0), "learningRate (0.0) must be > 0 and finite"),
                bad(() -> new SgdScheduleFree(Double.POSITIVE_INFINITY, 0.9, 0),
                        "learningRate (Infinity) must be > 0 and finite"),
                bad(() -> new SgdScheduleFree(1, 1.5, 0), "momentum (1.5) must be in [0, 1]"),
                bad(() -> new SgdScheduleFree(1, Double.NaN, 0), "momentum (NaN) must be in [0, 1]"),
                bad(() -> new SgdScheduleFree(1, 0.9, -1), "warmupSteps (-1) must be >= 0"),
                bad(() -> new SgdScheduleFree(null, 0.9, 0), "learningRateSchedule must not be null"),
                bad(() -> new AdamWScheduleFree(-1, 0.9, 0.999, 1e-8, 0, 0),
                        "learningRate (-1.0) must be > 0 and finite"),
                bad(() -> new AdamWScheduleFree(0.01, -0.1, 0.999, 1e-8, 0, 0), "beta1 (-0.1) must be in [0, 1]"),
                bad(() -> new AdamWScheduleFree(0.01, 0.9, 1.0, 1e-8, 0, 0), "beta2 (1.0) must be in [0, 1)"),
                bad(() -> new AdamWScheduleFree(0.01, 0.9, 0.999, 0, 0, 0), "epsilon (0.0) must be > 0 and finite"),
                bad(() -> new AdamWScheduleFree(0.01, 0.9, 0.999, 1e-8, -5, 0), "warmupSteps (-5) must be >= 0"),
                bad(() -> new AdamWScheduleFree(0.01, 0.9, 0.999, 1e-8, 0, Double.NaN),
                        "weightDecay (NaN) must be >= 0 and finite"),
                bad(() -> AdamWScheduleFree.builder().weightDecay(-0.1).build(),
                        "weightDecay (-0.1) must be >= 0 and finite"),
                bad(() -> {
                    SgdScheduleFree u = new SgdScheduleFree(1, 0.9, 0);
                    u.setLrAndSchedule(-2, null);
                    return u;
                }, "learningRate (-2.0) must be > 0 and finite"));
    }

    private static Object[] bad(Supplier<Object> build, String message) {
        return new Object[] {message, build};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputFromCodeNamesTheArgumentAndTheValue(String message, Supplier<Object> build) {
        assertThatThrownBy(build::get).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    static Stream<Object[]> badJson() {
        return Stream.of(new Object[] {"learningRate", -1.0, "learningRate (-1.0) must be > 0 and finite"},
                new Object[] {"beta1", 2.0, "beta1 (2.0) must be in [0, 1]"},
                new Object[] {"beta2", 1.0, "beta2 (1.0) must be in [0, 1)"},
                new Object[] {"epsilon", 0.0, "epsilon (0.0) must be > 0 and finite"},
                new Object[] {"warmupSteps", -3, "warmupSteps (-3) must be >= 0"},
                new Object[] {"weightDecay", -0.5, "weightDecay (-0.5) must be >= 0 and finite"});
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badJson")
    void badInputFromJsonIsRefusedLikeFromCode(String property, Object value, String message) throws IOException {
        ObjectNode node = (ObjectNode) MAPPER.readTree(MAPPER.writeValueAsString(AdamWScheduleFree.builder().build()));
        if (value instanceof Integer) {
            node.put(property, (Integer) value);
        } else {
            node.put(property, (Double) value);
        }
        assertThatThrownBy(() -> MAPPER.treeToValue(node, IUpdater.class)).hasRootCauseMessage(message)
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyMissingPropertyIsRefusedByName(IUpdater updater) throws IOException {
        ObjectNode full = (ObjectNode) MAPPER.readTree(MAPPER.writeValueAsString(updater));
        List<String> names = new java.util.ArrayList<>();
        full.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("@class", "learningRate", "learningRateSchedule", "warmupSteps");
        for (String name : names) {
            if (name.equals("@class")) {
                continue;
            }
            ObjectNode without = full.deepCopy();
            without.remove(name);
            assertThatThrownBy(() -> MAPPER.treeToValue(without, IUpdater.class)).as("without %s", name)
                    .hasMessageContaining("Missing required creator property '" + name + "'");
        }
    }

    /** The example in SgdScheduleFree's Javadoc: w = 1, gradient 2w, lr 0.1, momentum 0.5. */
    @Test
    void sgdJavadocExample() {
        SgdScheduleFree config = new SgdScheduleFree(0.1, 0.5, 0);
        INDArray view = Nd4j.zeros(DataType.DOUBLE, 1, config.stateSize(1));
        GradientUpdater updater = config.instantiate(view, true);
        double y = 1;
        double[][] expected = {{0.8, 0.8, 0.8}, {0.64, 0.72, 0.68}};
        for (int step = 0; step < 2; step++) {
            INDArray g = Nd4j.valueArrayOf(new long[] {1, 1}, 2 * y, DataType.DOUBLE);
            updater.applyUpdater(g, step, 0);
            y -= g.getDouble(0);
            double initial = 1;
            assertThat(view.getDouble(0) + initial).as("z").isCloseTo(expected[step][0], within(1e-15));
            assertThat(view.getDouble(1) + initial).as("x").isCloseTo(expected[step][1], within(1e-15));
            assertThat(y).as("y").isCloseTo(expected[step][2], within(1e-15));
        }
        assertThat(view.getDouble(2)).as("step count").isEqualTo(2);
        assertThat(view.getDouble(3)).as("weight sum").isCloseTo(0.02, within(1e-17));
        assertThat(view.getDouble(4)).as("lr_max").isEqualTo(0.1);
    }

    /** The example in AdamWScheduleFree's Javadoc. */
    @Test
    void adamwJavadocExample() {
        AdamWScheduleFree config = new AdamWScheduleFree(0.1, 0.5, 0.999, 1e-8, 0, 0);
        INDArray view = Nd4j.zeros(DataType.DOUBLE, 1, config.stateSize(1));
        GradientUpdater updater = config.instantiate(view, true);
        INDArray g = Nd4j.valueArrayOf(new long[] {1, 1}, 2.0, DataType.DOUBLE);
        updater.applyUpdater(g, 0, 0);
        assertThat(1 - g.getDouble(0)).as("y").isCloseTo(0.9, within(1e-9)).isNotEqualTo(0.9);
        assertThat(1 + view.getDouble(0)).as("z").isCloseTo(0.9, within(1e-9));
        assertThat(1 + view.getDouble(1)).as("x").isCloseTo(0.9, within(1e-9));
        assertThat(view.getDouble(2)).as("v").isCloseTo(0.004, within(1e-15));
    }
}
