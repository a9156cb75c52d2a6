package io.github.lrschedules.spark;

import java.io.File;
import java.io.IOException;
import java.util.Collection;
import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

/** What the loop needs of a SparkDl4jMultiLayer or a SparkComputationGraph. */
interface SparkNet {

    Model network();

    TrainingMaster<?, ?> trainingMaster();

    void fit(JavaRDD<DataSet> data);

    double score();

    double loss(JavaRDD<DataSet> data);

    double accuracy(JavaRDD<DataSet> data);

    void setListeners(Collection<TrainingListener> listeners);

    /** Replaces the driver network by the one stored in {@code modelZip} (with its updater state). */
    void restore(File modelZip) throws IOException;

    static SparkNet of(SparkDl4jMultiLayer net) {
        return new SparkNet() {
            public Model network() {
                return net.getNetwork();
            }

            public TrainingMaster<?, ?> trainingMaster() {
                return net.getTrainingMaster();
            }

            public void fit(JavaRDD<DataSet> data) {
                net.fit(data);
            }

            public double score() {
                return net.getScore();
            }

            public double loss(JavaRDD<DataSet> data) {
                return net.calculateScore(data, true);
            }

            public double accuracy(JavaRDD<DataSet> data) {
                return net.<Evaluation>evaluate(data).accuracy();
            }

            public void setListeners(Collection<TrainingListener> listeners) {
                net.setListeners(listeners);
            }

            public void restore(File modelZip) throws IOException {
                MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(modelZip, true);
                net.setNetwork(restored);
            }
        };
    }

    /** Installs {@link GraphCountsHook} on the graph's training master (once). */
    static SparkNet of(SparkComputationGraph graph) {
        TrainingMaster<?, ?> master = graph.getTrainingMaster();
        if (master instanceof ParameterAveragingTrainingMaster) {
            ParameterAveragingTrainingMaster averaging = (ParameterAveragingTrainingMaster) master;
            if (averaging.getTrainingHookList() == null
                    || averaging.getTrainingHookList().stream().noneMatch(h -> h instanceof GraphCountsHook)) {
                averaging.addHook(new GraphCountsHook(graph));
            }
        }
        return new SparkNet() {
            public Model network() {
                return graph.getNetwork();
            }

            public TrainingMaster<?, ?> trainingMaster() {
                return graph.getTrainingMaster();
            }

            public void fit(JavaRDD<DataSet> data) {
                graph.fit(data);
            }

            public double score() {
                return graph.getScore();
            }

            public double loss(JavaRDD<DataSet> data) {
                return graph.calculateScore(data, true);
            }

            public double accuracy(JavaRDD<DataSet> data) {
                return graph.<Evaluation>evaluate(data).accuracy();
            }

            public void setListeners(Collection<TrainingListener> listeners) {
                graph.setListeners(listeners);
            }

            public void restore(File modelZip) throws IOException {
                ComputationGraph restored = ModelSerializer.restoreComputationGraph(modelZip, true);
                graph.setNetwork(restored);
            }
        };
    }
}
