package io.github.lrschedules.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Seconds per epoch of the same MLP (784-100-10, Adam with a warmup-cosine schedule, mini-batches of 32) on the
 * bundled MNIST subset, trained in one JVM ({@code fit(iterator)}) and with parameter averaging in Spark
 * {@code local[2]} (2 workers, averaging every 5 mini-batches, Export mode), on the same cores. The two are timed in
 * alternating rounds after one warm-up epoch each; medians are printed. Arguments: {@code [examples] [rounds]}
 * (default 4000 and 7).
 */
public final class SparkOverheadBenchmark {

    private SparkOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int examples = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int batch = 32;
        int frequency = 5;
        List<DataSet> batches = DataSet.merge(LocalSpark.batches("train", examples)).batchBy(batch);
        JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("overhead")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false"));
        try {
            JavaRDD<DataSet> rdd = sc.parallelize(batches, 2).cache();
            rdd.count();
            MultiLayerNetwork local = net();
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(2, batch)
                    .batchSizePerWorker(batch).averagingFrequency(frequency).workerPrefetchNumBatches(2)
                    .saveUpdater(true).exportDirectory(LocalSpark.EXPORT_DIRECTORY).build();
            SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, net(), master);
            ListDataSetIterator<DataSet> iterator = new ListDataSetIterator<>(batches, batch);
            local.fit(iterator);
            spark.fit(rdd);
            List<Double> oneJvm = new ArrayList<>();
            List<Double> sparkLocal = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                local.fit(iterator);
                long t1 = System.nanoTime();
                spark.fit(rdd);
                long t2 = System.nanoTime();
                oneJvm.add((t1 - t0) / 1e9);
                sparkLocal.add((t2 - t1) / 1e9);
                ratios.add((double) (t2 - t1) / (t1 - t0));
                System.out.printf("round %d: one JVM %.2f s, Spark local[2] %.2f s%n", r + 1, oneJvm.get(r),
                        sparkLocal.get(r));
            }
            int steps = SparkSteps.perEpoch(batches.size(), 2, frequency);
            System.out.printf("%d examples, %d mini-batches of %d, %d rounds%n", examples, batches.size(), batch, rounds);
            System.out.printf("one JVM:        median %.2f s/epoch (%d iterations per epoch)%n", median(oneJvm),
                    batches.size());
            System.out.printf("Spark local[2]: median %.2f s/epoch (%d ITERATION steps per epoch, %d trained "
                    + "mini-batches)%n", median(sparkLocal), steps, 2 * steps);
            System.out.printf("median paired ratio Spark / one JVM: %.2f%n", median(ratios));
        } finally {
            sc.stop();
        }
    }

    private static MultiLayerNetwork net() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(42)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(new WarmupCosineSchedule(ScheduleType.ITERATION, 1e-3, 20, 2000, 1e-5, 1e-4)))
                .list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(100).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(100).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
