package io.github.lrschedules.samediff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.plateau.PlateauTracker.Mode;
import io.github.lrschedules.plateau.PlateauTracker.ThresholdMode;
import io.github.lrschedules.plateau.Reduction;
import io.github.lrschedules.schedule.CosineDecaySchedule;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerResponse;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.listeners.records.LossCurve;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * {@link SameDiffPlateau} against PyTorch's ReduceLROnPlateau: the metric sequences of the plateau goldens
 * ({@code golden/plateau_*.csv}, mode 'min') reported epoch by epoch give PyTorch's learning rates, on a fixed rate
 * and over a cosine (PyTorch's CosineAnnealingLR and ReduceLROnPlateau on one optimizer,
 * {@code scripts/plateau_cosine_reference.py}, torch 2.13), in real SameDiff training and across save/restore.
 */
class SameDiffPlateauTest {

    private static final int ITERATIONS_PER_EPOCH = 3;
    private static final double TOLERANCE = 1e-12;

    static Stream<Arguments> minCases() {
        return Stream.of(
                Arguments.of("plateau_min_rel", 1.0, (Supplier<SameDiffPlateau>) () -> SameDiffPlateau.builder()
                        .factor(0.5).patience(2).threshold(1e-2).thresholdMode(ThresholdMode.REL).cooldown(1)
                        .minLr(0.02).eps(1e-8).reported(Mode.MIN).build()),
                Arguments.of("plateau_eps", 1.0, (Supplier<SameDiffPlateau>) () -> SameDiffPlateau.builder()
                        .factor(0.5).patience(0).threshold(1e-4).thresholdMode(ThresholdMode.REL).cooldown(0)
                        .minLr(0.0).eps(0.1).reported(Mode.MIN).build()),
                Arguments.of("plateau_min_abs_patience0", 0.1, (Supplier<SameDiffPlateau>) () -> SameDiffPlateau
                        .builder().factor(0.3).patience(0).threshold(0.0).thresholdMode(ThresholdMode.ABS)
                        .cooldown(2).minLr(0.001).eps(1e-8).reported(Mode.MIN).build()));
    }

