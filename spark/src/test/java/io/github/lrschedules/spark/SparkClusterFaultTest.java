package io.github.lrschedules.spark;

import static io.github.lrschedules.spark.SparkTrainingLoopTest.FREQUENCY;
import static io.github.lrschedules.spark.SparkTrainingLoopTest.STEPS;
import static io.github.lrschedules.spark.SparkTrainingLoopTest.assertRecordFollows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.plateau.Reduction;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * {@link SparkTrainingLoop} on a real Spark standalone cluster (a Master and two Workers, separate JVMs on loopback,
 * one executor of one core per Worker), with the faults local mode cannot produce: an executor killed with SIGKILL in
 * the middle of an epoch's fit, and a task that throws once. Parameter averaging in Direct mode, 320 MNIST images in
 * DataSets of 16, averaging frequency 10: one round of 10 steps per epoch, one training task per Worker.
 *
 * <p>What the tests establish: Spark reruns the lost task from the broadcast network (DL4J repeats the steps the
 * killed attempt had done, it neither loses them nor counts them twice); the driver's iteration and epoch counts, the
 * applied-rate record, the plateau decisions, the metrics, the parameters and the checkpoint are those of a run
 * without the fault.
 *
 * <p>Time: the class prints it, the cluster's start and stop included, and bounds every wait (cluster start 90 s per
 * process, the tests 150 s and 90 s). The README and BENCHMARKS.md give the measured times.
 */
class SparkClusterFaultTest {

