package io.github.lrschedules.finder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ScheduleType;

class LearningRateFinderTest {

    @TempDir
    Path tmp;

    @Test
    void rampsTheLearningRateExponentiallyAndSmoothsTheLossWithBiasCorrection() {
        MultiLayerNetwork net = TestNets.mlp(new Sgd(0.01));
        LearningRateFinderResult result = LearningRateFinder.builder().minLr(1e-5).maxLr(1.0).iterations(30)
                .smoothing(0.9).divergenceFactor(100).build().run(net, TestData.blobs());
        double[] lrs = result.learningRates();
        double[] losses = result.losses();
        double[] smoothed = result.smoothedLosses();
        assertThat(lrs).hasSize(30);
        assertThat(lrs[0]).isCloseTo(1e-5, within(1e-18));
        assertThat(lrs[29]).isCloseTo(1.0, within(1e-12));
        double average = 0;
        for (int i = 0; i < lrs.length; i++) {
            assertThat(lrs[i]).isCloseTo(1e-5 * Math.pow(1e5, i / 29.0), within(1e-12 * lrs[i]));
            average = 0.9 * average + 0.1 * losses[i];
            assertThat(smoothed[i]).isCloseTo(average / (1 - Math.pow(0.9, i + 1)), within(1e-12));
            assertThat(losses[i]).isFinite().isPositive();
        }
        assertThat(smoothed[0]).isCloseTo(losses[0], within(1e-12));
        assertThat(result.stopReason()).isEqualTo("reached maxLr");
        // The loss falls as the rate becomes useful: the end of the curve is below its start.
        assertThat(smoothed[29]).isLessThan(smoothed[0]);
        double steepest = result.steepestDescentLr();
        assertThat(steepest).isBetween(1e-5, 1.0);
        int argmin = 0;
        for (int i = 1; i < smoothed.length; i++) {
            argmin = smoothed[i] < smoothed[argmin] ? i : argmin;
        }
        assertThat(result.minimumDividedByTenLr()).isEqualTo(lrs[argmin] / 10);
    }

    @Test
    void suggestionsComeFromTheCurveBeforeItsMinimumSkippingTheSettlingStart() {
        int n = 40;
        double[] lrs = new double[n];
        double[] smoothed = new double[n];
        for (int i = 0; i < n; i++) {
            lrs[i] = 1e-6 * Math.pow(10, i * 0.2);
            // a sharp drop at the very start (moving average settling), the real descent steepest from i = 20 to 21,
            // the minimum at i = 30, then divergence
            smoothed[i] = i == 0 ? 5.0 : i <= 15 ? 2.0 : i <= 20 ? 2.0 - 0.05 * (i - 15)
                    : i == 21 ? 1.2 : i <= 30 ? 1.2 - 0.02 * (i - 21) : 1.02 + 0.3 * (i - 30);
        }
        LearningRateFinderResult result = new LearningRateFinderResult(lrs, smoothed, smoothed, "test");
        assertThat(result.steepestDescentLr()).isEqualTo(lrs[20]);
        assertThat(result.minimumDividedByTenLr()).isEqualTo(lrs[30] / 10);
    }

