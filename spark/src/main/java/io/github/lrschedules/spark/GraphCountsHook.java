package io.github.lrschedules.spark;

import java.io.IOException;
import java.io.ObjectOutputStream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Gives the workers of a {@code SparkComputationGraph} the driver's iteration and epoch counts, which DL4J 1.0.0-M2.1
 * loses: each worker builds {@code new ComputationGraph(conf.clone())}, and {@code ComputationGraphConfiguration.clone()}
 * does not copy the counts ({@code MultiLayerConfiguration.clone()} does). Without this hook every averaging round
 * of a graph starts at iteration 0 and epoch 0, so an ITERATION schedule replays its first
 * {@code averagingFrequency} steps for ever and an EPOCH schedule never leaves epoch 0.
 *
 * <p>Spark Java-serializes the training worker, hooks included, when it submits the tasks of a round, after the
 * driver has added the previous round's steps to its count; this hook writes the driver's counts at that moment
 * ({@code writeObject}) and, on the worker, moves the fresh network to them before its first mini-batch.
 */
final class GraphCountsHook implements TrainingHook {

    private static final long serialVersionUID = 1L;

    private final transient SparkComputationGraph driver;
    private int iteration;
    private int epoch;

    GraphCountsHook(SparkComputationGraph driver) {
        this.driver = driver;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        if (driver != null) {
            ComputationGraphConfiguration conf = driver.getNetwork().getConfiguration();
            iteration = conf.getIterationCount();
            epoch = conf.getEpochCount();
        }
        out.defaultWriteObject();
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        if (model instanceof ComputationGraph) {
            ComputationGraphConfiguration conf = ((ComputationGraph) model).getConfiguration();
            // A fresh worker network counts from 0; once moved it stays at or past the round's start.
            if (conf.getIterationCount() < iteration) {
                conf.setIterationCount(conf.getIterationCount() + iteration);
            }
            if (conf.getEpochCount() != epoch) {
                conf.setEpochCount(epoch);
            }
        }
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
