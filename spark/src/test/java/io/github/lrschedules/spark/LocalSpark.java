package io.github.lrschedules.spark;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * One Spark context in local mode for every test class of the JVM (loopback only, no UI), the bundled MNIST subset
 * of the examples, and small networks.
 *
 * <p>Tests that need a retried task ask for {@code local[2,2]}; surefire runs the classes in alphabetical order, so
 * the context is switched once.
 */
final class LocalSpark {

    static final int WORKERS = 2;
    static final int BATCH = 16;
    static final int TRAIN_EXAMPLES = 320;
    static final int VALIDATION_EXAMPLES = 160;
    static final int BATCHES = TRAIN_EXAMPLES / BATCH;

    private static JavaSparkContext context;
    private static boolean shutdownHook;
    private static List<DataSet> train;
    private static List<DataSet> validation;

    private LocalSpark() {
    }

    /** {@code local[2]}: DL4J's Export mode accepts only plain local masters ({@code ExportSupport}). */
    static JavaSparkContext context() {
        return context("local[" + WORKERS + "]");
    }

    /** {@code local[2,2]}: a failed task is retried once; DL4J refuses Export mode here, use Direct mode. */
    static JavaSparkContext contextWithRetries() {
        return context("local[" + WORKERS + ",2]");
    }

    /** One context at a time in a JVM: a request for another master stops the current one. */
    private static synchronized JavaSparkContext context(String master) {
        return context(new SparkConf()
                .setMaster(master)
                .setAppName("dl4j-lr-schedules-spark-tests")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false"));
    }

    /**
     * The context of {@code conf}'s master (a cluster's, for example); the current context is kept if it has that
     * master, else stopped first.
     */
    static synchronized JavaSparkContext context(SparkConf conf) {
        String master = conf.get("spark.master");
        if (context != null && !context.master().equals(master)) {
            stop();
        }
        if (context == null) {
            context = new JavaSparkContext(conf);
            if (!shutdownHook) {
                Runtime.getRuntime().addShutdownHook(new Thread(LocalSpark::stop));
                shutdownHook = true;
            }
        }
        return context;
    }

    /** Stops the current context, if any; the next request starts a new one. */
    static synchronized void stop() {
        if (context != null) {
            context.stop();
            context = null;
        }
    }

    /** 320 training images of the MNIST subset in DataSets of 16, two partitions. */
    static JavaRDD<DataSet> train() throws IOException {
        return current().parallelize(trainBatches(), WORKERS);
    }

    private static synchronized JavaSparkContext current() {
        return context == null ? context() : context;
    }

    static synchronized List<DataSet> trainBatches() throws IOException {
        if (train == null) {
            train = batches("train", TRAIN_EXAMPLES);
        }
        return train;
    }

    /** 160 test images of the MNIST subset. */
    static synchronized JavaRDD<DataSet> validation() throws IOException {
        if (validation == null) {
            validation = batches("t10k", VALIDATION_EXAMPLES);
        }
        return current().parallelize(validation, WORKERS);
    }

    /** Parameter averaging, Export mode, DataSets of 16, averaging every {@code frequency} mini-batches. */
    static ParameterAveragingTrainingMaster master(int frequency) {
        return master(frequency, RDDTrainingApproach.Export);
    }

    static ParameterAveragingTrainingMaster master(int frequency, RDDTrainingApproach approach) {
        return new ParameterAveragingTrainingMaster.Builder(WORKERS, BATCH)
                .rddTrainingApproach(approach)
                .batchSizePerWorker(BATCH)
                .averagingFrequency(frequency)
                .workerPrefetchNumBatches(0)
                .saveUpdater(true)
                .rngSeed(12345)
                .exportDirectory(EXPORT_DIRECTORY)
                .build();
    }

    /**
     * Where Export mode writes the mini-batches: under the build folder, not Hadoop's default in the temporary folder
     * ({@code /tmp/hadoop-<user>/dl4j}), which DL4J never empties.
     */
    static final String EXPORT_DIRECTORY = Paths.get("target", "spark-export").toAbsolutePath().toUri().toString();

    static MultiLayerNetwork mlp(ISchedule schedule, long seed) {
        return mlp(new Adam(schedule), seed);
    }

    /** The test MLP, 784-24-10, with {@code updater}. */
    static MultiLayerNetwork mlp(IUpdater updater, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.XAVIER)
                .updater(updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(24).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(24).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static ComputationGraph graph(ISchedule schedule, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(schedule))
                .graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(784).nOut(24).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(24).nOut(10)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** The first {@code count} images of an IDX pair of the examples' bundled MNIST subset, scaled to [0, 1]. */
    static List<DataSet> batches(String prefix, int count) throws IOException {
        Path dir = mnistDir();
        float[][] images = readImages(dir.resolve(prefix + "-images-idx3-ubyte.gz"), count);
        int[] labels = readLabels(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), count);
        List<DataSet> out = new ArrayList<>();
        for (int start = 0; start < count; start += BATCH) {
            int n = Math.min(BATCH, count - start);
            INDArray features = Nd4j.create(n, 784);
            INDArray oneHot = Nd4j.zeros(n, 10);
            for (int i = 0; i < n; i++) {
                features.putRow(i, Nd4j.createFromArray(images[start + i]));
                oneHot.putScalar(i, labels[start + i], 1.0);
            }
            out.add(new DataSet(features, oneHot));
        }
        return out;
    }

    private static Path mnistDir() {
        Path relative = Paths.get("examples/src/main/resources/io/github/lrschedules/examples/data/mnist-subset");
        for (Path base = Paths.get("").toAbsolutePath(); base != null; base = base.getParent()) {
            if (Files.isDirectory(base.resolve(relative))) {
                return base.resolve(relative);
            }
        }
        throw new IllegalStateException("the bundled MNIST subset (" + relative + ") is not above " + Paths.get("").toAbsolutePath());
    }

    private static float[][] readImages(Path file, int count) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            if (in.readInt() != 2051) {
                throw new IOException(file + " is not an IDX image file");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (n < count || rows * cols != 784) {
                throw new IOException(file + " holds " + n + " images of " + rows + "x" + cols);
            }
            float[][] images = new float[count][784];
            byte[] pixels = new byte[784];
            for (int i = 0; i < count; i++) {
                in.readFully(pixels);
                for (int p = 0; p < 784; p++) {
                    images[i][p] = (pixels[p] & 0xff) / 255f;
                }
            }
            return images;
        }
    }

    private static int[] readLabels(Path file, int count) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            if (in.readInt() != 2049) {
                throw new IOException(file + " is not an IDX label file");
            }
            int n = in.readInt();
            if (n < count) {
                throw new IOException(file + " holds " + n + " labels");
            }
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = in.readUnsignedByte();
            }
            return labels;
        }
    }
}
