package io.github.lrschedules.lrfree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.schedule.CosineDecaySchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.schedulefree.ScheduleFree;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
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
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Value semantics, JSON and Java serialization, builders with optax's defaults, validation, the Javadoc examples,
 * what {@link LearningRateFree#attach} is needed for, and the per-block estimates.
 */
class LearningRateFreeContractTest {

    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void precision() {
        LrFreeCases.doublePrecision();
    }

    static Stream<IUpdater> samples() {
        return Stream.of(Prodigy.builder().build(),
                Prodigy.builder().learningRate(new WarmupCosineSchedule(ScheduleType.ITERATION, 1.0, 5, 100, 0.0, 0.0))
                        .beta1(0.85).beta2(0.99).beta3(0.9).epsilon(1e-6).estimatedLr0(1e-4).estimatedLrCoefficient(0.5)
                        .weightDecay(0.01).safeguardWarmup(true).build(),
                DAdaptAdam.builder().build(),
                DAdaptAdam.builder().learningRate(new ExponentialSchedule(ScheduleType.EPOCH, 1.0, 0.9)).beta1(0.8)
                        .beta2(0.99).epsilon(1e-6).estimatedLr0(1e-5).weightDecay(0.05).build(),
                Dog.builder().build(),
                Dog.builder().learningRate(new CosineDecaySchedule(ScheduleType.ITERATION, 1.0, 50, 0.0))
                        .initialLearningRate(0.01).epsilon(1e-6).build(),
                Dog.builder().initialDistance(0.1).build());
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
        clone.setLrAndSchedule(0.5, null);
        assertThat(clone).isNotEqualTo(updater);
        assertThat(clone.getLearningRate(5, 1)).isEqualTo(0.5);
    }

    @Test
    void equalityCoversEveryProperty() {
        Prodigy p = Prodigy.builder().build();
        assertThat(p).isEqualTo(Prodigy.builder().build()).hasSameHashCodeAs(Prodigy.builder().build())
                .isNotEqualTo(Prodigy.builder().learningRate(0.5).build())
                .isNotEqualTo(Prodigy.builder().learningRate(new ExponentialSchedule(ScheduleType.ITERATION, 1, 0.9))
                        .build())
                .isNotEqualTo(Prodigy.builder().beta1(0.8).build())
                .isNotEqualTo(Prodigy.builder().beta2(0.99).build())
                .isNotEqualTo(Prodigy.builder().beta3(0.9).build())
                .isNotEqualTo(Prodigy.builder().epsilon(1e-7).build())
                .isNotEqualTo(Prodigy.builder().estimatedLr0(1e-5).build())
                .isNotEqualTo(Prodigy.builder().estimatedLrCoefficient(2).build())
                .isNotEqualTo(Prodigy.builder().weightDecay(0.1).build())
                .isNotEqualTo(Prodigy.builder().safeguardWarmup(true).build());
        DAdaptAdam a = DAdaptAdam.builder().build();
        assertThat(a).isEqualTo(DAdaptAdam.builder().build())
                .isNotEqualTo(DAdaptAdam.builder().learningRate(0.5).build())
                .isNotEqualTo(DAdaptAdam.builder().beta1(0.8).build())
                .isNotEqualTo(DAdaptAdam.builder().beta2(0.99).build())
                .isNotEqualTo(DAdaptAdam.builder().epsilon(1e-7).build())
                .isNotEqualTo(DAdaptAdam.builder().estimatedLr0(1e-5).build())
                .isNotEqualTo(DAdaptAdam.builder().weightDecay(0.1).build());
        Dog d = Dog.builder().build();
        assertThat(d).isEqualTo(Dog.builder().build())
                .isNotEqualTo(Dog.builder().learningRate(0.5).build())
                .isNotEqualTo(Dog.builder().initialStep(1e-4).build())
                .isNotEqualTo(Dog.builder().initialDistance(1e-6).build())
                .isNotEqualTo(Dog.builder().initialLearningRate(1e-6).build())
                .isNotEqualTo(Dog.builder().epsilon(1e-7).build());
        assertThat(p).isNotEqualTo(a);
        assertThat(p.toString()).isEqualTo("Prodigy{learningRate=1.0, beta1=0.9, beta2=0.999, beta3="
                + Math.sqrt(0.999) + ", epsilon=1.0E-8, estimatedLr0=1.0E-6, estimatedLrCoefficient=1.0,"
                + " weightDecay=0.0, safeguardWarmup=false}");
        assertThat(a.toString()).isEqualTo("DAdaptAdam{learningRate=1.0, beta1=0.9, beta2=0.999, epsilon=1.0E-8,"
                + " estimatedLr0=1.0E-6, weightDecay=0.0}");
        assertThat(d.toString()).isEqualTo("Dog{learningRate=1.0, initialStepType=HEURISTIC, initialStep=1.0E-6,"
                + " epsilon=1.0E-8}");
    }

    @Test
    void buildersHaveOptaxsDefaults() {
        assertThat(Prodigy.builder().build()).isEqualTo(new Prodigy(1.0, null, 0.9, 0.999, Math.sqrt(0.999), 1e-8,
                1e-6, 1.0, 0.0, false));
        assertThat(Prodigy.builder().beta2(0.99).build().getBeta3()).as("beta3 follows beta2").isEqualTo(Math.sqrt(0.99));
        assertThat(DAdaptAdam.builder().build()).isEqualTo(new DAdaptAdam(1.0, null, 0.9, 0.999, 1e-8, 1e-6, 0.0));
        assertThat(Dog.builder().build()).isEqualTo(new Dog(1.0, null, Dog.InitialStep.HEURISTIC, 1e-6, 1e-8));
        ExponentialSchedule s = new ExponentialSchedule(ScheduleType.ITERATION, 1.0, 0.99);
        Prodigy scheduled = Prodigy.builder().learningRate(s).build();
        assertThat(scheduled.getLearningRateSchedule()).isEqualTo(s);
        assertThat(scheduled.getLearningRate(10, 0)).isEqualTo(s.valueAt(10, 0));
        assertThat(Prodigy.builder().learningRate(s).learningRate(0.5).build().getLearningRateSchedule())
                .as("a constant set later replaces the schedule").isNull();
    }

    static Stream<Object[]> badInputs() {
        return Stream.of(
                bad(() -> Prodigy.builder().learningRate(0).build(), "learningRate (0.0) must be > 0 and finite"),
                bad(() -> Prodigy.builder().learningRate(Double.NaN).build(),
                        "learningRate (NaN) must be > 0 and finite"),
                bad(() -> Prodigy.builder().learningRate(null).build(), "learningRateSchedule must not be null"),
                bad(() -> Prodigy.builder().beta1(1.0).build(), "beta1 (1.0) must be in [0, 1)"),
                bad(() -> Prodigy.builder().beta2(-0.1).build(), "beta2 (-0.1) must be in [0, 1)"),
                bad(() -> Prodigy.builder().beta3(1.5).build(), "beta3 (1.5) must be in [0, 1]"),
                bad(() -> Prodigy.builder().epsilon(0).build(), "epsilon (0.0) must be > 0 and finite"),
                bad(() -> Prodigy.builder().estimatedLr0(-1e-6).build(), "estimatedLr0 (-1.0E-6) must be > 0 and finite"),
                bad(() -> Prodigy.builder().estimatedLrCoefficient(Double.POSITIVE_INFINITY).build(),
                        "estimatedLrCoefficient (Infinity) must be > 0 and finite"),
                bad(() -> Prodigy.builder().weightDecay(-0.1).build(), "weightDecay (-0.1) must be >= 0 and finite"),
                bad(() -> DAdaptAdam.builder().beta1(Double.NaN).build(), "beta1 (NaN) must be in [0, 1)"),
                bad(() -> DAdaptAdam.builder().estimatedLr0(0).build(), "estimatedLr0 (0.0) must be > 0 and finite"),
                bad(() -> DAdaptAdam.builder().weightDecay(Double.NaN).build(),
                        "weightDecay (NaN) must be >= 0 and finite"),
                bad(() -> Dog.builder().initialStep(0).build(), "initialStep (0.0) must be > 0 and finite"),
                bad(() -> Dog.builder().initialDistance(-1).build(), "initialStep (-1.0) must be > 0 and finite"),
                bad(() -> Dog.builder().epsilon(-1e-8).build(), "epsilon (-1.0E-8) must be > 0 and finite"),
                bad(() -> new Dog(1, null, null, 1e-6, 1e-8), "initialStepType must not be null"),
                bad(() -> {
                    Prodigy u = Prodigy.builder().build();
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

    @Test
    void badInputFromJsonIsRefusedLikeFromCode() throws IOException {
        ObjectNode node = (ObjectNode) MAPPER.readTree(MAPPER.writeValueAsString(Prodigy.builder().build()));
        node.put("beta3", 2.0);
        assertThatThrownBy(() -> MAPPER.treeToValue(node, IUpdater.class))
                .hasRootCauseMessage("beta3 (2.0) must be in [0, 1]")
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
        ObjectNode dog = (ObjectNode) MAPPER.readTree(MAPPER.writeValueAsString(Dog.builder().build()));
        dog.put("initialStep", -1.0);
        assertThatThrownBy(() -> MAPPER.treeToValue(dog, IUpdater.class))
                .hasRootCauseMessage("initialStep (-1.0) must be > 0 and finite");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyMissingPropertyIsRefusedByName(IUpdater updater) throws IOException {
        ObjectNode full = (ObjectNode) MAPPER.readTree(MAPPER.writeValueAsString(updater));
        List<String> names = new ArrayList<>();
        full.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("@class", "learningRate", "learningRateSchedule", "epsilon");
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

    /** One parameter w = 1 with gradient 2w, stepped through the updater as DL4J and attach's listener do. */
    private static List<double[]> javadocSteps(IUpdater config, int steps) {
        INDArray view = Nd4j.zeros(DataType.DOUBLE, 1, config.stateSize(1));
        GradientUpdater<?> updater = config.instantiate(view, true);
        INDArray w = Nd4j.ones(DataType.DOUBLE, 1);
        List<double[]> result = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            ((LearningRateFreeUpdater) updater).parameters(w);
            INDArray g = w.mul(2).reshape(1, 1);
            updater.applyUpdater(g, step, 0);
            w.subi(g.reshape(1));
            result.add(new double[] {g.getDouble(0), LearningRateFree.estimatedStepSize(view)});
        }
        return result;
    }

    @Test
    void prodigyJavadocExample() {
        List<double[]> steps = javadocSteps(Prodigy.builder().build(), 3);
        assertThat(steps.get(0)[0]).as("first move").isCloseTo(9.999998418861418e-7, within(1e-18));
        assertThat(steps.get(0)[1]).isEqualTo(1e-6);
        assertThat(steps.get(2)[1]).as("d of the third step").isEqualTo(1e-6);
    }

    @Test
    void dadaptJavadocExample() {
        List<double[]> steps = javadocSteps(DAdaptAdam.builder().build(), 3);
        assertThat(steps.get(0)[0]).as("first move").isCloseTo(9.999998418861418e-7, within(1e-18));
        assertThat(steps.get(1)[1]).as("d of the second step").isEqualTo(1e-6);
        assertThat(steps.get(2)[1]).as("d of the third step").isCloseTo(4.267725495726441e-6, within(1e-17));
    }

    @Test
    void dogJavadocExample() {
        List<double[]> steps = javadocSteps(Dog.builder().build(), 2);
        assertThat(steps.get(0)[1]).as("eta").isCloseTo(9.9999999875e-7, within(1e-18));
        assertThat(steps.get(0)[0]).as("first move").isCloseTo(1.9999999975e-6, within(1e-18));
        assertThat(steps.get(1)[1]).as("second eta").isCloseTo(7.071074878517382e-7, within(1e-17));
    }

    @Test
    void prodigyAndDogWithoutAttachFailNamingTheCall() {
        for (LrFreeCases c : new LrFreeCases[] {LrFreeCases.PRODIGY, LrFreeCases.DOG, LrFreeCases.DOG_DISTANCE,
                LrFreeCases.DADAPT_COSINE_DECAY}) {
            MultiLayerNetwork net = c.bareNetwork();
            assertThatThrownBy(() -> net.fit(LrFreeCases.data())).as("%s", c)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("LearningRateFree.attach(net)");
        }
    }

    @Test
    void dadaptWithoutWeightDecayNeedsNoAttach() {
        LrFreeCases c = LrFreeCases.DADAPT;
        MultiLayerNetwork net = c.bareNetwork();
        for (int step = 1; step <= 5; step++) {
            net.fit(LrFreeCases.data());
            assertThat(LrFreeCases.relativeError(LrFreeCases.parameters(net), c.params(step))).isLessThan(1e-12);
        }
    }

    @Test
    void attachIsIdempotentAndScheduleFreeAttachAttachesToo() {
        MultiLayerNetwork net = LrFreeCases.PRODIGY.bareNetwork();
        assertThat(LearningRateFree.isAttached(net)).isFalse();
        ScheduleFree.attach(net);
        assertThat(LearningRateFree.isAttached(net)).isTrue();
        int listeners = net.getListeners().size();
        LearningRateFree.attach(net);
        ScheduleFree.attach(net);
        assertThat(net.getListeners()).hasSize(listeners);
        assertThatThrownBy(() -> LearningRateFree.attach(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("net must be a MultiLayerNetwork or a ComputationGraph");
    }

    @Test
    void aRestoredNetworkNeedsAttachAgain() throws IOException {
        MultiLayerNetwork net = LrFreeCases.PRODIGY.network();
        net.fit(LrFreeCases.data());
        File file = dir.resolve("prodigy.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertThatThrownBy(() -> restored.fit(LrFreeCases.data())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("again after restoring");
    }

    /** Several blocks: one estimate each, keyed by the block's first parameter; the one-value accessor refuses. */
    @Test
    void severalBlocksHaveOneEstimateEach() {
        MultiLayerNetwork net = LrFreeCases.PRODIGY_TWO_BLOCKS.network();
        for (int i = 0; i < 10; i++) {
            net.fit(LrFreeCases.data());
        }
        assertThat(LearningRateFree.estimatedStepSizes(net)).containsOnlyKeys("0_W", "0_b");
        assertThat(LearningRateFree.estimatedStepSizes(net).get("0_W"))
                .isNotEqualTo(LearningRateFree.estimatedStepSizes(net).get("0_b"));
        assertThatThrownBy(() -> LearningRateFree.estimatedStepSize(net)).isInstanceOf(IllegalStateException.class)
                .hasMessage("net has 2 learning-rate-free updater blocks [0_W, 0_b], one expected: use"
                        + " LearningRateFree.estimatedStepSizes(net) for one estimate per block");
        MultiLayerNetwork one = LrFreeCases.PRODIGY.network();
        one.fit(LrFreeCases.data());
        assertThat(LearningRateFree.estimatedStepSizes(one)).containsOnlyKeys("0_W");
        assertThat(LearningRateFree.estimatedStepSize(one)).isEqualTo(1e-3);
    }

    /** Two layers with one configuration: one block, one estimate over both layers' parameters. */
    @Test
    void oneConfigurationForTheNetworkIsOneBlock() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(Prodigy.builder().build()).list()
                .layer(new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nIn(4)
                        .nOut(3).build())
                .build());
        net.init();
        LearningRateFree.attach(net);
        net.fit(LrFreeCases.data());
        assertThat(LearningRateFree.estimatedStepSizes(net)).containsOnlyKeys("0_W");
        assertThat(LearningRateFree.effectiveLearningRates(net).get("0_W")).isEqualTo(1e-6);
    }

    /** Where optax divides 0 by 0 (a warmup from lr 0 without safeguard), the estimate stays finite. */
    @Test
    void aWarmupFromZeroKeepsTheEstimateFinite() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(Prodigy.builder().estimatedLr0(1e-3)
                        .learningRate(new WarmupCosineSchedule(ScheduleType.ITERATION, 1.0, 5, 60, 0.0, 0.0)).build())
                .list().layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nIn(5).nOut(3).build())
                .build());
        net.init();
        LearningRateFree.attach(net);
        DataSet data = LrFreeCases.data();
        double before = net.score(data);
        net.fit(data);
        assertThat(LearningRateFree.estimatedStepSize(net)).isEqualTo(1e-3);
        assertThat(LearningRateFree.effectiveLearningRates(net).get("0_W")).isEqualTo(0.0);
        for (int i = 0; i < 30; i++) {
            net.fit(data);
        }
        assertThat(LearningRateFree.estimatedStepSize(net)).isFinite().isGreaterThan(1e-3);
        assertThat(net.score(data)).isLessThan(before / 2);
    }

    /** DL4J's default float32 networks train too (the state view is float32 then). */
    @Test
    void float32NetworksTrain() {
        DataSet data = LrFreeCases.data();
        DataSet floats = new DataSet(data.getFeatures().castTo(DataType.FLOAT), data.getLabels().castTo(DataType.FLOAT));
        for (IUpdater updater : new IUpdater[] {Prodigy.builder().build(), DAdaptAdam.builder().build(),
                Dog.builder().initialStep(1e-3).build()}) {
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                    .dataType(DataType.FLOAT).updater(updater).list()
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                            .nIn(5).nOut(3).build())
                    .build());
            net.init();
            LearningRateFree.attach(net);
            double before = net.score(floats);
            for (int i = 0; i < 60; i++) {
                net.fit(floats);
            }
            assertThat(net.score(floats)).as("%s", updater).isLessThan(before / 2);
            assertThat(LearningRateFree.estimatedStepSize(net)).as("%s", updater).isGreaterThan(1e-5);
        }
    }
}
