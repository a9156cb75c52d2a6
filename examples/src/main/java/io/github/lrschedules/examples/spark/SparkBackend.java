package io.github.lrschedules.examples.spark;

import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.examples.train.Backend;
import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.plateau.GreedyLrListener;
import io.github.lrschedules.plateau.MetricRuleListener;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.record.LearningRateRows;
import io.github.lrschedules.spark.SparkMetric;
import io.github.lrschedules.spark.SparkSteps;
import io.github.lrschedules.spark.SparkTrainingLoop;
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
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;

/**
 * {@code compare --master}: trains with DL4J's Spark training ({@code SparkDl4jMultiLayer},
 * {@code ParameterAveragingTrainingMaster} in Export mode, Direct mode on a cluster, the updater state averaged too)
 * through the library's {@link SparkTrainingLoop}: the loop fits every epoch, records the rates the workers applied,
 * reports the held-out loss the trainer measures on the driver to the plateau listener, calls the trainer after every
 * epoch and writes the run's checkpoint (the trainer's record rides in it, and the weight average of
 * {@code --average swa}, which the loop updates on the driver after every epoch). One ITERATION step is one averaging
 * round, so the schedules are sized with {@link #stepsPerEpoch(int)}.
 *
 * <p>The epoch's mini-batches are put into one RDD, in the order of the run's first epoch, and Spark splits them
 * among the workers at every fit. On a standalone cluster ({@code spark://HOST:PORT}) the RDD is trained in Direct
 * mode and the workers are the cluster's executor cores; see {@link #start}.
 */
public final class SparkBackend implements Backend {

    /** How long a {@code spark://} master may take to accept a connection before the run gives up. */
    public static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    /** How long a standalone cluster may take to start the run's executors before the run gives up. */
    public static final long EXECUTOR_TIMEOUT_MILLIS = 120_000;

    private final JavaSparkContext context;
    private final String master;
    private final int averagingFrequency;
    private final int batch;
    private final long seed;
    private final Path exportDirectory;
    private final boolean cluster;
    private final Path applicationDirectory;

    private SparkBackend(JavaSparkContext context, String master, int averagingFrequency, int batch, long seed,
                         Path exportDirectory, boolean cluster, Path applicationDirectory) {
        this.context = context;
        this.master = master;
        this.averagingFrequency = averagingFrequency;
        this.batch = batch;
        this.seed = seed;
        this.exportDirectory = exportDirectory;
        this.cluster = cluster;
        this.applicationDirectory = applicationDirectory;
    }

