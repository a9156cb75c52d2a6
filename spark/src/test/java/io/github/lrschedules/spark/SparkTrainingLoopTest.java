package io.github.lrschedules.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import java.nio.file.Files;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.github.lrschedules.averaging.WeightAveraging;
import io.github.lrschedules.checkpoint.Checkpoint;
import io.github.lrschedules.plateau.GreedyLrListener;
import io.github.lrschedules.checkpoint.Checkpointable;
import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.record.LearningRateRows;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.plateau.Reduction;
import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.record.LearningRateTable;
import io.github.lrschedules.ui.LearningRateBlock;
import io.github.lrschedules.ui.LearningRateReports;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedule.ScaledSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.internal.Networks;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

/**
 * Real parameter-averaging training in Spark local mode ({@code local[2,2]}, loopback) on 320 MNIST images: what the
 * workers apply (observed on the workers by {@link AppliedRateProbe}) equals the schedule at the global step, equals
 * what the loop records on the driver, and follows the plateau decisions and a resume from the checkpoint.
 *
 * <p>Each epoch is 20 mini-batches of 16 on 2 workers; with averaging frequency 10 that is one round of 10 steps
 * (one split, so training does not depend on a random split and a resumed run can be compared with an uninterrupted
 * one).
 */
import org.nd4j.linalg.api.ndarray.INDArray;
class SparkTrainingLoopTest {

    static final int FREQUENCY = 10;
    static final int STEPS = SparkSteps.perEpoch(LocalSpark.BATCHES, LocalSpark.WORKERS, FREQUENCY);

    @TempDir
    Path dir;

    @BeforeEach
    void clearProbe() {
        AppliedRateProbe.drain();
        AppliedRateProbe.FAIL_ONCE.set(false);
        AppliedRateProbe.FAILED.set(false);
    }

    private static SparkDl4jMultiLayer sparkMlp(ISchedule schedule) {
        return new SparkDl4jMultiLayer(LocalSpark.context(), LocalSpark.mlp(schedule, 7), LocalSpark.master(FREQUENCY));
    }

    private static SparkComputationGraph sparkGraph(ISchedule schedule) {
        return new SparkComputationGraph(LocalSpark.context(), LocalSpark.graph(schedule, 7), LocalSpark.master(FREQUENCY));
    }

    @Test
    void workersApplyTheIterationScheduleAtTheGlobalStepInAMultiLayerNetwork() throws Exception {
        ISchedule schedule = new WarmupCosineSchedule(ITERATION, 0.01, 4, 2 * STEPS, 1e-4, 1e-3);
        SparkDl4jMultiLayer net = sparkMlp(schedule);
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        Path csv = dir.resolve("rates.csv");
        SparkTrainingLoop.Result result = SparkTrainingLoop.builder(net).epochs(2)
                .workerListeners(new AppliedRateProbe())
                .learningRateCsv(csv)
                .statsStorage(storage, "spark-run")
                .build()
                .fit(LocalSpark.train());

        assertThat(net.getNetwork().getIterationCount()).isEqualTo(2 * STEPS);
        assertThat(net.getNetwork().getEpochCount()).isEqualTo(2);
        AppliedLearningRates record = result.learningRates();
        assertRecordFollows(record, schedule, 2, 1.0, 1.0);
        assertWorkersApplied(AppliedRateProbe.drain(), record, 2);
        assertThat(result.horizonWarnings()).isEmpty();

        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("iteration,epoch,score,0_W,0_b,1_W,1_b");
        assertThat(lines).hasSize(2 * STEPS + 1);
        assertThat(lines.get(1 + STEPS)).startsWith(STEPS + ",1,");

        // the driver's record, one block per epoch, exact
        assertThat(storage.getAllUpdatesAfter("spark-run", LearningRateBlock.TYPE_ID, "driver", 0)).hasSize(2);
        LearningRateTable stored = LearningRateReports.read(storage, "spark-run", "driver");
        assertThat(stored.size()).isEqualTo(2 * STEPS);
        for (int r = 0; r < stored.size(); r++) {
            assertThat(stored.iteration(r)).isEqualTo(r);
            assertThat(stored.learningRate(0, r)).isEqualTo(schedule.valueAt(r, r / STEPS));
        }
    }