    private static StandaloneCluster cluster;
    private static JavaSparkContext context;
    private static long startNanos;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        startNanos = System.nanoTime();
        cluster = StandaloneCluster.start(Paths.get("target", "spark-cluster"), LocalSpark.WORKERS);
        context = LocalSpark.context(cluster.sparkConf("dl4j-lr-schedules-cluster-tests"));
        System.out.printf("cluster %s up in %.1f s (logs in %s)%n", cluster.masterUrl(), seconds(), cluster.home());
    }

    @AfterAll
    static void stopCluster() {
        try {
            LocalSpark.stop();
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
        System.out.printf("SparkClusterFaultTest: %.1f s with the cluster's start and stop%n", seconds());
    }

    private static double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static SparkDl4jMultiLayer sparkMlp(ISchedule schedule) {
        return new SparkDl4jMultiLayer(context, LocalSpark.mlp(schedule, 7),
                LocalSpark.master(FREQUENCY, RDDTrainingApproach.Direct));
    }

    /** ABS threshold 10: every epoch after the first is bad, patience 0 reduces once after the second epoch. */
    private static ReduceLROnPlateauListener plateau() {
        return ReduceLROnPlateauListener.builder().reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0)
                .cooldown(5).thresholdMode(PlateauTracker.ThresholdMode.ABS).threshold(10).build();
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void anExecutorKilledMidFitIsReplacedAndTheRunEndsAsOneWithoutTheKill() throws Exception {
        ISchedule schedule = new WarmupCosineSchedule(ITERATION, 0.01, 4, 3 * STEPS, 1e-4, 1e-3);
        JavaRDD<DataSet> train = LocalSpark.train();
        JavaRDD<DataSet> validation = LocalSpark.validation();

        ReduceLROnPlateauListener referencePlateau = plateau();
        SparkDl4jMultiLayer reference = sparkMlp(schedule);
        SparkTrainingLoop.Result expected = SparkTrainingLoop.builder(reference).epochs(3)
                .plateau(referencePlateau, SparkMetric.validationLoss(validation)).build().fit(train);

        Path probe = Files.createDirectories(dir.resolve("probe"));
        AtomicLong killed = new AtomicLong(-1);
        Thread killer = new Thread(() -> killWhenAsked(probe, killed), "executor-killer");
        killer.setDaemon(true);
        killer.start();
        Path checkpoint = dir.resolve("checkpoint.zip");
        Path csv = dir.resolve("rates.csv");
        ReduceLROnPlateauListener plateau = plateau();
        SparkDl4jMultiLayer net = sparkMlp(schedule);
        long fitStart = System.nanoTime();
        SparkTrainingLoop.Result result = SparkTrainingLoop.builder(net).epochs(3)
                .plateau(plateau, SparkMetric.validationLoss(validation))
                .checkpoint(checkpoint).learningRateCsv(csv)
                .workerListeners(new ClusterProbe(probe, ClusterProbe.Fault.AWAIT_KILL, STEPS + 3))
                .build().fit(train);
        double faultedSeconds = (System.nanoTime() - fitStart) / 1e9;
        killer.join(10_000);

        // The executor of partition 0 was killed at step STEPS + 3 (epoch 1) and is gone.
        long pid = killed.get();
        assertThat(pid).as("the probe asked for a kill and the test killed that executor").isPositive();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isIn(Optional.empty(), Optional.of(false));

        // The driver: counts, record, CSV, plateau decisions and metrics as without the kill.
        MultiLayerNetwork driver = net.getNetwork();
        assertThat(driver.getIterationCount()).isEqualTo(3 * STEPS);
        assertThat(driver.getEpochCount()).isEqualTo(3);
        assertRecordFollows(result.learningRates(), schedule, 3, 1.0, 0.5);
        assertThat(Files.readAllLines(csv)).hasSize(3 * STEPS + 1);
        assertThat(plateau.history()).hasSize(1);
        assertSameDecisions(plateau.history(), referencePlateau.history());
        assertThat(result.metrics()).containsExactly(expected.metrics(), within(1e-6));
        double paramDiff = driver.params().sub(reference.getNetwork().params()).amaxNumber().doubleValue();
        assertThat(paramDiff).as("largest parameter difference to the run without the kill").isLessThan(1e-6);

        // The checkpoint holds the final network and the loop's state of all three epochs.
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(checkpoint.toFile(), true);
        assertThat(restored.getIterationCount()).isEqualTo(3 * STEPS);
        assertThat(restored.getEpochCount()).isEqualTo(3);
        assertThat(restored.params()).isEqualTo(driver.params());
        SparkTrainingLoop.State state = ModelSerializer.getObjectFromFile(checkpoint.toFile(),
                SparkTrainingLoop.STATE_KEY);
        assertThat(state.completedEpochs).isEqualTo(3);
        assertThat(state.record.iterations()).isEqualTo(result.learningRates().iterations());

        // The executors: one complete attempt per task, and the killed attempt's 4 steps were run again.
        List<ClusterProbe.Row> rows = ClusterProbe.rows(probe);
        Map<String, List<ClusterProbe.Row>> partial = assertOneCompleteAttemptPerTask(rows, result.learningRates(), 3);
        assertThat(partial).hasSize(1);
        List<ClusterProbe.Row> lost = partial.values().iterator().next();
        assertThat(lost).allSatisfy(r -> assertThat(r.pid).isEqualTo(pid));
        assertThat(lost.stream().map(r -> r.iteration)).containsExactly(STEPS, STEPS + 1, STEPS + 2, STEPS + 3);

        List<String> log = new ArrayList<>();
        log.addAll(cluster.logLines("Executor app-"));
        log.addAll(cluster.logLines("Removing executor"));
        log.addAll(cluster.logLines("Launching executor"));
        System.out.printf("killed executor %d at step %d; faulted run %.1f s (3 epochs, with the metric), largest "
                + "parameter difference %.3g; cluster log:%n  %s%n", pid, STEPS + 3, faultedSeconds, paramDiff,
                String.join("\n  ", log));
        assertThat(log).as("the Worker saw its executor die and the Master had it replaced")
                .anySatisfy(l -> assertThat(l).contains("Removing executor"))
                .anySatisfy(l -> assertThat(l).contains("Launching executor"));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aTaskThatThrowsOnceIsRetriedAndTheDriverCountsEveryStepOnce() throws Exception {
        ISchedule schedule = new WarmupCosineSchedule(ITERATION, 0.01, 4, 2 * STEPS, 1e-4, 1e-3);
        Path probe = Files.createDirectories(dir.resolve("probe"));
        SparkDl4jMultiLayer net = sparkMlp(schedule);
        SparkTrainingLoop.Result result = SparkTrainingLoop.builder(net).epochs(2)
                .workerListeners(new ClusterProbe(probe, ClusterProbe.Fault.THROW, 1)).build()
                .fit(LocalSpark.train());

        assertThat(probe.resolve(ClusterProbe.THROWN)).exists();
        assertThat(net.getNetwork().getIterationCount()).isEqualTo(2 * STEPS);
        assertThat(net.getNetwork().getEpochCount()).isEqualTo(2);
        assertRecordFollows(result.learningRates(), schedule, 2, 1.0, 1.0);
        Map<String, List<ClusterProbe.Row>> partial = assertOneCompleteAttemptPerTask(ClusterProbe.rows(probe),
                result.learningRates(), 2);
        assertThat(partial).hasSize(1);
        assertThat(partial.values().iterator().next().stream().map(r -> r.iteration)).containsExactly(0, 1);
    }

    /** The two histories took the same decisions at the same points. */
    private static void assertSameDecisions(List<Reduction> actual, List<Reduction> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int r = 0; r < expected.size(); r++) {
            assertThat(actual.get(r).getEpoch()).isEqualTo(expected.get(r).getEpoch());
            assertThat(actual.get(r).getIteration()).isEqualTo(expected.get(r).getIteration());
            assertThat(actual.get(r).getNewLr()).isEqualTo(expected.get(r).getNewLr());
        }
    }

    /**
     * Every training task (epoch, partition) has exactly one attempt that ran all {@code STEPS} steps of its epoch,
     * with the rates the driver recorded; returns the other, abandoned attempts by attempt key.
     */
    private static Map<String, List<ClusterProbe.Row>> assertOneCompleteAttemptPerTask(List<ClusterProbe.Row> rows,
            AppliedLearningRates record, int epochs) {
        Map<String, List<ClusterProbe.Row>> byAttempt = rows.stream().collect(Collectors.groupingBy(
                ClusterProbe.Row::attemptKey, TreeMap::new, Collectors.toList()));
        Map<String, List<ClusterProbe.Row>> partial = new TreeMap<>();
        Map<String, Integer> completePerTask = new TreeMap<>();
        for (Map.Entry<String, List<ClusterProbe.Row>> e : byAttempt.entrySet()) {
            List<ClusterProbe.Row> attempt = new ArrayList<>(e.getValue());
            attempt.sort((a, b) -> Integer.compare(a.iteration, b.iteration));
            if (attempt.size() < STEPS) {
                partial.put(e.getKey(), attempt);
                continue;
            }
            ClusterProbe.Row first = attempt.get(0);
            assertThat(attempt.stream().map(r -> r.iteration)).as(e.getKey())
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(first.epoch * STEPS,
                            (first.epoch + 1) * STEPS).boxed().collect(Collectors.toList()));
            completePerTask.merge("e" + first.epoch + "/p" + first.partition, 1, Integer::sum);
            for (ClusterProbe.Row row : attempt) {
                for (Map.Entry<String, Double> rate : row.rates.entrySet()) {
                    assertThat(rate.getValue()).as("%s at step %s", rate.getKey(), row.iteration)
                            .isEqualTo(record.learningRates(rate.getKey())[row.iteration]);
                }
            }
        }
        assertThat(completePerTask).as("complete attempts per task").hasSize(epochs * LocalSpark.WORKERS);
        assertThat(completePerTask.values()).containsOnly(1);
        return partial;
    }

    /** Waits for the probe's kill request and sends SIGKILL to the executor that wrote it. */
    private static void killWhenAsked(Path probe, AtomicLong killed) {
        Path request = probe.resolve(ClusterProbe.KILL_REQUEST);
        long deadline = System.currentTimeMillis() + 120_000;
        try {
            while (System.currentTimeMillis() < deadline) {
                if (Files.exists(request)) {
                    String text = Files.readString(request, StandardCharsets.UTF_8).trim();
                    if (!text.isEmpty()) {
                        long pid = Long.parseLong(text);
                        ProcessHandle executor = ProcessHandle.of(pid).orElseThrow();
                        executor.destroyForcibly();
                        executor.onExit().get(20, TimeUnit.SECONDS);
                        killed.set(pid);
                        return;
                    }
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not kill the executor", e);
        }
    }
}
