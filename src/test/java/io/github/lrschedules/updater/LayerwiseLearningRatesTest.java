package io.github.lrschedules.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.internal.Networks;
import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.schedule.PiecewiseConstantSchedule;
import io.github.lrschedules.schedule.ScaledSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Layer factors against timm's {@code param_groups_layer_decay} and fastai's {@code even_mults}
 * ({@code scripts/layerwise_reference.py}), on real networks; the rates DL4J applies (recorded) equal factor times
 * schedule, also after a plateau reduction and a ModelSerializer round trip; the updater state moves with each
 * parameter.
 */
class LayerwiseLearningRatesTest {

    @BeforeAll
    static void precision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** n layers 3 -> 3 (n - 1 dense and the output), keys "0".."n-1". */
    private static MultiLayerNetwork stack(int n, IUpdater updater) {
        NeuralNetConfiguration.ListBuilder list = TestNets.base(updater).list();
        for (int i = 0; i < n - 1; i++) {
            list.layer(new DenseLayer.Builder().nIn(3).nOut(3).build());
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nIn(3)
                .nOut(3).build());
        return TestNets.init(list.build());
    }

    private static List<String[]> csv(String name) throws IOException {
        String path = "/io/github/lrschedules/updater/layerwise/" + name;
        try (InputStream in = LayerwiseLearningRatesTest.class.getResourceAsStream(path)) {
            assertThat(in).as("resource %s (run scripts/layerwise_reference.py)", path).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String[]> rows = new ArrayList<>();
            reader.readLine();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                rows.add(line.split(","));
            }
            return rows;
        }
    }

    private static double[] factors(String cell) {
        return Arrays.stream(cell.split(";")).mapToDouble(Double::parseDouble).toArray();
    }

    /** The rate DL4J's updater of {@code param} applies at a step. */
    private static double rate(Model net, String layerKey, String param, int iteration) {
        for (Layer layer : Networks.layers(net)) {
            if (LearningRates.layerKey(net, layer).equals(layerKey)) {
                return Networks.updater(layer, param).getLearningRate(iteration, 0);
            }
        }
        throw new AssertionError("no layer " + layerKey);
    }

    private static void assertFactors(LayerFactors applied, double[] expected) {
        assertThat(applied.factors()).hasSize(expected.length);
        int i = 0;
        for (double factor : applied.factors().values()) {
            assertThat(factor).as("layer %s", i).isCloseTo(expected[i], within(1e-15 * expected[i]));
            i++;
        }
    }

    @Test
    void decayFactorsAreTimmsLayerScales() throws IOException {
        List<String[]> rows = csv("decay.csv");
        assertThat(rows).hasSize(18);
        for (String[] row : rows) {
            int n = Integer.parseInt(row[0]);
            double decay = Double.parseDouble(row[1]);
            double[] timm = factors(row[2]);
            MultiLayerNetwork net = stack(n, new Sgd(0.1));
            LayerFactors applied = LayerwiseLearningRates.decay(net, decay);
            assertFactors(applied, timm);
            for (int i = 0; i < n; i++) {
                assertThat(rate(net, String.valueOf(i), "W", 3)).isCloseTo(0.1 * timm[i], within(1e-15));
                assertThat(rate(net, String.valueOf(i), "b", 3)).isCloseTo(0.1 * timm[i], within(1e-15));
            }
        }
    }

    @Test
    void discriminativeFactorsAreFastaisEvenMults() throws IOException {
        List<String[]> rows = csv("discriminative.csv");
        assertThat(rows).hasSize(18);
        for (String[] row : rows) {
            int n = Integer.parseInt(row[0]);
            double[] fastai = factors(row[3]);
            MultiLayerNetwork net = stack(n, new Adam(1.0));
            assertFactors(LayerwiseLearningRates.discriminative(net, Double.parseDouble(row[1]),
                    Double.parseDouble(row[2])), fastai);
            for (int i = 0; i < n; i++) {
                assertThat(rate(net, String.valueOf(i), "W", 0)).isCloseTo(fastai[i], within(1e-15 * fastai[i]));
            }
        }
    }

    /** The Javadoc's example. */
    @Test
    void threeDenseLayers() {
        MultiLayerNetwork net = TestNets.mlp(new Adam(1e-3));
        LayerFactors decay = LayerwiseLearningRates.decay(net, 0.5);
        assertThat(decay.factors()).containsExactly(Map.entry("0", 0.25), Map.entry("1", 0.5), Map.entry("2", 1.0));
        assertThat(decay).hasToString("LayerFactors{0=0.25, 1=0.5, 2=1.0}");
        assertThat(rate(net, "0", "W", 0)).isCloseTo(2.5e-4, within(1e-18));
        assertThat(rate(net, "2", "b", 0)).isCloseTo(1e-3, within(1e-18));
        MultiLayerNetwork other = TestNets.mlp(new Adam(1e-3));
        assertFactors(LayerwiseLearningRates.discriminative(other, 1e-3, 1e-1), new double[]{1e-3, 1e-2, 1e-1});
        assertThat(rate(other, "0", "W", 0)).isCloseTo(1e-6, within(1e-18));
        assertThat(rate(other, "1", "W", 0)).isCloseTo(1e-5, within(1e-18));
        assertThat(rate(other, "2", "W", 0)).isCloseTo(1e-4, within(1e-18));
    }

    /** Vertices added out of order; two output layers share the head's position (factor 1). */
    @Test
    void graphLayersAreInTopologicalOrderWithTheOutputsLast() {
        ComputationGraphConfiguration conf = TestNets.base(new Sgd(0.1)).graphBuilder().addInputs("in")
                .addLayer("outA", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2).build(), "c")
                .addLayer("c", new DenseLayer.Builder().nIn(4).nOut(4).build(), "b")
                .addLayer("outB", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2).build(), "b")
                .addLayer("b", new DenseLayer.Builder().nIn(4).nOut(4).build(), "a")
                .addLayer("a", new DenseLayer.Builder().nIn(3).nOut(4).build(), "in")
                .setOutputs("outA", "outB").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        List<String> layers = LayerwiseLearningRates.layers(graph);
        assertThat(layers.subList(0, 3)).containsExactly("a", "b", "c");
        assertThat(layers.subList(3, 5)).containsExactlyInAnyOrder("outA", "outB");
        LayerFactors applied = LayerwiseLearningRates.decay(graph, 0.5);
        assertThat(applied.factor("a")).isEqualTo(0.125);
        assertThat(applied.factor("b")).isEqualTo(0.25);
        assertThat(applied.factor("c")).isEqualTo(0.5);
        assertThat(applied.factor("outA")).isEqualTo(1.0);
        assertThat(applied.factor("outB")).isEqualTo(1.0);
        assertThat(rate(graph, "a", "W", 0)).isCloseTo(0.0125, within(1e-17));
        assertThat(rate(graph, "outB", "b", 0)).isCloseTo(0.1, within(1e-17));
    }

    @Test
    void groupsByNameRangeAndSplit() {
        MultiLayerNetwork byName = stack(5, new Sgd(1.0));
        LayerFactors named = LayerwiseLearningRates.discriminative(byName, 0.01, 1.0,
                LayerGroups.builder().names("0", "1").range(2, 4).names("4").build());
        assertThat(named.factors()).containsExactly(Map.entry("0", 0.01), Map.entry("1", 0.01), Map.entry("2", 0.1),
                Map.entry("3", 0.1), Map.entry("4", 1.0));
        MultiLayerNetwork split = stack(5, new Sgd(1.0));
        assertThat(LayerwiseLearningRates.discriminative(split, 0.01, 1.0, LayerGroups.splitAt(2, 4)))
                .isEqualTo(named);
        MultiLayerNetwork decayed = stack(5, new Sgd(1.0));
        assertThat(LayerwiseLearningRates.decay(decayed, 0.5, LayerGroups.splitAt(4)).factors().values())
                .containsExactly(0.5, 0.5, 0.5, 0.5, 1.0);
        assertThat(LayerGroups.splitAt(2, 4)).hasToString("LayerGroups{[0, 2), [2, 4), [4, end)}");
    }

    @Test
    void badGroupsAndArgumentsAreNamed() {
        MultiLayerNetwork net = stack(3, new Sgd(1.0));
        assertThatThrownBy(() -> LayerwiseLearningRates.decay(net, 0.5, LayerGroups.builder().names("0", "7")
                .names("1", "2").build())).hasMessageContaining("layer \"7\" is not a layer with parameters");
        assertThatThrownBy(() -> LayerwiseLearningRates.decay(net, 0.5, LayerGroups.builder().range(0, 2)
                .names("1", "2").build())).hasMessage("layer \"1\" is in group 0 and in group 1: each layer belongs"
                + " to one group");
        assertThatThrownBy(() -> LayerwiseLearningRates.decay(net, 0.5, LayerGroups.builder().range(0, 2).build()))
                .hasMessageContaining("layer \"2\" is in no group");
        assertThatThrownBy(() -> LayerwiseLearningRates.decay(net, 0.5, LayerGroups.splitAt(5)))
                .hasMessageContaining("does not select any of the 3 layers");
        assertThatThrownBy(() -> LayerGroups.splitAt(2, 2)).hasMessageContaining("boundaries[1] (2) must be > 2");
        assertThatThrownBy(() -> LayerGroups.builder().range(3, 1)).hasMessage("to (1) must be > from (3)");
        assertThatThrownBy(() -> LayerwiseLearningRates.decay(net, 0)).hasMessage("decay (0.0) must be > 0 and finite");
        assertThatThrownBy(() -> LayerwiseLearningRates.decay(net, Double.NaN))
                .hasMessage("decay (NaN) must be > 0 and finite");
        assertThatThrownBy(() -> LayerwiseLearningRates.discriminative(net, -1, 1))
                .hasMessage("low (-1.0) must be > 0 and finite");
        assertThatThrownBy(() -> LayerwiseLearningRates.apply(net, Map.of("9", 0.5)))
                .hasMessageContaining("layer \"9\" is not a layer with parameters");
        assertThatThrownBy(() -> LayerwiseLearningRates.decay(null, 0.5))
                .hasMessage("net must be a MultiLayerNetwork or a ComputationGraph, not null");
        // nothing was applied by the failed calls
        assertThat(rate(net, "0", "W", 0)).isEqualTo(1.0);
    }

    /** Per-layer schedules from the start, switching at {@code at} to {@code base * factor}. */
    private static MultiLayerNetwork switchingAt(int at, double base, double[] factors) {
        NeuralNetConfiguration.ListBuilder list = TestNets.base(new Adam(base)).list();
        int[] sizes = {TestData.FEATURES, 16, 12};
        for (int i = 0; i < 3; i++) {
            ISchedule s = new PiecewiseConstantSchedule(ScheduleType.ITERATION, new int[]{at},
                    new double[]{base, base * factors[i]});
            if (i < 2) {
                list.layer(new DenseLayer.Builder().nIn(sizes[i]).nOut(sizes[i + 1]).updater(new Adam(s)).build());
            } else {
                OutputLayer out = TestNets.output(12);
                out.setIUpdater(new Adam(s));
                out.setBiasUpdater(null);
                list.layer(out);
            }
        }
        return TestNets.init(list.build());
    }

    /**
     * The Adam moments move with each parameter into DL4J's per-layer blocks: applying the factors after an epoch
     * trains exactly like per-layer schedules that switch at that step. Without the moved state it would not.
     */
    @Test
    void updaterStateMovesWithEachParameter() {
        DataSetIterator data = TestData.blobs();
        double[] factors = {0.25, 0.5, 1.0};
        MultiLayerNetwork net = TestNets.mlp(new Adam(0.01));
        MultiLayerNetwork reference = switchingAt(TestData.ITERATIONS_PER_EPOCH, 0.01, factors);
        reference.setParams(net.params().dup());
        MultiLayerNetwork fresh = TestNets.mlp(new Adam(0.01));
        TestNets.fitEpochs(net, data, 1);
        TestNets.fitEpochs(reference, data, 1);
        TestNets.fitEpochs(fresh, data, 1);
        assertThat(net.getUpdater().getStateViewArray().length()).isEqualTo(2 * net.numParams());
        assertThat(((org.deeplearning4j.nn.updater.MultiLayerUpdater) net.getUpdater()).getUpdaterBlocks()).hasSize(1);
        LayerwiseLearningRates.decay(net, 0.5);
        LayerwiseLearningRates.decay(fresh, 0.5);
        fresh.getUpdater().getStateViewArray().assign(0);
        assertThat(((org.deeplearning4j.nn.updater.MultiLayerUpdater) net.getUpdater()).getUpdaterBlocks()).hasSize(3);
        TestNets.fitEpochs(net, data, 2);
        TestNets.fitEpochs(reference, data, 2);
        TestNets.fitEpochs(fresh, data, 2);
        double[] expected = reference.params().data().asDouble();
        assertThat(AdamCases.relativeError(net.params().data().asDouble(), expected)).isLessThan(1e-12);
        assertThat(AdamCases.relativeError(fresh.params().data().asDouble(), expected)).isGreaterThan(1e-6);
    }

    @Test
    void graphStateMovesToo() {
        DataSetIterator data = TestData.blobs();
        ComputationGraph graph = TestNets.graph(new Nesterovs(0.05, 0.9));
        ComputationGraph copy = TestNets.graph(new Nesterovs(0.05, 0.9));
        TestNets.fitEpochs(graph, data, 1);
        TestNets.fitEpochs(copy, data, 1);
        LayerwiseLearningRates.apply(graph, Map.of("left", 1.0, "right", 1.0, "out", 1.0));
        assertThat(graph.getUpdater().getUpdaterBlocks()).hasSize(copy.getUpdater().getUpdaterBlocks().size());
        LayerwiseLearningRates.apply(graph, Map.of("left", 0.5));
        assertThat(graph.getUpdater().getUpdaterBlocks().size())
                .isGreaterThan(copy.getUpdater().getUpdaterBlocks().size());
        LayerwiseLearningRates.apply(graph, Map.of("left", 2.0));
        // factors multiply: back to the same rates, and the state was carried through both moves
        TestNets.fitEpochs(graph, data, 1);
        TestNets.fitEpochs(copy, data, 1);
        assertThat(AdamCases.relativeError(graph.params().data().asDouble(), copy.params().data().asDouble()))
                .isLessThan(1e-12);
    }

    private static void assertRecorded(LearningRateRecorder recorder, ISchedule schedule, double scale,
                                       Map<String, Double> factors) {
        int[] iterations = recorder.iterations();
        assertThat(iterations).isNotEmpty();
        for (Map.Entry<String, Double> f : factors.entrySet()) {
            for (String param : new String[]{"_W", "_b"}) {
                double[] rates = recorder.learningRates(f.getKey() + param);
                for (int i = 0; i < iterations.length; i++) {
                    double expected = scale * f.getValue() * schedule.valueAt(iterations[i], 0);
                    assertThat(rates[i]).as("%s%s at %s", f.getKey(), param, iterations[i])
                            .isCloseTo(expected, within(1e-12 * expected));
                }
            }
        }
    }

    @Test
    void appliedRatesAreFactorTimesScheduleAfterPlateauAndSerializer(@TempDir Path dir) throws IOException {
        ISchedule schedule = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.01, 4, 60, 0.0, 0.0);
        DataSetIterator data = TestData.blobs();
        MultiLayerNetwork net = TestNets.mlp(new Adam(schedule));
        LayerFactors factors = LayerwiseLearningRates.decay(net, 0.5);
        LearningRateRecorder recorder = new LearningRateRecorder();
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder().reported(PlateauTracker.Mode.MIN)
                .factor(0.1).patience(0).build();
        net.setListeners(recorder);
        TestNets.fitEpochs(net, data, 1);
        assertRecorded(recorder, schedule, 1.0, factors.factors());

        plateau.report(net, 1.0);
        plateau.report(net, 2.0);
        assertThat(plateau.history()).hasSize(1);
        recorder.clear();
        TestNets.fitEpochs(net, data, 1);
        assertRecorded(recorder, schedule, 0.1, factors.factors());

        File file = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertThat(restored.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
        assertThat(MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson()))
                .isEqualTo(net.getLayerWiseConfigurations());
        assertThat(net.getLayerWiseConfigurations().toJson()).contains("ScaledSchedule");
        LearningRateRecorder after = new LearningRateRecorder();
        restored.setListeners(after);
        recorder.clear();
        TestNets.fitEpochs(restored, data, 1);
        TestNets.fitEpochs(net, data, 1);
        assertRecorded(after, schedule, 0.1, factors.factors());
        assertThat(restored.params().data().asDouble()).containsExactly(net.params().data().asDouble());
    }

    /** Schedule-free state is not one array per parameter: a split is refused and nothing changes. */
    @Test
    void aBlockThatCannotBeSplitIsRefusedAndTheNetworkLeftAsItWas() {
        DataSetIterator data = TestData.blobs();
        MultiLayerNetwork net = TestNets.mlp(new io.github.lrschedules.schedulefree.SgdScheduleFree(0.1, 0.9, 0));
        TestNets.fitEpochs(net, data, 1);
        String json = net.getLayerWiseConfigurations().toJson();
        double[] state = net.getUpdater().getStateViewArray().dup().data().asDouble();
        assertThatThrownBy(() -> LayerwiseLearningRates.decay(net, 0.5)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot move the updater state of parameter");
        assertThat(net.getLayerWiseConfigurations().toJson()).isEqualTo(json);
        assertThat(net.getUpdater().getStateViewArray().data().asDouble()).containsExactly(state);
        TestNets.fitEpochs(net, data, 1);
        // the same factor everywhere keeps the blocks, and is allowed
        LayerFactors same = LayerwiseLearningRates.apply(net, Map.of("0", 0.5, "1", 0.5, "2", 0.5));
        assertThat(same.factors()).hasSize(3);
        assertThat(net.getUpdater().getStateViewArray().data().asDouble()).hasSize(state.length);
    }

    @Test
    void frozenLayersAreLeftAloneAndNotReported() {
        MultiLayerNetwork net = TestNets.mlp(new Sgd(0.1));
        MultiLayerNetwork frozen = new TransferLearning.Builder(net).setFeatureExtractor(0).build();
        LayerFactors applied = LayerwiseLearningRates.decay(frozen, 0.5);
        assertThat(applied.factors()).containsExactly(Map.entry("1", 0.5), Map.entry("2", 1.0));
        assertThat(LayerwiseLearningRates.layers(frozen)).containsExactly("0", "1", "2");
        assertThat(Networks.updater(frozen.getLayer(0), "W").hasLearningRate()).isFalse();
        assertThat(rate(frozen, "1", "W", 0)).isCloseTo(0.05, within(1e-17));
        assertThat(rate(net, "1", "W", 0)).as("the original network keeps its rate").isEqualTo(0.1);
        Map<String, Double> ordered = new LinkedHashMap<>(applied.factors());
        assertThatThrownBy(() -> applied.factor("0")).hasMessageContaining("layer \"0\" got no factor");
        assertThat(ordered).hasSize(2);
    }
}