    @Test
    void workersApplyTheEpochScheduleInAComputationGraph() throws Exception {
        ISchedule schedule = new MilestoneStepSchedule(EPOCH, 0.01, 0.5, 1);
        SparkComputationGraph graph = sparkGraph(schedule);
        SparkTrainingLoop.Result result = SparkTrainingLoop.builder(graph).epochs(2)
                .workerListeners(new AppliedRateProbe()).build().fit(LocalSpark.train());

        assertThat(graph.getNetwork().getIterationCount()).isEqualTo(2 * STEPS);
        AppliedLearningRates record = result.learningRates();
        assertThat(record.parameterKeys()).containsExactly("dense_W", "dense_b", "out_W", "out_b");
        assertRecordFollows(record, schedule, 2, 1.0, 1.0);
        assertThat(record.learningRates("out_W")[STEPS]).isEqualTo(0.005);
        assertWorkersApplied(AppliedRateProbe.drain(), record, 2);
    }

    @Test
    void workersApplyTheIterationScheduleInAComputationGraphAndTheEpochScheduleInAMultiLayerNetwork() throws Exception {
        ISchedule iteration = new WarmupCosineSchedule(ITERATION, 0.01, 3, 2 * STEPS, 1e-4, 1e-3);
        SparkTrainingLoop.Result graph = SparkTrainingLoop.builder(sparkGraph(iteration)).epochs(2)
                .workerListeners(new AppliedRateProbe()).build().fit(LocalSpark.train());
        assertRecordFollows(graph.learningRates(), iteration, 2, 1.0, 1.0);
        assertWorkersApplied(AppliedRateProbe.drain(), graph.learningRates(), 2);

        ISchedule epoch = new MilestoneStepSchedule(EPOCH, 0.02, 0.1, 1);
        SparkTrainingLoop.Result mlp = SparkTrainingLoop.builder(sparkMlp(epoch)).epochs(2)
                .workerListeners(new AppliedRateProbe()).build().fit(LocalSpark.train());
        assertRecordFollows(mlp.learningRates(), epoch, 2, 1.0, 1.0);
        assertWorkersApplied(AppliedRateProbe.drain(), mlp.learningRates(), 2);
    }

    @Test
    void aGreedyLrDecisionOnTheDriverReachesTheWorkersOfTheNextFitAndItsStateRidesInTheCheckpoint() throws Exception {
        ISchedule schedule = new WarmupCosineSchedule(ITERATION, 0.01, 4, 3 * STEPS, 1e-4, 1e-3);
        // the same scripted plateau as below, through Hugging Face's GreedyLR rule: it lowers by the factor too
        GreedyLrListener greedy = GreedyLrListener.builder().reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0)
                .cooldown(5).thresholdMode(PlateauTracker.ThresholdMode.ABS).threshold(10).minLr(1e-6).build();
        Path checkpoint = dir.resolve("greedy.zip");
        SparkTrainingLoop.Result result = SparkTrainingLoop.builder(sparkMlp(schedule)).epochs(3).checkpoint(checkpoint)
                .greedy(greedy, SparkMetric.validationLoss(LocalSpark.validation()))
                .workerListeners(new AppliedRateProbe()).build().fit(LocalSpark.train());

        // GreedyLR counts the first epoch as an improvement (rate / 0.5), then the scripted plateau (rate x 0.5)
        assertThat(greedy.history()).extracting(Reduction::getEpoch).containsExactly(1, 2);
        double[] scale = {1.0, 2.0, 1.0};
        AppliedLearningRates record = result.learningRates();
        assertThat(record.size()).isEqualTo(3 * STEPS);
        for (String key : record.parameterKeys()) {
            double[] rates = record.learningRates(key);
            for (int r = 0; r < rates.length; r++) {
                assertThat(rates[r]).as("%s at step %s", key, r).isCloseTo(scale[r / STEPS]
                        * schedule.valueAt(r, r / STEPS), org.assertj.core.data.Offset.offset(1e-15));
            }
        }
        assertWorkersApplied(AppliedRateProbe.drain(), result.learningRates(), 3);
        assertThat(Checkpoint.keys(checkpoint)).contains(GreedyLrListener.STATE_KEY);
        assertThatThrownBy(() -> SparkTrainingLoop.builder(sparkMlp(schedule)).greedy(greedy,
                SparkMetric.validationLoss(LocalSpark.validation())).plateau(ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MIN).build(), SparkMetric.validationLoss(LocalSpark.validation())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("once");
    }

