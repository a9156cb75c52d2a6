package io.github.lrschedules.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
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
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** Value semantics, JSON and Java serialization, the builder's defaults, validation and the Javadoc example. */
class ScheduledAdamContractTest {

    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();

    @BeforeAll
    static void precision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static Stream<ScheduledAdam> samples() {
        OneCycleSchedule.Builder cycle = OneCycleSchedule.builder(ScheduleType.ITERATION, 0.01, 100);
        return Stream.of(ScheduledAdam.builder().build(),
                new ScheduledAdam(cycle.build(), cycle.buildMomentum(), 0.99, 1e-6, new FixedSchedule(0.01)),
                new ScheduledAdam(new ExponentialSchedule(ScheduleType.EPOCH, 0.01, 0.9), new FixedSchedule(0.8),
                        0.999, 1e-8, new WarmupCosineSchedule(ScheduleType.ITERATION, 0.1, 0, 50, 0.0, 0.0)));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void jsonRoundTripThroughDl4jsMapper(ScheduledAdam updater) throws IOException {
        String json = MAPPER.writeValueAsString(updater);
        IUpdater back = MAPPER.readValue(json, IUpdater.class);
        assertThat(back).isEqualTo(updater).hasSameHashCodeAs(updater).isNotSameAs(updater);
        assertThat(back.toString()).isEqualTo(updater.toString());
        assertThat(json).contains("\"beta1Schedule\"", "\"weightDecaySchedule\"", "\"learningRateSchedule\"");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void configurationJsonRoundTrip(ScheduledAdam updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2).build())
                .build();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        assertThat(((BaseLayer) back.getConf(1).getLayer()).getIUpdater()).isEqualTo(updater);
        ComputationGraphConfiguration graph = new NeuralNetConfiguration.Builder().updater(updater).graphBuilder()
                .addInputs("in").addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4)
                        .nOut(2).build(), "in").setOutputs("out").build();
        assertThat(ComputationGraphConfiguration.fromJson(graph.toJson())).isEqualTo(graph);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void javaSerializationAndCloneKeepTheValue(ScheduledAdam updater) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(updater);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(updater);
        }
        assertThat(updater.clone()).isEqualTo(updater).hasSameHashCodeAs(updater);
    }

    @Test
    void valuesDecideEquality() {
        ScheduledAdam a = ScheduledAdam.builder().learningRate(0.01).build();
        assertThat(a).isEqualTo(ScheduledAdam.builder().learningRate(0.01).build());
        assertThat(a).isNotEqualTo(ScheduledAdam.builder().learningRate(0.02).build());
        assertThat(a).isNotEqualTo(ScheduledAdam.builder().learningRate(0.01).beta1(0.8).build());
        assertThat(a).isNotEqualTo(ScheduledAdam.builder().learningRate(0.01).beta2(0.99).build());
        assertThat(a).isNotEqualTo(ScheduledAdam.builder().learningRate(0.01).epsilon(1e-6).build());
        assertThat(a).isNotEqualTo(ScheduledAdam.builder().learningRate(0.01).weightDecay(0.01).build());
    }

    @Test
    void builderHasPyTorchAdamsDefaults() {
        ScheduledAdam adam = ScheduledAdam.builder().build();
        assertThat(adam.getLearningRate(7, 1)).isEqualTo(1e-3);
        assertThat(adam.beta1(7, 1)).isEqualTo(0.9);
        assertThat(adam.getBeta2()).isEqualTo(0.999);
        assertThat(adam.getEpsilon()).isEqualTo(1e-8);
        assertThat(adam.weightDecay(7, 1)).isEqualTo(0);
        assertThat(adam.stateSize(10)).isEqualTo(20);
    }

    @Test
    void badArgumentsAreNamed() {
        FixedSchedule one = new FixedSchedule(0.1);
        assertThatThrownBy(() -> new ScheduledAdam(null, one, 0.9, 1e-8, one))
                .hasMessage("learningRate must not be null");
        assertThatThrownBy(() -> new ScheduledAdam(one, null, 0.9, 1e-8, one)).hasMessage("beta1 must not be null");
        assertThatThrownBy(() -> new ScheduledAdam(one, one, 1.0, 1e-8, one))
                .hasMessage("beta2 (1.0) must be in [0, 1)");
        assertThatThrownBy(() -> new ScheduledAdam(one, one, Double.NaN, 1e-8, one))
                .hasMessage("beta2 (NaN) must be in [0, 1)");
        assertThatThrownBy(() -> new ScheduledAdam(one, one, 0.9, 0, one))
                .hasMessage("epsilon (0.0) must be > 0 and finite");
        assertThatThrownBy(() -> new ScheduledAdam(one, one, 0.9, 1e-8, null))
                .hasMessage("weightDecay must not be null");
        assertThatThrownBy(() -> ScheduledAdam.builder().beta1(1.0)).hasMessage("beta1 (1.0) must be in [0, 1)");
        assertThatThrownBy(() -> ScheduledAdam.builder().weightDecay(-0.1))
                .hasMessage("weightDecay (-0.1) must be >= 0 and finite");
        assertThatThrownBy(() -> MAPPER.readValue("{\"@class\":\"io.github.lrschedules.updater.ScheduledAdam\","
                + "\"learningRateSchedule\":null,\"beta1Schedule\":null,\"beta2\":0.9,\"epsilon\":1e-8,"
                + "\"weightDecaySchedule\":null}", IUpdater.class)).hasMessageContaining("must not be null");
    }

    private static double oneStep(ScheduledAdam config, double p, double g, int iteration) {
        INDArray view = Nd4j.zeros(DataType.DOUBLE, 1, 2);
        GradientUpdater<?> updater = config.instantiate(view, true);
        INDArray gradient = Nd4j.create(new double[]{g});
        ((io.github.lrschedules.internal.NeedsParameters) updater).bindParameters(Nd4j.create(new double[]{p}));
        updater.applyUpdater(gradient, iteration, 0);
        return p - gradient.getDouble(0);
    }

    /** The Javadoc's example. */
    @Test
    void firstStepMovesByTheLearningRateAndDecay() {
        ScheduledAdam adam = ScheduledAdam.builder().learningRate(0.1).build();
        assertThat(oneStep(adam, 1, 2, 0)).isCloseTo(0.9, within(1e-9));
        ScheduledAdam adamW = ScheduledAdam.builder().learningRate(0.1).weightDecay(0.5).build();
        assertThat(oneStep(adamW, 1, 2, 0)).isCloseTo(0.85, within(1e-9));
    }

    @Test
    void aScheduleValueOutOfRangeStopsTheStepWithItsName() {
        ScheduledAdam badBeta = ScheduledAdam.builder().beta1(new ExponentialSchedule(ScheduleType.ITERATION, 0.5, 3))
                .build();
        assertThat(oneStep(badBeta, 1, 2, 0)).isCloseTo(0.999, within(1e-9));
        assertThatThrownBy(() -> oneStep(badBeta, 1, 2, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("beta1 (1.5) must be in [0, 1) at iteration 1");
        ScheduledAdam badRate = ScheduledAdam.builder().learningRate(new FixedSchedule(Double.NaN)).build();
        assertThatThrownBy(() -> oneStep(badRate, 1, 2, 0)).hasMessageContaining("learningRate (NaN) must be >= 0");
    }

    @Test
    void setLrAndScheduleKeepsTheOtherSchedules() {
        ScheduledAdam adam = ScheduledAdam.builder().beta1(0.8).build();
        adam.setLrAndSchedule(0.5, null);
        assertThat(adam.getLearningRate(3, 0)).isEqualTo(0.5);
        adam.setLrAndSchedule(Double.NaN, new ExponentialSchedule(ScheduleType.ITERATION, 1.0, 0.5));
        assertThat(adam.getLearningRate(3, 0)).isEqualTo(0.125);
        assertThat(adam.beta1(3, 0)).isEqualTo(0.8);
        assertThat(LearningRates.scheduleOf(adam)).isEqualTo(adam.getLearningRateSchedule());
    }
}