    @Test
    void stopsWhenTheSmoothedLossExceedsFourTimesItsBest() {
        // ReLU layers blow up at large learning rates (tanh ones saturate and keep a bounded loss).
        MultiLayerNetwork net = TestNets.init(TestNets.mlpConf(TestNets.base(new Sgd(0.01)).activation(Activation.RELU)));
        LearningRateFinderResult result = LearningRateFinder.builder().minLr(1e-3).maxLr(1e4).iterations(60)
                .build().run(net, TestData.blobs());
        assertThat(result.learningRates().length).isLessThan(60);
        assertThat(result.stopReason()).containsAnyOf("exceeded 4.0x", "loss became");
        double[] smoothed = result.smoothedLosses();
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < smoothed.length - 1; i++) {
            best = Math.min(best, smoothed[i]);
            assertThat(smoothed[i]).as("no earlier point diverged").isLessThanOrEqualTo(4 * best);
        }
    }

    @Test
    void leavesTheNetworkExactlyAsItWas() throws IOException {
        MultiLayerNetwork net = TestNets.mlp(new Adam(new WarmupCosineSchedule(ScheduleType.ITERATION, 0.01, 5, 100, 0, 0)));
        net.setListeners(new ScoreIterationListener(1000));
        TestNets.fitEpochs(net, TestData.blobs(), 2);
        INDArray params = net.params().dup();
        INDArray state = net.getUpdater().getStateViewArray().dup();
        String json = net.getLayerWiseConfigurations().toJson();
        int iterations = net.getIterationCount();
        int epochs = net.getEpochCount();
        Path before = tmp.resolve("before.zip");
        ModelSerializer.writeModel(net, before.toFile(), true);

        LearningRateFinder.builder().iterations(20).build().run(net, TestData.blobs());

        assertThat(net.params()).isEqualTo(params);
        assertThat(net.getUpdater().getStateViewArray()).isEqualTo(state);
        assertThat(net.getLayerWiseConfigurations().toJson()).isEqualTo(json);
        assertThat(net.getIterationCount()).isEqualTo(iterations);
        assertThat(net.getEpochCount()).isEqualTo(epochs);
        assertThat(net.getListeners()).hasSize(1);
        Path after = tmp.resolve("after.zip");
        ModelSerializer.writeModel(net, after.toFile(), true);
        assertThat(zipEntries(after)).isEqualTo(zipEntries(before));
        // and it still trains as before: the same next step as an untouched restored copy
        MultiLayerNetwork twin = ModelSerializer.restoreMultiLayerNetwork(before.toFile(), true);
        DataSet batch = TestData.blobs().next();
        net.fit(batch);
        twin.fit(batch);
        assertThat(net.params()).isEqualTo(twin.params());
    }

    /** Entry name to Base64 content of every entry in a zip. */
    private static Map<String, String> zipEntries(Path zip) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (ZipEntry e : Collections.list(file.entries())) {
                entries.put(e.getName(), Base64.getEncoder().encodeToString(file.getInputStream(e).readAllBytes()));
            }
        }
        return entries;
    }

    @Test
    void worksOnAComputationGraphAndLeavesItUnchanged() {
        ComputationGraph graph = TestNets.graph(new Nesterovs(0.01, 0.9));
        TestNets.fitEpochs(graph, TestData.blobs(), 1);
        INDArray params = graph.params().dup();
        INDArray state = graph.getUpdater().getStateViewArray().dup();
        LearningRateFinderResult result = LearningRateFinder.builder().minLr(1e-4).maxLr(1).iterations(20).build()
                .run(graph, TestData.blobs());
        assertThat(result.learningRates()).hasSize(20);
        assertThat(graph.params()).isEqualTo(params);
        assertThat(graph.getUpdater().getStateViewArray()).isEqualTo(state);
    }

    @Test
    void resetsAnIteratorThatRunsDryAndSaysSoWhenItCannot() {
        MultiLayerNetwork net = TestNets.mlp(new Sgd(0.01));
        // 256 examples in batches of 32: 8 mini-batches, so 20 iterations need two resets.
        LearningRateFinderResult result = LearningRateFinder.builder().minLr(1e-4).maxLr(0.1).iterations(20).build()
                .run(net, TestData.blobs());
        assertThat(result.learningRates()).hasSize(20);

        DataSetIterator noReset = new ListDataSetIterator<DataSet>(TestData.blobs(TestData.FEATURES, 1L).asList(), 32) {
            @Override
            public boolean resetSupported() {
                return false;
            }
        };
        LearningRateFinderResult partial = LearningRateFinder.builder().minLr(1e-4).maxLr(0.1).iterations(20).build()
                .run(net, noReset);
        assertThat(partial.learningRates()).hasSize(8);
        assertThat(partial.stopReason()).contains("ran dry after 8 mini-batches");
    }

    @Test
    void aLossThatIsNaNFromTheStartIsAnError() {
        MultiLayerNetwork net = TestNets.mlp(new Sgd(0.01));
        DataSet bad = TestData.blobs(TestData.FEATURES, 3L);
        bad.setFeatures(Nd4j.valueArrayOf(bad.getFeatures().shape(), Double.NaN));
        assertThatThrownBy(() -> LearningRateFinder.builder().iterations(10).build()
                .run(net, new ListDataSetIterator<>(bad.asList(), 32)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("at the first mini-batch");
    }

    @Test
    void badSettingsAreRejectedNamingTheArgument() {
        assertThatThrownBy(() -> LearningRateFinder.builder().minLr(1).maxLr(1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minLr (1.0) must be < maxLr (1.0)");
        assertThatThrownBy(() -> LearningRateFinder.builder().minLr(0)).hasMessageContaining("minLr (0.0)");
        assertThatThrownBy(() -> LearningRateFinder.builder().iterations(3)).hasMessageContaining("iterations (3)");
        assertThatThrownBy(() -> LearningRateFinder.builder().smoothing(1.0)).hasMessageContaining("smoothing (1.0)");
        assertThatThrownBy(() -> LearningRateFinder.builder().divergenceFactor(1)).hasMessageContaining("divergenceFactor (1.0)");
    }

    @Test
    void csvHasOneRowPerMiniBatch() throws IOException {
        LearningRateFinderResult result = LearningRateFinder.builder().minLr(1e-4).maxLr(0.1).iterations(12).build()
                .run(TestNets.mlp(new Sgd(0.01)), TestData.blobs());
        Path csv = tmp.resolve("out/lr_find.csv");
        result.writeCsv(csv);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("lr,loss,smoothed_loss");
        assertThat(lines).hasSize(13);
        String[] row = lines.get(5).split(",");
        assertThat(Double.parseDouble(row[0])).isEqualTo(result.learningRates()[4]);
        assertThat(Double.parseDouble(row[2])).isEqualTo(result.smoothedLosses()[4]);
    }
}