    @Test
    void aReductionDecidedOnTheDriverReachesTheWorkersOfTheNextFit() throws Exception {
        ISchedule schedule = new WarmupCosineSchedule(ITERATION, 0.01, 4, 3 * STEPS, 1e-4, 1e-3);
        // An absolute threshold of 10 makes every epoch after the first a bad one: patience 0 reduces after epoch 1.
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder()
                .reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0).cooldown(5)
                .thresholdMode(PlateauTracker.ThresholdMode.ABS).threshold(10).build();
        SparkTrainingLoop.Result result = SparkTrainingLoop.builder(sparkMlp(schedule)).epochs(3)
                .plateau(plateau, SparkMetric.validationLoss(LocalSpark.validation()))
                .workerListeners(new AppliedRateProbe()).build().fit(LocalSpark.train());

        assertThat(plateau.history()).hasSize(1);
        assertThat(plateau.history().get(0).getEpoch()).isEqualTo(2);
        assertThat(java.util.Arrays.stream(result.metrics()).boxed()).hasSize(3).allSatisfy(m -> assertThat(m).isPositive().isFinite());
        assertRecordFollows(result.learningRates(), schedule, 3, 1.0, 0.5);
        assertWorkersApplied(AppliedRateProbe.drain(), result.learningRates(), 3);
    }

    @Test
    void aResumedLoopMakesTheSameDecisionsAndAppliesTheSameRatesAsAnUninterruptedOne() throws Exception {
        ISchedule schedule = new WarmupCosineSchedule(ITERATION, 0.01, 4, 4 * STEPS, 1e-4, 1e-3);
        JavaRDD<DataSet> validation = LocalSpark.validation();

        ReduceLROnPlateauListener whole = plateau();
        SparkTrainingLoop.Result uninterrupted = SparkTrainingLoop.builder(sparkMlp(schedule)).epochs(4)
                .plateau(whole, SparkMetric.validationLoss(validation)).build().fit(LocalSpark.train());

        Path checkpoint = dir.resolve("checkpoint.zip");
        Path csv = dir.resolve("rates.csv");
        EpochLog firstLog = new EpochLog();
        SparkTrainingLoop.builder(sparkMlp(schedule)).epochs(2).checkpoint(checkpoint).learningRateCsv(csv)
                .plateau(plateau(), SparkMetric.validationLoss(validation)).onEpochEnd(firstLog)
                .checkpointState(firstLog).build().fit(LocalSpark.train());
        assertThat(Checkpoint.keys(checkpoint)).containsExactly("epochLog", ReduceLROnPlateauListener.STATE_KEY,
                SparkTrainingLoop.STATE_KEY);
        assertThat(Checkpoint.object(checkpoint, "epochLog", ArrayList.class)).hasSize(2);
        // A new driver: fresh network (other seed), fresh listener; everything comes from the checkpoint.
        ReduceLROnPlateauListener resumedPlateau = plateau();
        SparkDl4jMultiLayer fresh = new SparkDl4jMultiLayer(LocalSpark.context(), LocalSpark.mlp(schedule, 99),
                LocalSpark.master(FREQUENCY));
        EpochLog resumedLog = new EpochLog();
        SparkTrainingLoop.Result resumed = SparkTrainingLoop.builder(fresh).epochs(4).checkpoint(checkpoint)
                .learningRateCsv(csv).plateau(resumedPlateau, SparkMetric.validationLoss(validation))
                .onEpochEnd(resumedLog).checkpointState(resumedLog).build().fit(LocalSpark.train());

        // The hook ran after each epoch with the DL4J epoch, the metric, the plateau decision applied, and the rows so
        // far; its own record came back from the checkpoint and continued.
        assertThat(resumedLog.lines).hasSize(4);
        for (int e = 0; e < 4; e++) {
            assertThat(resumedLog.lines.get(e)).as("epoch %s", e).startsWith("epoch " + e + ", rows " + (e + 1) * STEPS
                    + ", scale ").doesNotEndWith("metric NaN");
        }
        assertThat(resumedLog.lines.get(3)).contains("scale " + Math.pow(0.5, whole.history().size()) + ",");

        assertThat(whole.history()).hasSize(2);
        assertThat(resumedPlateau.history()).hasSameSizeAs(whole.history());
        for (int r = 0; r < whole.history().size(); r++) {
            Reduction a = whole.history().get(r);
            Reduction b = resumedPlateau.history().get(r);
            assertThat(b.getEpoch()).isEqualTo(a.getEpoch());
            assertThat(b.getIteration()).isEqualTo(a.getIteration());
            assertThat(b.getNewLr()).isEqualTo(a.getNewLr());
        }
        assertThat(resumed.epochs()).isEqualTo(4);
        assertThat(fresh.getNetwork().getIterationCount()).isEqualTo(4 * STEPS);
        assertThat(resumed.learningRates().iterations()).isEqualTo(uninterrupted.learningRates().iterations());
        for (String key : uninterrupted.learningRates().parameterKeys()) {
            assertThat(resumed.learningRates().learningRates(key)).isEqualTo(uninterrupted.learningRates().learningRates(key));
        }
        assertThat(resumed.metrics()).containsExactly(uninterrupted.metrics(), org.assertj.core.data.Offset.offset(1e-4));
        assertThat(Files.readAllLines(csv)).hasSize(4 * STEPS + 1);
    }

    @Test
    void weightAveragingOnTheDriverAveragesTheParametersAfterTheChosenEpochsAndRidesInTheCheckpoint() throws Exception {
        ISchedule schedule = new WarmupCosineSchedule(ITERATION, 0.01, 4, 3 * STEPS, 1e-4, 1e-3);
        WeightAveraging swa = WeightAveraging.swa().startEpoch(1).build();
        List<INDArray> afterEpoch = new ArrayList<>();
        Path checkpoint = dir.resolve("averaged.zip");
        SparkDl4jMultiLayer net = sparkMlp(schedule);
        SparkTrainingLoop.builder(net).epochs(3).checkpoint(checkpoint)
                .onEpochEnd((network, epoch, metric, rows) -> afterEpoch.add(network.params().dup()))
                .averaging(swa).build().fit(LocalSpark.train());

        assertThat(afterEpoch).hasSize(3);
        assertThat(swa.updates()).isEqualTo(2);
        INDArray expected = afterEpoch.get(1).add(afterEpoch.get(2)).divi(2);
        // float32 network: the running mean and (a + b) / 2 round differently in the last bits
        assertThat(swa.averagedParameters().reshape(expected.shape()).equalsWithEps(expected, 1e-6)).isTrue();
        assertThat(swa.averagedParameters().reshape(expected.shape()).equalsWithEps(afterEpoch.get(2), 1e-6)).isFalse();
        assertThat(Checkpoint.keys(checkpoint)).contains(WeightAveraging.STATE_KEY);
        WeightAveraging restored = WeightAveraging.swa().startEpoch(1).build();
        Checkpoint.restore(checkpoint, restored);
        assertThat(restored.updates()).isEqualTo(2);
        assertThat(restored.averagedParameters()).isEqualTo(swa.averagedParameters());

        assertThatThrownBy(() -> SparkTrainingLoop.builder(net).averaging(WeightAveraging.ema(0.99).everyIterations(5).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timed by iterations");
    }

    /** An epoch hook with a record of its own that rides in the loop's checkpoint. */
    static final class EpochLog implements SparkTrainingLoop.EpochHook, Checkpointable<ArrayList<String>> {
        private ArrayList<String> lines = new ArrayList<>();

        @Override
        public void epochEnd(Model network, int epoch, double metric, LearningRateRows learningRates) {
            assertThat(Networks.epochCount(network)).as("the finished epoch's count has advanced").isEqualTo(epoch + 1);
            // the plateau decision of this epoch is already installed: a ScaledSchedule around the Adam schedule
            ISchedule installed = ((Adam) Networks.learningRateUpdaters(network).get(0)).getLearningRateSchedule();
            double scale = installed instanceof ScaledSchedule ? ((ScaledSchedule) installed).getScale() : 1;
            lines.add("epoch " + epoch + ", rows " + learningRates.size() + ", scale " + scale + ", metric " + metric);
        }

        @Override
        public String checkpointKey() {
            return "epochLog";
        }

        @Override
        public ArrayList<String> state() {
            return new ArrayList<>(lines);
        }

        @Override
        public void restore(ArrayList<String> state) {
            lines = new ArrayList<>(state);
        }
    }

    /** ABS threshold 10: every epoch after the first is bad; cooldown 1 makes the pattern depend on restored state. */
    private static ReduceLROnPlateauListener plateau() {
        return ReduceLROnPlateauListener.builder().reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0)
                .cooldown(1).thresholdMode(PlateauTracker.ThresholdMode.ABS).threshold(10).build();
    }

    @Test
    void aScheduleLongerThanTheRunIsReportedWithBothNumbers() throws Exception {
        // Sized for one JVM (20 mini-batches per epoch), but parameter averaging advances 10 steps per epoch.
        int oneJvmSteps = LocalSpark.BATCHES;
        ISchedule schedule = new OneCycleSchedule(ITERATION, 0.01, oneJvmSteps, 0.3, 25, 1e4,
                OneCycleSchedule.Anneal.COS, false);
        SparkTrainingLoop.Result result = SparkTrainingLoop.builder(sparkMlp(schedule)).epochs(1).build()
                .fit(LocalSpark.train());
        int horizon = firstStepOfFinalValue(schedule);
        assertThat(horizon).isGreaterThan(STEPS);
        assertThat(result.horizonWarnings()).singleElement().asString()
                .contains("reaches its final value at iteration " + horizon)
                .contains("the run ends at iteration " + STEPS);
    }

    private static int firstStepOfFinalValue(ISchedule schedule) {
        double last = schedule.valueAt(10_000, 0);
        int k = 10_000;
        while (k > 0 && schedule.valueAt(k - 1, 0) == last) {
            k--;
        }
        return k;
    }

    @Test
    void listenersThatCannotRunOnWorkersAreRefusedWithTheReason() {
        SparkDl4jMultiLayer net = sparkMlp(new MilestoneStepSchedule(EPOCH, 0.01, 0.5, 1));
        assertThatThrownBy(() -> SparkTrainingLoop.builder(net).workerListeners(new LearningRateRecorder()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workerListeners[0]").hasMessageContaining("LearningRateRecorder")
                .hasMessageContaining("learningRateCsv");
        assertThatThrownBy(() -> SparkTrainingLoop.builder(net).workerListeners(new AppliedRateProbe(),
                ReduceLROnPlateauListener.builder().reported(PlateauTracker.Mode.MIN).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workerListeners[1]").hasMessageContaining("plateau(listener, metric)");
        assertThatThrownBy(() -> SparkTrainingLoop.builder(net).workerListeners(new NotSerializable()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workerListeners[0] (" + NotSerializable.class.getName() + ") is not serializable")
                .hasMessageContaining("Task not serializable");
    }

    @Test
    void aListenerSetDirectlyOnTheNetworkFailsWithAMessageInsteadOfASparkTrace() {
        SparkDl4jMultiLayer net = sparkMlp(new MilestoneStepSchedule(EPOCH, 0.01, 0.5, 1));
        net.setListeners(new NotSerializable());
        assertThatThrownBy(() -> SparkTrainingLoop.builder(net).epochs(1).build().fit(LocalSpark.train()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be Serializable")
                .hasMessageContaining(NotSerializable.class.getName());
    }

    @Test
    void sharedTrainingMasterIsRefusedWithTheReason() {
        VoidConfiguration voidConfiguration = VoidConfiguration.builder().unicastPort(40123)
                .controllerAddress("127.0.0.1").build();
        SharedTrainingMaster shared = new SharedTrainingMaster.Builder(voidConfiguration, LocalSpark.BATCH).build();
        SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(LocalSpark.context(),
                LocalSpark.mlp(new MilestoneStepSchedule(EPOCH, 0.01, 0.5, 1), 7), shared);
        assertThatThrownBy(() -> SparkTrainingLoop.builder(net))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SharedTrainingMaster")
                .hasMessageContaining("ModelParameterServer")
                .hasMessageContaining("deadlocked");
    }

    @Test
    void directModeWithTheWrongExamplesPerDataSetIsRefused() {
        ParameterAveragingTrainingMaster direct = new ParameterAveragingTrainingMaster.Builder(LocalSpark.WORKERS, 32)
                .batchSizePerWorker(LocalSpark.BATCH).averagingFrequency(FREQUENCY)
                .rddTrainingApproach(RDDTrainingApproach.Direct).build();
        SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(LocalSpark.context(),
                LocalSpark.mlp(new MilestoneStepSchedule(EPOCH, 0.01, 0.5, 1), 7), direct);
        assertThatThrownBy(() -> SparkTrainingLoop.builder(net).epochs(1).build().fit(LocalSpark.train()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rddDataSetNumExamples (32)")
                .hasMessageContaining("holds 16 examples");
    }

    @Test
    void badArgumentsAreNamed() {
        SparkDl4jMultiLayer net = sparkMlp(new MilestoneStepSchedule(EPOCH, 0.01, 0.5, 1));
        assertThatThrownBy(() -> SparkTrainingLoop.builder(net).epochs(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("epochs (0) must be > 0");
        assertThatThrownBy(() -> SparkTrainingLoop.builder(net).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("call epochs(n)");
        assertThatThrownBy(() -> SparkTrainingLoop.builder((SparkDl4jMultiLayer) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("network must not be null");
    }

    /**
     * The record has one row per step, {@code epochs * STEPS} in all, and the rate of row {@code i} is the schedule
     * at the global step, times {@code scaleBefore} in the first two epochs and {@code scaleAfter} from the third.
     */
    static void assertRecordFollows(AppliedLearningRates record, ISchedule schedule, int epochs,
                                            double scaleBefore, double scaleAfter) {
        assertThat(record.size()).isEqualTo(epochs * STEPS);
        int[] iterations = record.iterations();
        int[] epochCounts = record.epochs();
        for (String key : record.parameterKeys()) {
            double[] rates = record.learningRates(key);
            for (int r = 0; r < rates.length; r++) {
                assertThat(iterations[r]).isEqualTo(r);
                assertThat(epochCounts[r]).isEqualTo(r / STEPS);
                double scale = epochCounts[r] < 2 ? scaleBefore : scaleAfter;
                assertThat(rates[r]).as("%s at step %s", key, r)
                        .isCloseTo(scale * schedule.valueAt(r, r / STEPS), org.assertj.core.data.Offset.offset(1e-15));
            }
        }
    }

    /** Every step of every epoch was run by both workers, with the rate the record gives for that step. */
    static void assertWorkersApplied(List<AppliedRateProbe.Row> rows, AppliedLearningRates record, int epochs) {
        List<AppliedRateProbe.Row> kept = new java.util.ArrayList<>();
        for (AppliedRateProbe.Row r : rows) {
            if (r.partition == 0 && r.attempt == 0 && rows.stream().anyMatch(o -> o.partition == 0 && o.attempt == 1
                    && o.epoch == r.epoch)) {
                continue;
            }
            kept.add(r);
        }
        assertThat(kept).hasSize(LocalSpark.WORKERS * epochs * STEPS);
        int[] iterations = record.iterations();
        for (AppliedRateProbe.Row row : kept) {
            int r = java.util.Arrays.binarySearch(iterations, row.iteration);
            assertThat(r).as("step %s applied on a worker", row.iteration).isNotNegative();
            assertThat(row.epoch).isEqualTo(record.epochs()[r]);
            for (Map.Entry<String, Double> e : row.rates.entrySet()) {
                assertThat(e.getValue()).as("%s applied at step %s", e.getKey(), row.iteration)
                        .isEqualTo(record.learningRates(e.getKey())[r]);
            }
        }
        // Each step ran once on every worker (Spark numbers the tasks of a stage, not the workers, so count them).
        Map<Integer, Long> perStep = kept.stream().collect(java.util.stream.Collectors.groupingBy(r -> r.iteration,
                java.util.stream.Collectors.counting()));
        assertThat(perStep).hasSize(iterations.length);
        assertThat(perStep.values()).containsOnly((long) LocalSpark.WORKERS);
    }

    /** A listener that holds a field Java serialization cannot write. */
    static final class NotSerializable extends BaseTrainingListener implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final Object lock = new Object();

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            synchronized (lock) {
                Networks.iterationCount(model);
            }
        }
    }
}
