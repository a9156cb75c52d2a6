package io.github.lrschedules.averaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.averaging.AveragingCases.Row;
import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.samediff.SameDiffPlateau;
import io.github.lrschedules.weights.SameDiffEvaluationWeights;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * {@link SameDiffWeightAveraging} on a SameDiff least-squares graph equivalent to the averaging reference problem
 * ({@code out = in W + b}, {@code W [5, 3]}, {@code b [3]}, the mean of the squared errors: DL4J's MSE) against the
 * same trajectories of {@code scripts/averaging_reference.py} as the network tests (PyTorch 2.13 {@code AveragedModel},
 * timm 1.0.29 {@code ModelEmaV3}, float64), relative error at most 1e-9; exact resume from a saved graph; evaluation
 * weights that change nothing.
 */
class SameDiffWeightAveragingTest {

    private static final double TOLERANCE = 1e-9;

    @BeforeAll
    static void precision() {
        AveragingCases.doublePrecision();
    }

    /** The reference model as a SameDiff graph, at {@code initial} (W row by row, then b). */
    static SameDiff leastSquares(IUpdater updater, double[] initial) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.DOUBLE, -1, AveragingCases.N_IN);
        SDVariable label = sd.placeHolder("label", DataType.DOUBLE, -1, AveragingCases.N_OUT);
        int nW = AveragingCases.N_IN * AveragingCases.N_OUT;
        SDVariable w = sd.var("W", Nd4j.create(Arrays.copyOfRange(initial, 0, nW),
                new long[] {AveragingCases.N_IN, AveragingCases.N_OUT}, 'c'));
        SDVariable b = sd.var("b", Nd4j.create(Arrays.copyOfRange(initial, nW, initial.length),
                new long[] {AveragingCases.N_OUT}, 'c'));
        sd.loss.meanSquaredError("loss", label, in.mmul(w).add(b), null);
        sd.setTrainingConfig(TrainingConfig.builder().updater(updater).dataSetFeatureMapping("in")
                .dataSetLabelMapping("label").build());
        return sd;
    }

    /** W row by row, then b: the script's order. */
    static double[] parameters(SameDiff sd) {
        INDArray w = sd.getVariable("W").getArr();
        INDArray b = sd.getVariable("b").getArr();
        double[] values = new double[(int) (w.length() + b.length())];
        int k = 0;
        for (int r = 0; r < w.rows(); r++) {
            for (int c = 0; c < w.columns(); c++) {
                values[k++] = w.getDouble(r, c);
            }
        }
        for (int i = 0; i < b.length(); i++) {
            values[k++] = b.getDouble(i);
        }
        return values;
    }

    static Stream<Arguments> emaCases() {
        return Stream.of(
                Arguments.of("ema", (Supplier<WeightAveraging>) () -> WeightAveraging.ema(0.9).build()),
                Arguments.of("ema_every3", (Supplier<WeightAveraging>) () ->
                        WeightAveraging.ema(0.8).everyIterations(3).build()),
                Arguments.of("timm_warmup", (Supplier<WeightAveraging>) () ->
                        WeightAveraging.ema(0.8).warmup(2.0, 0.75).minDecay(0.3).updateAfterStep(3).build()),
                Arguments.of("timm_warmup_defaults", (Supplier<WeightAveraging>) () ->
                        WeightAveraging.ema(0.95).warmup().build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("emaCases")
    void emaFollowsPyTorchAndTimm(String file, Supplier<WeightAveraging> averaging) {
        List<Row> rows = AveragingCases.rows(file);
        SameDiff sd = leastSquares(new Sgd(0.1), rows.get(0).values);
        SameDiffWeightAveraging ema = SameDiffWeightAveraging.of(averaging.get());
        sd.addListeners(ema);
        DataSet data = AveragingCases.data();
        long averaged = 0;
        double worst = 0;
        for (int s = 1; s <= 40; s++) {
            sd.fit(data);
            worst = Math.max(worst, assertClose(parameters(sd), AveragingCases.find(rows, s, "params"),
                    file + " params after step " + s));
            Row average = AveragingCases.find(rows, s, "average");
            if (average != null) {
                averaged++;
                worst = Math.max(worst, assertAverage(ema, sd, average, file + " average after step " + s));
            }
            assertThat(ema.updates()).as("%s: updates after step %s", file, s).isEqualTo(averaged);
        }
        assertThat(averaged).isGreaterThanOrEqualTo(13);
        System.out.printf("SameDiff %s: worst relative error %.3g%n", file, worst);
    }

    static Stream<Arguments> swaCases() {
        return Stream.of(
                Arguments.of("swa_cosine", (Supplier<WeightAveraging>) () -> WeightAveraging.swa().startEpoch(4).build()),
                Arguments.of("swa_linear_every2", (Supplier<WeightAveraging>) () ->
                        WeightAveraging.swa().startEpoch(1).everyEpochs(2).build()),
                Arguments.of("swa_iterations", (Supplier<WeightAveraging>) () ->
                        WeightAveraging.swa().startEpoch(1).everyIterations(3).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("swaCases")
    void swaWithSwaScheduleFollowsPyTorch(String file, Supplier<WeightAveraging> averaging) {
        List<Row> rows = AveragingCases.rows(file);
        IUpdater updater = AveragingReferenceTest.swaUpdater(file);
        SameDiff sd = leastSquares(updater, rows.get(0).values);
        SameDiffWeightAveraging swa = SameDiffWeightAveraging.of(averaging.get());
        sd.addListeners(swa);
        DataSetIterator batches = batches();
        int epochs = (int) rows.stream().filter(r -> r.kind.equals("params")).count();
        long averagedEpochs = 0;
        double worst = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            assertThat(sd.getTrainingConfig().getEpochCount()).isEqualTo(epoch);
            assertThat(updater.getLearningRate(0, epoch)).as("%s: rate of epoch %s", file, epoch)
                    .isCloseTo(AveragingCases.find(rows, epoch, "lr").values[0], within(1e-12));
            sd.fit(batches, 1);
            worst = Math.max(worst, assertClose(parameters(sd), AveragingCases.find(rows, epoch, "params"),
                    file + " params after epoch " + epoch));
            Row average = AveragingCases.find(rows, epoch, "average");
            if (average != null) {
                averagedEpochs++;
                worst = Math.max(worst, assertAverage(swa, sd, average, file + " average after epoch " + epoch));
            }
        }
        assertThat(averagedEpochs).isGreaterThanOrEqualTo(4);
        // swa_iterations: 2 steps per epoch, epochs 1..5 are steps 3..12, every third
        assertThat(swa.updates()).isEqualTo(file.equals("swa_iterations") ? 4 : averagedEpochs);
        System.out.printf("SameDiff %s: worst relative error %.3g%n", file, worst);
    }

    /** The 16 examples in 2 batches of 8, in order. */
    private static DataSetIterator batches() {
        return new ListDataSetIterator<>(AveragingCases.data().asList(), AveragingCases.BATCH);
    }

    private static WeightAveraging emaWithWarmupEvery2() {
        return WeightAveraging.ema(0.9).warmup(1.0, 0.75).minDecay(0.2).updateAfterStep(1).everyIterations(2).build();
    }

    static Stream<Arguments> resumeCases() {
        return Stream.of(
                Arguments.of("ema warmup every 2", (Supplier<WeightAveraging>) SameDiffWeightAveragingTest::emaWithWarmupEvery2),
                Arguments.of("swa by epochs", (Supplier<WeightAveraging>) () -> WeightAveraging.swa().startEpoch(1).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resumeCases")
    void savedHalfwayAndRestoredContinuesExactly(String name, Supplier<WeightAveraging> averaging, @TempDir Path dir)
            throws Exception {
        double[] initial = AveragingCases.rows("ema").get(0).values;
        SameDiff whole = leastSquares(new Sgd(0.05), initial);
        SameDiffWeightAveraging uninterrupted = SameDiffWeightAveraging.of(averaging.get());
        whole.addListeners(uninterrupted);
        whole.fit(batches(), 6);

        SameDiff first = leastSquares(new Sgd(0.05), initial);
        SameDiffWeightAveraging before = SameDiffWeightAveraging.of(averaging.get());
        first.addListeners(before);
        first.fit(batches(), 3);
        File file = dir.resolve("run.sd").toFile();
        first.save(file, true);
        before.saveState(file);
        SameDiffPlateau plateau = SameDiffPlateau.builder().patience(0).reported(PlateauTracker.Mode.MIN).build();
        plateau.report(first, 1.0);
        plateau.saveState(file);       // beside the average, which stays
        before.saveState(file);        // replaces the average written before, keeps the plateau state

        SameDiff loaded = SameDiff.load(file, true);
        SameDiffWeightAveraging after = SameDiffWeightAveraging.of(averaging.get());
        after.restoreState(file);
        SameDiffPlateau restoredPlateau = SameDiffPlateau.builder().patience(0).reported(PlateauTracker.Mode.MIN)
                .build();
        restoredPlateau.restoreState(file);
        assertThat(restoredPlateau.state()).isEqualTo(plateau.state());
        assertThat(after.updates()).isEqualTo(before.updates()).isPositive();
        loaded.addListeners(after);
        loaded.fit(batches(), 3);

        assertThat(loaded.getTrainingConfig().getIterationCount()).isEqualTo(12);
        assertThat(after.updates()).isEqualTo(uninterrupted.updates()).isGreaterThan(before.updates());
        assertThat(after.averagedParameters().data().asDouble())
                .containsExactly(uninterrupted.averagedParameters().data().asDouble());
        assertThat(parameters(loaded)).containsExactly(parameters(whole));
    }

    @Test
    void evaluationWeightsOpenedAndClosedEveryIterationChangeNothing() {
        double[] initial = AveragingCases.rows("timm_warmup").get(0).values;
        SameDiff plain = leastSquares(new Sgd(0.1), initial);
        SameDiffWeightAveraging plainAverage = SameDiffWeightAveraging.of(emaWithWarmupEvery2());
        plain.addListeners(plainAverage);
        SameDiff probed = leastSquares(new Sgd(0.1), initial);
        SameDiffWeightAveraging probedAverage = SameDiffWeightAveraging.of(emaWithWarmupEvery2());
        probed.addListeners(probedAverage);
        DataSet data = AveragingCases.data();
        for (int s = 1; s <= 12; s++) {
            plain.fit(data);
            probed.fit(data);
            if (probedAverage.updates() == 0) {
                assertThatThrownBy(() -> probedAverage.evaluationWeights(probed))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no average yet");
                continue;
            }
            double[] training = parameters(probed);
            Map<String, INDArray> averaged = probedAverage.averagedVariables(probed);
            try (SameDiffEvaluationWeights ignored = probedAverage.evaluationWeights(probed)) {
                assertThat(probed.getVariable("W").getArr()).isEqualTo(averaged.get("W"));
                assertThat(probed.getVariable("b").getArr()).isEqualTo(averaged.get("b"));
                if (s > 2) { // the first update (after step 2) copies
                    assertThat(parameters(probed)).isNotEqualTo(training);
                }
                probed.output(data, "loss");
                assertThatThrownBy(() -> probedAverage.update(probed)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("evaluation weights");
            }
            assertThat(parameters(probed)).as("training weights back after step %s", s).containsExactly(training);
        }
        assertThat(parameters(probed)).containsExactly(parameters(plain));
        assertThat(probedAverage.updates()).isEqualTo(plainAverage.updates()).isEqualTo(6);
        assertThat(probedAverage.averagedParameters().data().asDouble())
                .containsExactly(plainAverage.averagedParameters().data().asDouble());
    }

    @Test
    void refusesAStateOfAnotherRuleAndAFileWithout(@TempDir Path dir) throws Exception {
        SameDiff sd = leastSquares(new Sgd(0.1), AveragingCases.rows("ema").get(0).values);
        SameDiffWeightAveraging ema = SameDiffWeightAveraging.of(WeightAveraging.ema(0.9).build());
        sd.addListeners(ema);
        sd.fit(AveragingCases.data());
        File file = dir.resolve("run.sd").toFile();
        sd.save(file, true);
        assertThatThrownBy(() -> ema.restoreState(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no weight averaging state");
        ema.saveState(file);
        SameDiffWeightAveraging other = SameDiffWeightAveraging.of(WeightAveraging.ema(0.8).build());
        assertThatThrownBy(() -> other.restoreState(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ema(0.9)").hasMessageContaining("ema(0.8)");
        assertThatThrownBy(() -> SameDiffWeightAveraging.of(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("averaging");

        SameDiff bigger = SameDiff.create();
        bigger.var("W", Nd4j.zeros(DataType.DOUBLE, 7, 3));
        assertThatThrownBy(() -> ema.evaluationWeights(bigger)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("18 values").hasMessageContaining("21");
    }

    private static double assertClose(double[] actual, Row expected, String what) {
        assertThat(expected).as("reference row for %s", what).isNotNull();
        double error = AveragingCases.relativeError(actual, expected.values);
        assertThat(error).as(what).isLessThanOrEqualTo(TOLERANCE);
        return error;
    }

    /** The average, read inside {@code evaluationWeights}, against the reference; {@code averagedParameters()} too. */
    private static double assertAverage(SameDiffWeightAveraging averaging, SameDiff sd, Row expected, String what) {
        double[] training = parameters(sd);
        double error;
        try (SameDiffEvaluationWeights ignored = averaging.evaluationWeights(sd)) {
            error = assertClose(parameters(sd), expected, what);
            assertThat(averaging.averagedParameters().data().asDouble()).containsExactly(parameters(sd));
        }
        assertThat(parameters(sd)).as("training weights back after " + what).containsExactly(training);
        return error;
    }
}
