package io.github.lrschedules.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.schedule.CosineDecayRestartsSchedule;
import io.github.lrschedules.schedule.CosineDecaySchedule;
import io.github.lrschedules.schedule.CosineRestartsSchedule;
import io.github.lrschedules.schedule.CyclicSchedule;
import io.github.lrschedules.schedule.ExponentialDecaySchedule;
import io.github.lrschedules.schedule.SwaSchedule;
import io.github.lrschedules.schedule.InverseSqrtSchedule;
import io.github.lrschedules.schedule.InverseTimeDecaySchedule;
import io.github.lrschedules.schedule.LinearSchedule;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedule.PiecewiseConstantSchedule;
import io.github.lrschedules.schedule.PiecewiseInterpolateSchedule;
import io.github.lrschedules.schedule.PolynomialDecaySchedule;
import io.github.lrschedules.schedule.ProductSchedule;
import io.github.lrschedules.schedule.ScaledSchedule;
import io.github.lrschedules.schedule.SequentialSchedule;
import io.github.lrschedules.schedule.TanhSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.schedule.WarmupSchedule;
import io.github.lrschedules.schedule.WarmupStableDecaySchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Every schedule class, as the learning rate of {@code Adam} (the network's updater) and of {@code Nesterovs} (one
 * layer's own updater, with a one-cycle momentum schedule), survives DL4J's configuration JSON and
 * {@code ModelSerializer} with its updater: equal configurations, equal schedules, the same values, the same
 * updater blocks.
 */
class SerializationTrainingTest {

    private static final int STEPS = 200;
    private static final ISchedule MOMENTUM = OneCycleSchedule.momentum(ScheduleType.ITERATION, 16, 0.25, 0.85, 0.95,
            OneCycleSchedule.Anneal.COS, false);

    /** One instance of every schedule class of the library; {@link #everyScheduleClassIsListed} keeps it complete. */
    static Stream<Arguments> schedules() {
        return Stream.of(
                new MilestoneStepSchedule(ScheduleType.EPOCH, 0.01, 0.5, 1, 3),
                new LinearSchedule(ScheduleType.ITERATION, 0.01, 1.0, 0.1, 20),
                new PolynomialDecaySchedule(ScheduleType.ITERATION, 0.01, 0.0005, 2.0, 20),
                new CosineDecaySchedule(ScheduleType.ITERATION, 0.01, 20, 0.0005),
                new WarmupSchedule(ScheduleType.ITERATION,
                        new CosineDecaySchedule(ScheduleType.ITERATION, 0.01, 15, 0.0005), 5, 0.001),
                new WarmupCosineSchedule(ScheduleType.ITERATION, 0.01, 5, 20, 0.0005, 0.001),
                new CosineRestartsSchedule(ScheduleType.ITERATION, 0.01, 5, 2.0, 0.0005, 0.8),
                new OneCycleSchedule(ScheduleType.ITERATION, 0.01, 20, 0.3, 25, 1e4, OneCycleSchedule.Anneal.COS,
                        true),
                new CyclicSchedule(ScheduleType.ITERATION, 0.001, 0.01, 3, 5, CyclicSchedule.Mode.EXP_RANGE, 0.97),
                new SequentialSchedule(ScheduleType.ITERATION, Arrays.asList(
                        new LinearSchedule(ScheduleType.ITERATION, 0.01, 0.1, 1.0, 5),
                        new CosineDecaySchedule(ScheduleType.ITERATION, 0.01, 15, 0.0005)), 5),
                new ScaledSchedule(new MilestoneStepSchedule(ScheduleType.ITERATION, 0.02, 0.3, 6, 12), 0.5),
                new WarmupStableDecaySchedule(ScheduleType.ITERATION, 0.01, 3, 20, 0.0005, 0.001, 6,
                        WarmupStableDecaySchedule.Decay.ONE_MINUS_SQRT),
                new InverseSqrtSchedule(ScheduleType.ITERATION, 0.01, 4, 6),
                new PiecewiseConstantSchedule(ScheduleType.ITERATION, new int[] {4, 9}, new double[] {0.01, 0.005, 0.001}),
                // Keras' schedules
                ExponentialDecaySchedule.builder(ScheduleType.ITERATION, 0.01, 0.5, 7).build(),
                InverseTimeDecaySchedule.builder(ScheduleType.ITERATION, 0.01, 0.5, 3).staircase(true).build(),
                CosineDecayRestartsSchedule.builder(ScheduleType.ITERATION, 0.01, 4).tMul(1.5).mMul(0.7).alpha(0.05).build(),
                new SwaSchedule(new CosineDecaySchedule(ScheduleType.ITERATION, 0.01, 20, 0.0005), 8, 0.002, 4,
                        SwaSchedule.Anneal.COS),
                new ProductSchedule(Arrays.asList(new LinearSchedule(ScheduleType.ITERATION, 0.01, 0.5, 1.0, 4),
                        new MilestoneStepSchedule(ScheduleType.ITERATION, 1.0, 0.5, 8, 14))),
                new PiecewiseInterpolateSchedule(ScheduleType.ITERATION, PiecewiseInterpolateSchedule.Interpolation.COSINE,
                        0.01, new int[] {0, 6, 15}, new double[] {0.5, 2.0, 0.1}),
                TanhSchedule.builder(ScheduleType.ITERATION, 0.01, 6).minValue(0.0005).warmupSteps(2)
                        .warmupStartValue(0.001).cycleMultiplier(1.5).cycleDecay(0.7).cycleLimit(0).build(),
                new WarmupSchedule(ScheduleType.ITERATION, CosineDecaySchedule.builder(ScheduleType.ITERATION, 0.01, 15)
                        .minValue(0.0005).exponent(2.0).build(), 5, 0.001, WarmupSchedule.Ramp.LOG),
                WarmupStableDecaySchedule.builder(ScheduleType.ITERATION, 0.01, 20).warmupSteps(4).decaySteps(8)
                        .warmupShape(WarmupStableDecaySchedule.Decay.COSINE).decay(WarmupStableDecaySchedule.Decay.COSINE)
                        .numCycles(1.0).minLrRatio(0.05).build())
                .map(s -> Arguments.of(s.getClass().getSimpleName(), s));
    }

    @Test
    void everyScheduleClassIsListed() throws Exception {
        Set<Class<?>> listed = schedules().map(a -> a.get()[1].getClass()).collect(Collectors.toSet());

        Set<Class<?>> published = publicScheduleClasses();

        assertThat(published).hasSizeGreaterThanOrEqualTo(11);
        assertThat(listed).containsExactlyInAnyOrderElementsOf(published);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedules")
    void multiLayerConfigurationJsonRoundTrip(String name, ISchedule schedule) {
        MultiLayerConfiguration conf = mlpConf(schedule);
        String json = conf.toJson();

        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(json);

        assertThat(json).contains(schedule.getClass().getName());
        assertThat(restored).isEqualTo(conf);
        assertThat(restored.toJson()).isEqualTo(json);
        for (int i = 0; i < conf.getConfs().size(); i++) {
            assertSameUpdaters(restored.getConf(i).getLayer(), conf.getConf(i).getLayer(), schedule);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedules")
    void computationGraphConfigurationJsonRoundTrip(String name, ISchedule schedule) {
        ComputationGraphConfiguration conf = graphConf(schedule);
        String json = conf.toJson();

        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(json);

        assertThat(restored).isEqualTo(conf);
        assertThat(restored.toJson()).isEqualTo(json);
        for (String layer : Arrays.asList("left", "right", "out")) {
            assertSameUpdaters(layerConf(restored, layer), layerConf(conf, layer), schedule);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedules")
    void modelSerializerKeepsSchedulesOfMultiLayerNetwork(String name, ISchedule schedule, @TempDir Path dir)
            throws IOException {
        MultiLayerNetwork net = TestNets.init(mlpConf(schedule));
        TestNets.fitEpochs(net, TestData.blobs(), 2);
        File file = dir.resolve("mlp.zip").toFile();

        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);

        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
        for (int i = 0; i < net.getnLayers(); i++) {
            assertSameUpdaters(restored.getLayer(i).conf().getLayer(), net.getLayer(i).conf().getLayer(), schedule);
        }
        assertThat(restored.getIterationCount()).isEqualTo(net.getIterationCount());
        assertThat(restored.getEpochCount()).isEqualTo(2);
        assertThat(restored.params()).isEqualTo(net.params());
        assertThat(restored.getUpdater().getStateViewArray()).isEqualTo(net.getUpdater().getStateViewArray());
        assertThat(blocks((BaseMultiLayerUpdater<?>) restored.getUpdater()))
                .containsExactlyElementsOf(blocks((BaseMultiLayerUpdater<?>) net.getUpdater()))
                // layers 0 and 2 share Adam, layer 1 has Nesterovs: three blocks
                .hasSize(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedules")
    void modelSerializerKeepsSchedulesOfComputationGraph(String name, ISchedule schedule, @TempDir Path dir)
            throws IOException {
        ComputationGraph graph = new ComputationGraph(graphConf(schedule));
        graph.init();
        TestNets.fitEpochs(graph, TestData.blobs(), 2);
        File file = dir.resolve("graph.zip").toFile();

        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertThat(restored.getConfiguration()).isEqualTo(graph.getConfiguration());
        for (Layer layer : graph.getLayers()) {
            String layerName = layer.conf().getLayer().getLayerName();
            assertSameUpdaters(restored.getLayer(layerName).conf().getLayer(), layer.conf().getLayer(), schedule);
        }
        assertThat(restored.getIterationCount()).isEqualTo(graph.getIterationCount());
        assertThat(restored.getEpochCount()).isEqualTo(2);
        assertThat(restored.params()).isEqualTo(graph.params());
        assertThat(restored.getUpdater().getStateViewArray()).isEqualTo(graph.getUpdater().getStateViewArray());
        assertThat(blocks(restored.getUpdater())).containsExactlyElementsOf(blocks(graph.getUpdater()))
                .hasSizeGreaterThan(1);
    }

    /** Adam(schedule) for the network; layer 1 has Nesterovs(schedule, one-cycle momentum) of its own. */
    private static MultiLayerConfiguration mlpConf(ISchedule schedule) {
        return TestNets.base(new Adam(schedule)).list()
                .layer(new DenseLayer.Builder().nIn(TestData.FEATURES).nOut(16).build())
                .layer(new DenseLayer.Builder().nIn(16).nOut(12).updater(new Nesterovs(schedule, MOMENTUM)).build())
                .layer(TestNets.output(12))
                .build();
    }

    /** Adam(schedule) for the graph; layer "right" has Nesterovs(schedule, one-cycle momentum) of its own. */
    private static ComputationGraphConfiguration graphConf(ISchedule schedule) {
        return TestNets.base(new Adam(schedule)).graphBuilder()
                .addInputs("in")
                .addLayer("left", new DenseLayer.Builder().nIn(TestData.FEATURES).nOut(12).build(), "in")
                .addLayer("right", new DenseLayer.Builder().nIn(TestData.FEATURES).nOut(8)
                        .updater(new Nesterovs(schedule, MOMENTUM)).build(), "in")
                .addVertex("merge", new MergeVertex(), "left", "right")
                .addLayer("out", TestNets.output(20), "merge")
                .setOutputs("out")
                .build();
    }

    private static org.deeplearning4j.nn.conf.layers.Layer layerConf(ComputationGraphConfiguration conf, String name) {
        return ((LayerVertex) conf.getVertices().get(name)).getLayerConf().getLayer();
    }

    /**
     * The restored layer's weight and bias updaters equal the original ones, their schedules are equal (by value:
     * after deserialization they are other instances) to {@code schedule}, of the same class, and give the same
     * values for steps {@code 0..STEPS} of both counters.
     */
    private static void assertSameUpdaters(org.deeplearning4j.nn.conf.layers.Layer restored,
                                           org.deeplearning4j.nn.conf.layers.Layer original, ISchedule schedule) {
        for (String param : Arrays.asList("W", "b")) {
            IUpdater restoredUpdater = restored.getUpdaterByParam(param);
            IUpdater originalUpdater = original.getUpdaterByParam(param);
            assertThat(restoredUpdater).isEqualTo(originalUpdater);
            ISchedule restoredSchedule = learningRateSchedule(restoredUpdater);
            assertThat(restoredSchedule).isInstanceOf(schedule.getClass()).isEqualTo(schedule)
                    .hasSameHashCodeAs(schedule);
            assertSameValues(restoredSchedule, schedule);
            if (restoredUpdater instanceof Nesterovs) {
                ISchedule momentum = ((Nesterovs) restoredUpdater).getMomentumISchedule();
                assertThat(momentum).isEqualTo(MOMENTUM);
                assertSameValues(momentum, MOMENTUM);
            }
        }
    }

    private static void assertSameValues(ISchedule restored, ISchedule original) {
        for (int k = 0; k <= STEPS; k++) {
            assertThat(restored.valueAt(k, 0)).as("valueAt(%d, 0)", k).isEqualTo(original.valueAt(k, 0));
            assertThat(restored.valueAt(0, k)).as("valueAt(0, %d)", k).isEqualTo(original.valueAt(0, k));
            assertThat(restored.valueAt(k, k / TestData.ITERATIONS_PER_EPOCH)).as("valueAt(%d, %d)", k,
                    k / TestData.ITERATIONS_PER_EPOCH).isEqualTo(original.valueAt(k, k / TestData.ITERATIONS_PER_EPOCH));
        }
    }

    private static ISchedule learningRateSchedule(IUpdater updater) {
        if (updater instanceof Adam) {
            return ((Adam) updater).getLearningRateSchedule();
        }
        if (updater instanceof Nesterovs) {
            return ((Nesterovs) updater).getLearningRateSchedule();
        }
        throw new AssertionError("unexpected updater " + updater);
    }

    /** Layout of the updater blocks: parameter range, state range and the parameters in each. */
    static List<String> blocks(BaseMultiLayerUpdater<?> updater) {
        List<String> blocks = new ArrayList<>();
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            List<String> params = new ArrayList<>();
            for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                params.add(p.getLayer().getConfig().getLayerName() + "/" + p.getParamName());
            }
            blocks.add("params [" + block.getParamOffsetStart() + ", " + block.getParamOffsetEnd() + "), state ["
                    + block.getUpdaterViewOffsetStart() + ", " + block.getUpdaterViewOffsetEnd() + ") " + params);
        }
        return blocks;
    }

    /** Public top-level classes of the schedule package that implement ISchedule, found on the class path. */
    private static Set<Class<?>> publicScheduleClasses() throws IOException, URISyntaxException,
            ClassNotFoundException {
        String packageName = MilestoneStepSchedule.class.getPackage().getName();
        String packagePath = packageName.replace('.', '/');
        Path location = Paths.get(MilestoneStepSchedule.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        List<String> classFiles = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.list(location.resolve(packagePath))) {
                files.map(f -> f.getFileName().toString()).forEach(classFiles::add);
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    String entry = entries.nextElement().getName();
                    if (entry.startsWith(packagePath + "/") && entry.indexOf('/', packagePath.length() + 1) < 0) {
                        classFiles.add(entry.substring(packagePath.length() + 1));
                    }
                }
            }
        }
        Set<Class<?>> classes = new LinkedHashSet<>();
        for (String file : classFiles) {
            if (file.endsWith(".class") && !file.contains("$")) {
                Class<?> c = Class.forName(packageName + "." + file.substring(0, file.length() - ".class".length()));
                if (ISchedule.class.isAssignableFrom(c) && Modifier.isPublic(c.getModifiers())
                        && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())) {
                    classes.add(c);
                }
            }
        }
        return classes;
    }
}