    /**
     * Starts a Spark context on {@code master} (Spark's UI off) and keeps what it writes for the run under
     * {@code exportDirectory}, which {@link #close()} removes.
     *
     * <p>With a {@code local[N]} master the driver binds to 127.0.0.1 and the mini-batches are exported there (DL4J's
     * Export mode). With a {@code spark://HOST:PORT} master (a standalone cluster) the driver first checks that the
     * master accepts connections ({@link #CONNECT_TIMEOUT_MILLIS}), gives the executors its class path (for a master
     * on loopback as {@code spark.executor.extraClassPath}, otherwise its jars with {@code SparkConf.setJars}, class
     * folders packed into one jar in a temporary folder), binds to the address the master can
     * reach (127.0.0.1 for a master on loopback; {@code spark.driver.host} and {@code SPARK_LOCAL_IP} win), trains in
     * Direct mode (DL4J refuses Export mode to a local folder on a cluster), and waits until the executors have
     * registered ({@link #EXECUTOR_TIMEOUT_MILLIS}) so that the number of workers is the cluster's.
     *
     * @throws IllegalArgumentException if {@code averagingFrequency < 1} or {@code batch < 1}
     * @throws ExamplesException        if a cluster's master cannot be reached, or starts no executor in time
     */
    public static SparkBackend start(String master, int averagingFrequency, int batch, long seed,
                                     Path exportDirectory) {
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("master (" + master + ") must be a Spark master URL");
        }
        if (averagingFrequency < 1) {
            throw new IllegalArgumentException("averagingFrequency (" + averagingFrequency + ") must be >= 1");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch (" + batch + ") must be >= 1");
        }
        boolean cluster = master.startsWith(StandaloneMaster.SCHEME);
        // before Spark's first class loads: an unreachable master is one line, without Spark's start-up warnings
        StandaloneMaster.Route route = cluster ? StandaloneMaster.route(master) : null;
        deleteRecursively(exportDirectory); // left by a run that was killed
        SparkConf conf = new SparkConf().setMaster(master).setAppName("dl4j-lr-schedules-examples")
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false");
        Path applicationDirectory = null;
        if (master.startsWith("local")) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        } else if (cluster) {
            applicationDirectory = StandaloneMaster.configure(conf, route);
        }
        JavaSparkContext context;
        try {
            context = new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            deleteRecursively(applicationDirectory);
            throw e;
        }
        try {
            context.setLogLevel("WARN");
            if (cluster) {
                StandaloneMaster.awaitExecutors(context, master, EXECUTOR_TIMEOUT_MILLIS);
            }
            return new SparkBackend(context, master, averagingFrequency, batch, seed, exportDirectory, cluster,
                    applicationDirectory);
        } catch (RuntimeException e) {
            try {
                context.stop();
            } finally {
                deleteRecursively(applicationDirectory);
            }
            throw e;
        }
    }

    /** Spark's default parallelism: the number of workers parameter averaging trains with. */
    public int workers() {
        return context.defaultParallelism();
    }

    /** ITERATION steps of one epoch of {@code batches} mini-batches: {@link SparkSteps#perEpoch}. */
    @Override
    public int stepsPerEpoch(int batches) {
        return SparkSteps.perEpoch(batches, workers(), averagingFrequency);
    }

    @Override
    public boolean reportsValidation() {
        return true;
    }

    @Override
    public String description(int batches) {
        return String.format(Locale.ROOT, "Spark %s: parameter averaging (%s mode, updater state averaged), %d "
                        + "workers, averaging every %d mini-batches; one ITERATION step is one averaging round: %d "
                        + "steps per epoch of %d mini-batches (%d trained)", master, cluster ? "Direct" : "Export",
                workers(), averagingFrequency, stepsPerEpoch(batches), batches, stepsPerEpoch(batches) * workers());
    }

    @Override
    public boolean rowsIncludeResumedEpochs() {
        return true;
    }

    /** Thrown by the epoch hook to end the loop early: the training loss diverged. */
    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super(null, null, false, false);
        }
    }

    @Override
    public LearningRateRows train(Epochs run) throws IOException {
        List<DataSet> batches = new ArrayList<>();
        run.train().startEpoch(0);
        while (run.train().hasNext()) {
            batches.add(run.train().next().copy());
        }
        ParameterAveragingTrainingMaster trainingMaster = new ParameterAveragingTrainingMaster.Builder(workers(), batch)
                .batchSizePerWorker(batch)
                .averagingFrequency(averagingFrequency)
                .workerPrefetchNumBatches(0)
                .saveUpdater(true)
                .rngSeed(seed)
                // on a cluster: DL4J's Export mode needs a file system every machine sees, Direct mode does not
                .rddTrainingApproach(cluster ? RDDTrainingApproach.Direct : RDDTrainingApproach.Export)
                .exportDirectory(exportDirectory.toUri().toString())
                .build();
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(context, run.network(), trainingMaster);
        // The network trains on the workers: the driver's copy needs no listener (the plateau listener is reported to).
        run.network().setListeners(new ArrayList<>());
        SparkMetric heldOut = SparkMetric.onDriver(PlateauTracker.Mode.MIN,
                network -> run.validationLoss().applyAsDouble((MultiLayerNetwork) network));
        MetricRuleListener plateau = run.setup().plateau();
        long[] evaluated = {System.nanoTime()};
        SparkTrainingLoop.Builder loop = SparkTrainingLoop.builder(sparkNet).epochs(run.epochs());
        if (run.averaging() != null) {
            // the loop's hooks run in the order given: the average is updated before the trainer evaluates it
            loop.averaging(run.averaging());
        }
        loop.onEpochEnd((network, epoch, metric, rows) -> {
            double seconds = (System.nanoTime() - evaluated[0]) / 1e9;
            if (!run.epochEnd().epochDone((MultiLayerNetwork) network, epoch, rows, seconds)) {
                throw new Stop();
            }
            evaluated[0] = System.nanoTime();
        });
        if (plateau instanceof ReduceLROnPlateauListener) {
            loop.plateau((ReduceLROnPlateauListener) plateau, heldOut);
        } else if (plateau instanceof GreedyLrListener) {
            loop.greedy((GreedyLrListener) plateau, heldOut);
        } else {
            loop.monitor(heldOut);
        }
        if (run.stats() != null) {
            loop.statsStorage(run.stats(), run.sessionId());
        }
        if (run.checkpoints().file() != null) {
            loop.checkpoint(run.checkpoints().file(), run.resumed()).checkpointState(run.checkpoints().record());
        }
        JavaRDD<DataSet> rdd = context.parallelize(batches, workers());
        try {
            return loop.build().fit(rdd).learningRates();
        } catch (Stop diverged) {
            return null;
        }
    }

    private static void deleteRecursively(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + directory, e);
        }
    }

    /** Stops the Spark context and removes the exported mini-batches and the shipped application jar. */
    @Override
    public void close() {
        try {
            context.stop();
        } finally {
            try {
                deleteRecursively(exportDirectory);
            } finally {
                deleteRecursively(applicationDirectory);
            }
        }
    }
}
