package io.github.lrschedules.averaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import io.github.lrschedules.averaging.AveragingCases.Row;
import io.github.lrschedules.schedule.CosineDecaySchedule;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.SwaSchedule;
import io.github.lrschedules.weights.EvaluationWeights;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * {@link WeightAveraging} and {@link SwaSchedule} against the trajectories of {@code scripts/averaging_reference.py}
 * (PyTorch 2.13 {@code AveragedModel} EMA and SWA with {@code SWALR}, timm 1.0.29 {@code ModelEmaV3} with warmup and
 * {@code update_after_step}, float64): the averaged parameters after every update, relative error at most 1e-9, on
 * MultiLayerNetworks and ComputationGraphs, through the one-pass loop and through the ND4J fallback.
 */
class AveragingReferenceTest {

    private static final double TOLERANCE = 1e-9;

    @BeforeAll
    static void precision() {
        AveragingCases.doublePrecision();
    }

    @AfterEach
    void directLoopBack() {
        Lerp.allowDirect = true;
    }

    static Stream<Arguments> emaCases() {
        Stream<Arguments> cases = Stream.of(
                Arguments.of("ema", (Supplier<WeightAveraging>) () -> WeightAveraging.ema(0.9).build()),
                Arguments.of("ema_every3", (Supplier<WeightAveraging>) () ->
                        WeightAveraging.ema(0.8).everyIterations(3).build()),
                Arguments.of("timm_warmup", (Supplier<WeightAveraging>) () ->
                        WeightAveraging.ema(0.8).warmup(2.0, 0.75).minDecay(0.3).updateAfterStep(3).build()),
                Arguments.of("timm_warmup_defaults", (Supplier<WeightAveraging>) () ->
                        WeightAveraging.ema(0.95).warmup().build()));
        return withNetworksAndPaths(cases);
    }

    private static Stream<Arguments> withNetworksAndPaths(Stream<Arguments> cases) {
        // the ND4J fallback on graphs (whose params() is [n], their vector [1, n]) for the first case of each kind
        return cases.flatMap(c -> {
            Stream<Arguments> three = Stream.of(Arguments.of(c.get()[0], c.get()[1], false, true),
                    Arguments.of(c.get()[0], c.get()[1], false, false), Arguments.of(c.get()[0], c.get()[1], true, true));
            boolean first = c.get()[0].equals("ema") || c.get()[0].equals("swa_cosine");
            return first ? Stream.concat(three, Stream.of(Arguments.of(c.get()[0], c.get()[1], true, false))) : three;
        });
    }

    @ParameterizedTest(name = "{0}, graph {2}, one-pass loop {3}")
    @MethodSource("emaCases")
    void emaFollowsPyTorchAndTimm(String file, Supplier<WeightAveraging> averaging, boolean graph, boolean direct) {
        Lerp.allowDirect = direct;
        List<Row> rows = AveragingCases.rows(file);
        Model net = AveragingCases.network(file, new Sgd(0.1), graph);
        WeightAveraging ema = averaging.get();
        net.addListeners(ema);
        DataSet data = AveragingCases.data();
        long averaged = 0;
        double worst = 0;
        for (int s = 1; s <= 40; s++) {
            fit(net, data);
            worst = Math.max(worst, assertClose(AveragingCases.parameters(net),
                    AveragingCases.find(rows, s, "params"), file + " params after step " + s));
            Row average = AveragingCases.find(rows, s, "average");
            if (average != null) {
                averaged++;
                worst = Math.max(worst, assertAverage(ema, net, average, file + " average after step " + s));
            }
            assertThat(ema.updates()).as("%s: updates after step %s", file, s).isEqualTo(averaged);
        }
        assertThat(averaged).isGreaterThanOrEqualTo(13);
        System.out.printf("%s (graph %s, one-pass %s): worst relative error %.3g%n", file, graph, direct, worst);
    }

    static Stream<Arguments> swaCases() {
        Stream<Arguments> cases = Stream.of(
                Arguments.of("swa_cosine", (Supplier<WeightAveraging>) () -> WeightAveraging.swa().startEpoch(4).build()),
                Arguments.of("swa_linear_every2", (Supplier<WeightAveraging>) () ->
                        WeightAveraging.swa().startEpoch(1).everyEpochs(2).build()),
                Arguments.of("swa_iterations", (Supplier<WeightAveraging>) () ->
                        WeightAveraging.swa().startEpoch(1).everyIterations(3).build()));
        return withNetworksAndPaths(cases);
    }

    static IUpdater swaUpdater(String file) {
        switch (file) {
            case "swa_cosine":
                // PyTorch's swa_start 3: SWALR from epoch 5
                return new Sgd(new SwaSchedule(new CosineDecaySchedule(EPOCH, 0.2, 10, 0.01), 5, 0.05, 3,
                        SwaSchedule.Anneal.COS));
            case "swa_linear_every2":
                return new Sgd(new SwaSchedule(new FixedSchedule(0.15), 4, 0.03, 4, SwaSchedule.Anneal.LINEAR));
            default:
                return new Sgd(0.1);
        }
    }