    /** Rows of a CSV under the test resources, header skipped. */
    static List<double[]> csv(String path) throws IOException {
        try (InputStream in = SameDiffPlateauTest.class.getResourceAsStream("/io/github/lrschedules/" + path)) {
            assertThat(in).as(path).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            reader.readLine();
            List<double[]> rows = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] cells = line.split(",");
                double[] row = new double[cells.length];
                for (int i = 0; i < cells.length; i++) {
                    row[i] = Double.parseDouble(cells[i]);
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private static ISchedule cosine(double lr0, int epochs) {
        return new CosineDecaySchedule(ScheduleType.ITERATION, lr0, 2 * epochs * ITERATIONS_PER_EPOCH, 0.0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("minCases")
    void reportedMetricsGivePyTorchsRatesOnAFixedRate(String golden, double lr0, Supplier<SameDiffPlateau> factory)
            throws IOException {
        List<double[]> rows = csv("golden/" + golden + ".csv");
        SameDiff sd = SameDiffNets.linear(new Sgd(lr0));
        SameDiffPlateau plateau = factory.get();
        int reductions = 0;
        for (double[] row : rows) {
            double next = plateau.report(sd, row[1]);
            assertThat(next).as("%s epoch %s", golden, (int) row[0]).isCloseTo(row[2], within(TOLERANCE * row[2]));
            assertThat(sd.getTrainingConfig().getUpdater().getLearningRate(0, 0)).isCloseTo(next,
                    within(TOLERANCE * next));
            reductions = plateau.history().size();
        }
        assertThat(reductions).isGreaterThanOrEqualTo(2);
    }

    /**
     * Without training: the counters advance as SameDiff's {@code fit(iterator, 1)} advances them, and the rate of
     * each iteration is read from the updater as it trains.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("minCases")
    void reportedMetricsGivePyTorchsRatesOverACosine(String golden, double lr0, Supplier<SameDiffPlateau> factory)
            throws IOException {
        List<double[]> metrics = csv("golden/" + golden + ".csv");
        List<double[]> expected = csv("samediff/plateau_cosine_" + golden + ".csv");
        SameDiff sd = SameDiffNets.linear(new Sgd(cosine(lr0, metrics.size())));
        TrainingConfig config = sd.getTrainingConfig();
        SameDiffPlateau plateau = factory.get();
        List<Double> rates = new ArrayList<>();
        for (double[] row : metrics) {
            for (int i = 0; i < ITERATIONS_PER_EPOCH; i++) {
                rates.add(config.getUpdater().getLearningRate(config.getIterationCount(), config.getEpochCount()));
                config.incrementIterationCount();
            }
            config.incrementEpochCount();
            double next = plateau.report(sd, row[1]);
            assertThat(next).isEqualTo(config.getUpdater().getLearningRate(config.getIterationCount(),
                    config.getEpochCount()));
        }
        assertRatesEqual(golden, rates, expected, 0);
        assertThat(plateau.history()).hasSizeGreaterThanOrEqualTo(3);
    }

    private static void assertRatesEqual(String golden, List<Double> rates, List<double[]> expected, int from) {
        assertThat(rates).hasSize(expected.size() - from);
        for (int k = 0; k < rates.size(); k++) {
            double[] row = expected.get(from + k);
            assertThat(rates.get(k)).as("%s iteration %s (epoch %s)", golden, (int) row[0], (int) row[1])
                    .isCloseTo(row[2], within(TOLERANCE * row[2]));
        }
    }

    /** Trains one epoch of {@value #ITERATIONS_PER_EPOCH} iterations, then reports the epoch's metric. */
    private static void epoch(SameDiff sd, SameDiffPlateau plateau, DataSetIterator data, double metric) {
        sd.fit(data, 1);
        plateau.report(sd, metric);
    }

    @Test
    void realTrainingOverACosineSavedAndRestoredMidwayMakesPyTorchsDecisions(@TempDir Path dir) throws IOException {
        String golden = "plateau_min_rel";
        Supplier<SameDiffPlateau> factory = () -> SameDiffPlateau.builder().factor(0.5).patience(2).threshold(1e-2)
                .thresholdMode(ThresholdMode.REL).cooldown(1).minLr(0.02).eps(1e-8).reported(Mode.MIN).build();
        List<double[]> metrics = csv("golden/" + golden + ".csv");
        List<double[]> expected = csv("samediff/plateau_cosine_" + golden + ".csv");
        DataSetIterator data = SameDiffNets.linearData(ITERATIONS_PER_EPOCH);
        SameDiff sd = SameDiffNets.linear(new Sgd(cosine(1.0, metrics.size())));
        SameDiffLearningRates recorded = new SameDiffLearningRates();
        sd.addListeners(recorded);
        SameDiffPlateau plateau = factory.get();
        // 16 epochs: reductions after epochs 5, 10 and 14; at the cut one bad epoch is counted towards patience
        int epochs = 16;
        int cut = 9;
        for (int e = 0; e < cut; e++) {
            epoch(sd, plateau, data, metrics.get(e)[1]);
        }
        assertThat(plateau.trackerState().getBadEpochs()).isEqualTo(1);
        File file = dir.resolve("graph.sd").toFile();
        sd.save(file, true);
        long graphBytes = file.length();
        plateau.saveState(file);
        plateau.saveState(file); // replaces the state written before
        assertThat(file.length()).isGreaterThan(graphBytes).isLessThan(graphBytes + 4096);

        SameDiff loaded = SameDiff.load(file, true);
        SameDiffPlateau resumed = factory.get();
        resumed.restoreState(file);
        assertThat(resumed.history()).isEqualTo(plateau.history());
        assertThat(resumed.trackerState()).isEqualTo(plateau.trackerState());
        SameDiffLearningRates recordedAfter = new SameDiffLearningRates();
        loaded.addListeners(recordedAfter);
        for (int e = cut; e < epochs; e++) {
            epoch(loaded, resumed, data, metrics.get(e)[1]);
        }
        List<Double> before = new ArrayList<>();
        for (double lr : recorded.learningRates()) {
            before.add(lr);
        }
        List<Double> after = new ArrayList<>();
        for (double lr : recordedAfter.learningRates()) {
            after.add(lr);
        }
        assertRatesEqual(golden, before, expected.subList(0, cut * ITERATIONS_PER_EPOCH), 0);
        assertRatesEqual(golden, after, expected.subList(0, epochs * ITERATIONS_PER_EPOCH), cut * ITERATIONS_PER_EPOCH);
        assertThat(recordedAfter.iterations()[0]).isEqualTo(cut * ITERATIONS_PER_EPOCH);
        assertThat(recordedAfter.epochs()[0]).isEqualTo(cut);
        assertThat(plateau.history()).hasSize(1);
        assertThat(resumed.history()).hasSize(3);
        assertThat(resumed.trackerState().getSteps()).isEqualTo(epochs);
    }

    @Test
    void validationLossIsComputedByTheListenerAtEpochEndAndReducesTheNextEpoch() {
        DataSetIterator data = SameDiffNets.linearData(ITERATIONS_PER_EPOCH);
        SameDiff sd = SameDiffNets.linear(new Sgd(0.05));
        List<Double> independent = new ArrayList<>();
        List<Double> reportedByDl4j = new ArrayList<>();
        // Added first, so SameDiff calls it before the plateau listener at the end of each epoch.
        sd.addListeners(new BaseListener() {
            @Override
            public boolean isActive(Operation operation) {
                return operation == Operation.TRAINING;
            }

            @Override
            public ListenerResponse epochEnd(SameDiff graph, At at, LossCurve lossCurve, long epochTimeMillis) {
                double sum = 0;
                int examples = 0;
                data.reset();
                while (data.hasNext()) {
                    DataSet batch = data.next();
                    INDArray loss = graph.output(batch, "loss").get("loss");
                    sum += loss.getDouble(0) * batch.numExamples();
                    examples += batch.numExamples();
                }
                data.reset();
                independent.add(sum / examples);
                reportedByDl4j.add((double) lossCurve.lastMeanLoss("loss"));
                return ListenerResponse.CONTINUE;
            }
        });
        SameDiffLearningRates recorded = new SameDiffLearningRates();
        // threshold 0.999 (REL): nothing counts as an improvement after the first epoch, so every later epoch reduces
        SameDiffPlateau plateau = SameDiffPlateau.builder().factor(0.5).patience(0).threshold(0.999)
                .validationLoss(data).build();
        sd.addListeners(plateau, recorded);
        sd.fit(data, 3);
        List<Reduction> history = plateau.history();
        assertThat(history).hasSize(2);
        for (int i = 0; i < 2; i++) {
            Reduction r = history.get(i);
            assertThat(r.getMetric()).isCloseTo(independent.get(i + 1), within(1e-12));
            assertThat(r.getEpoch()).isEqualTo(i + 2);
            assertThat(r.getIteration()).isEqualTo((i + 2) * ITERATIONS_PER_EPOCH);
        }
        assertThat(independent).allSatisfy(loss -> assertThat(loss).isGreaterThan(0.1));
        // DL4J 1.0.0-M2.1 reports 0.0 (issues 9684, 9853): the reason the listener computes the loss itself.
        assertThat(reportedByDl4j).containsOnly(0.0);
        double[] rates = recorded.learningRates();
        assertThat(rates).containsExactly(0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025);
    }

    @Test
    void validationAccuracyEvaluatesTheOutputVariable() {
        DataSetIterator data = SameDiffNets.data();
        SameDiff sd = SameDiffNets.mlp(new Sgd(0.1));
        List<Double> accuracies = new ArrayList<>();
        sd.addListeners(new BaseListener() {
            @Override
            public boolean isActive(Operation operation) {
                return operation == Operation.TRAINING;
            }

            @Override
            public ListenerResponse epochEnd(SameDiff graph, At at, LossCurve lossCurve, long epochTimeMillis) {
                Evaluation evaluation = new Evaluation();
                data.reset();
                graph.evaluate(data, "probabilities", evaluation);
                accuracies.add(evaluation.accuracy());
                return ListenerResponse.CONTINUE;
            }
        });
        // threshold 1 (ABS): an accuracy can never beat the best by 1, so the second epoch reduces
        SameDiffPlateau plateau = SameDiffPlateau.builder().factor(0.5).patience(0).threshold(1.0)
                .thresholdMode(ThresholdMode.ABS).validationAccuracy(data, "probabilities").build();
        sd.addListeners(plateau);
        sd.fit(data, 2);
        assertThat(plateau.history()).hasSize(1);
        assertThat(plateau.history().get(0).getMetric()).isEqualTo(accuracies.get(1)).isBetween(0.0, 1.0);
        assertThat(plateau.trackerState().getBest()).isEqualTo(accuracies.get(0));
        assertThat(sd.getTrainingConfig().getUpdater().getLearningRate(0, 2)).isCloseTo(0.05, within(1e-15));
    }

    @Test
    void builderAndCallsRefuseWhatCannotWork(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> SameDiffPlateau.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no metric source");
        DataSetIterator data = SameDiffNets.linearData(3);
        assertThatThrownBy(() -> SameDiffPlateau.builder().validationLoss(data).reported(Mode.MIN).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("validationLoss(data) and reported(MIN) contradict each other: two metric sources;"
                        + " choose one");
        assertThatThrownBy(() -> SameDiffPlateau.builder().factor(1.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("factor (1.0) must be in (0, 1)");
        assertThatThrownBy(() -> SameDiffPlateau.builder().validationAccuracy(data, ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outputVariable");
        SameDiffPlateau measured = SameDiffPlateau.builder().validationLoss(data).build();
        assertThatThrownBy(() -> measured.report(SameDiffNets.linear(new Sgd(0.1)), 1.0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("reported(mode)");
        SameDiffPlateau reported = SameDiffPlateau.builder().reported(Mode.MIN).build();
        assertThatThrownBy(() -> reported.report(SameDiff.create(), 1.0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("setTrainingConfig");
        File plain = dir.resolve("plain.bin").toFile();
        Files.write(plain.toPath(), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> reported.restoreState(plain)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no plateau state");
    }

    @Test
    void stateGoesIntoAnyFileAndANewFile(@TempDir Path dir) throws IOException {
        SameDiff sd = SameDiffNets.linear(new Sgd(1.0));
        SameDiffPlateau plateau = SameDiffPlateau.builder().factor(0.5).patience(0).reported(Mode.MIN).build();
        plateau.report(sd, 1.0);
        plateau.report(sd, 2.0);
        File other = dir.resolve("notes.txt").toFile();
        Files.write(other.toPath(), "my notes\n".getBytes(StandardCharsets.UTF_8));
        plateau.saveState(other);
        File fresh = dir.resolve("sub/state.bin").toFile();
        plateau.saveState(fresh);
        for (File file : new File[] {other, fresh}) {
            SameDiffPlateau restored = SameDiffPlateau.builder().factor(0.5).patience(0).reported(Mode.MIN).build();
            restored.restoreState(file);
            assertThat(restored.state()).isEqualTo(plateau.state());
        }
        assertThat(new String(Files.readAllBytes(other.toPath()), StandardCharsets.UTF_8)).startsWith("my notes\n");
        assertThat(plateau.trackerState().getReductions()).isEqualTo(1);
        assertThat(PlateauTracker.Mode.MIN).isEqualTo(Mode.MIN);
    }
}
