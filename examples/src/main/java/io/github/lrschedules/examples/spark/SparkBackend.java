package io.github.lrschedules.examples.spark;

import io.github.lrschedules.spark.AppliedLearningRates;
import io.github.lrschedules.spark.SparkSteps;
import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.Networks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * {@code compare --master}: trains each epoch with DL4J's Spark training ({@code SparkDl4jMultiLayer},
 * {@code ParameterAveragingTrainingMaster} in Export mode, the updater state averaged too), everything else on the
 * driver, as {@link io.github.lrschedules.spark.SparkTrainingLoop} does: evaluation, plateau decisions, the record of
 * the rates the workers applied ({@link AppliedLearningRates}) and the checkpoints. One ITERATION step is one
 * averaging round, so the schedules are sized with {@link #stepsPerEpoch(int)}.
 */
public final class SparkTraining implements AutoCloseable {

    private final JavaSparkContext context;
    private final String master;
    private final int averagingFrequency;
    private final int batch;
    private final long seed;
    private final Path exportDirectory;

    private SparkTraining(JavaSparkContext context, String master, int averagingFrequency, int batch, long seed,
                          Path exportDirectory) {
        this.context = context;
        this.master = master;
        this.averagingFrequency = averagingFrequency;
        this.batch = batch;
        this.seed = seed;
        this.exportDirectory = exportDirectory;
    }

    /**
     * Starts a Spark context on {@code master} (a {@code local[N]} master binds the driver to the loopback address;
     * Spark's UI is off) and keeps the mini-batches Export mode writes in {@code exportDirectory}, which
     * {@link #close()} removes.
     *
     * @throws IllegalArgumentException if {@code averagingFrequency < 1} or {@code batch < 1}
     */
    public static SparkTraining start(String master, int averagingFrequency, int batch, long seed,
                                      Path exportDirectory) {
        Args.notNull("master", master);
        Args.atLeast("averagingFrequency", averagingFrequency, 1);
        Args.atLeast("batch", batch, 1);
        SparkConf conf = new SparkConf().setMaster(master).setAppName("dl4j-lr-schedules-examples")
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false");
        if (master.startsWith("local")) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        JavaSparkContext context = new JavaSparkContext(conf);
        context.setLogLevel("WARN");
        SparkTraining training = new SparkTraining(context, master, averagingFrequency, batch, seed, exportDirectory);
        training.deleteExports(); // left by a run that was killed
        return training;
    }

    /** Spark's default parallelism: the number of workers parameter averaging trains with. */
    public int workers() {
        return context.defaultParallelism();
    }

    /** ITERATION steps of one epoch of {@code batches} mini-batches: {@link SparkSteps#perEpoch}. */
    public int stepsPerEpoch(int batches) {
        return SparkSteps.perEpoch(batches, workers(), averagingFrequency);
    }

    /** One line for the run's settings. */
    public String description(int batches) {
        return String.format(Locale.ROOT, "Spark %s: parameter averaging (Export mode, updater state averaged), %d "
                        + "workers, averaging every %d mini-batches; one ITERATION step is one averaging round: %d "
                        + "steps per epoch of %d mini-batches (%d trained)", master, workers(), averagingFrequency,
                stepsPerEpoch(batches), batches, stepsPerEpoch(batches) * workers());
    }

    /**
     * Trains {@code net} for one epoch on the mini-batches {@code epoch} yields, in Spark, and records the rates the
     * workers applied at the steps it advanced.
     *
     * @return the driver's network after the fit (the same object, its parameters and updater state averaged)
     */
    public MultiLayerNetwork fitEpoch(MultiLayerNetwork net, DataSetIterator epoch, AppliedLearningRates record) {
        List<DataSet> batches = new ArrayList<>();
        while (epoch.hasNext()) {
            batches.add(epoch.next().copy());
        }
        ParameterAveragingTrainingMaster trainingMaster = new ParameterAveragingTrainingMaster.Builder(workers(), batch)
                .batchSizePerWorker(batch)
                .averagingFrequency(averagingFrequency)
                .workerPrefetchNumBatches(0)
                .saveUpdater(true)
                .rngSeed(seed)
                .exportDirectory(exportDirectory.toUri().toString())
                .build();
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(context, net, trainingMaster);
        JavaRDD<DataSet> rdd = context.parallelize(batches, workers());
        int from = Networks.iterationCount(net);
        int epochCount = Networks.epochCount(net);
        sparkNet.fit(rdd);
        MultiLayerNetwork trained = sparkNet.getNetwork();
        record.recordFit(trained, from, Networks.iterationCount(trained), epochCount, sparkNet.getScore());
        deleteExports();
        return trained;
    }

    private void deleteExports() {
        if (!Files.exists(exportDirectory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(exportDirectory)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove Spark's exported mini-batches in " + exportDirectory, e);
        }
    }

    /** Stops the Spark context and removes the exported mini-batches. */
    @Override
    public void close() {
        try {
            context.stop();
        } finally {
            deleteExports();
        }
    }
}