    @ParameterizedTest(name = "{0}, graph {2}, one-pass loop {3}")
    @MethodSource("swaCases")
    void swaWithSwaScheduleFollowsPyTorch(String file, Supplier<WeightAveraging> averaging, boolean graph,
                                          boolean direct) {
        Lerp.allowDirect = direct;
        List<Row> rows = AveragingCases.rows(file);
        IUpdater updater = swaUpdater(file);
        Model net = AveragingCases.network(file, updater, graph);
        WeightAveraging swa = averaging.get();
        net.addListeners(swa);
        DataSetIterator batches = new ListDataSetIterator<>(AveragingCases.data().asList(), AveragingCases.BATCH);
        int epochs = (int) rows.stream().filter(r -> r.kind.equals("params")).count();
        long averagedEpochs = 0;
        double worst = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            assertThat(((Sgd) updater).getLearningRate(0, epoch)).as("%s: rate of epoch %s", file, epoch)
                    .isCloseTo(AveragingCases.find(rows, epoch, "lr").values[0],
                            org.assertj.core.api.Assertions.within(1e-12));
            if (net instanceof MultiLayerNetwork) {
                ((MultiLayerNetwork) net).fit(batches);
            } else {
                ((ComputationGraph) net).fit(batches);
            }
            worst = Math.max(worst, assertClose(AveragingCases.parameters(net),
                    AveragingCases.find(rows, epoch, "params"), file + " params after epoch " + epoch));
            Row average = AveragingCases.find(rows, epoch, "average");
            if (average != null) {
                averagedEpochs++;
                worst = Math.max(worst, assertAverage(swa, net, average, file + " average after epoch " + epoch));
            } else if (!file.equals("swa_iterations")) {
                assertThat(swa.updates()).as("%s: no average before the start", file).isLessThan(averagedEpochs + 1);
            }
        }
        assertThat(averagedEpochs).isGreaterThanOrEqualTo(4);
        if (file.equals("swa_iterations")) {
            // 2 steps per epoch, epochs 1..5: steps 3..12, every third
            assertThat(swa.updates()).isEqualTo(4);
        } else {
            assertThat(swa.updates()).isEqualTo(averagedEpochs);
        }
        System.out.printf("%s (graph %s, one-pass %s): worst relative error %.3g%n", file, graph, direct, worst);
    }

    @Test
    void swaScheduleGivesSwalrRates() {
        List<String[]> rows = AveragingCases.read("swalr.csv");
        ISchedule cos = new SwaSchedule(new CosineDecaySchedule(EPOCH, 0.1, 20, 0.001), 7, 0.02, 4,
                SwaSchedule.Anneal.COS);
        ISchedule cosByIteration = new SwaSchedule(new CosineDecaySchedule(ITERATION, 0.1, 20, 0.001), 7, 0.02, 4,
                SwaSchedule.Anneal.COS);
        ISchedule linear = new SwaSchedule(new MilestoneStepSchedule(EPOCH, 0.2, 0.5, 3, 6), 10, 0.01, 5,
                SwaSchedule.Anneal.LINEAR);
        ISchedule anneal1 = new SwaSchedule(new CosineDecaySchedule(EPOCH, 0.3, 12, 0.0), 2, 0.05, 1,
                SwaSchedule.Anneal.COS);
        assertThat(rows).hasSize(30);
        double worst = 0;
        for (String[] row : rows) {
            int k = Integer.parseInt(row[0]);
            worst = Math.max(worst, assertRate(cos.valueAt(999, k), row[1], "cos", k));
            worst = Math.max(worst, assertRate(cosByIteration.valueAt(k, 999), row[1], "cos by iteration", k));
            worst = Math.max(worst, assertRate(linear.valueAt(999, k), row[2], "linear", k));
            worst = Math.max(worst, assertRate(anneal1.valueAt(999, k), row[3], "anneal1", k));
        }
        System.out.printf("SWALR rates: worst relative error %.3g%n", worst);
    }

    private static double assertRate(double actual, String expected, String name, int k) {
        double e = Double.parseDouble(expected);
        double error = Math.abs(actual - e) / Math.abs(e);
        assertThat(error).as("%s at step %s: %s, SWALR %s", name, k, actual, e).isLessThanOrEqualTo(TOLERANCE);
        return error;
    }

    private static void fit(Model net, DataSet data) {
        if (net instanceof MultiLayerNetwork) {
            ((MultiLayerNetwork) net).fit(data);
        } else {
            ((ComputationGraph) net).fit(data);
        }
    }

    private static double assertClose(double[] actual, Row expected, String what) {
        assertThat(expected).as("reference row for %s", what).isNotNull();
        double error = AveragingCases.relativeError(actual, expected.values);
        assertThat(error).as(what).isLessThanOrEqualTo(TOLERANCE);
        return error;
    }

    /** The average, read inside {@code evaluationWeights}, against the reference; {@code averagedParameters()} too. */
    private static double assertAverage(WeightAveraging averaging, Model net, Row expected, String what) {
        double[] training = net.params().dup().data().asDouble();
        double error;
        try (EvaluationWeights ignored = averaging.evaluationWeights(net)) {
            error = assertClose(AveragingCases.parameters(net), expected, what);
            assertThat(averaging.averagedParameters().data().asDouble())
                    .containsExactly(net.params().dup().data().asDouble());
        }
        assertThat(net.params().data().asDouble()).as("training weights back after " + what).containsExactly(training);
        return error;
    }
}
