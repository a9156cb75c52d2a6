package io.github.lrschedules.record;

import io.github.lrschedules.internal.Networks;
import io.github.lrschedules.internal.Args;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Evaluates a classifier on held-out data at the end of every epoch and records the accuracy through an
 * {@link EpochMetricsRecorder}, so that the Schedules page draws test accuracy per epoch beside the session's
 * learning rate and score:
 *
 * <pre>{@code
 * net.setListeners(new StatsListener(storage, 1, "cosine"), new TestAccuracyListener(storage, "cosine", testData));
 * }</pre>
 *
 * <p>Works with {@code fit(DataSetIterator)} on a {@code MultiLayerNetwork} or {@code ComputationGraph}, which call
 * {@code onEpochEnd}; {@code fit(DataSet)} loops and {@code ParallelWrapper} make no epoch callbacks, so record
 * there with {@link EpochMetricsRecorder#recordTestAccuracy(int, double)} yourself.
 */
public final class TestAccuracyListener extends BaseTrainingListener {

    private final EpochMetricsRecorder recorder;
    private final DataSetIterator testData;

    /** Records under {@code sessionId} into {@code router}, the storage of the session's {@code StatsListener}. */
    public TestAccuracyListener(StatsStorageRouter router, String sessionId, DataSetIterator testData) {
        this(new EpochMetricsRecorder(router, sessionId), testData);
    }

    public TestAccuracyListener(EpochMetricsRecorder recorder, DataSetIterator testData) {
        this.recorder = Args.notNull("recorder", recorder);
        this.testData = Args.notNull("testData", testData);
    }

    @Override
    public void onEpochEnd(Model model) {
        // The epoch count has not advanced yet in onEpochEnd: it is the epoch that just ended.
        int epoch;
        Evaluation evaluation;
        if (testData.resetSupported()) {
            testData.reset();
        }
        Networks.Net net = Networks.of(model);
        epoch = net.epochCount();
        evaluation = net.evaluate(testData);
        double accuracy = evaluation.accuracy();
        if (Double.isNaN(accuracy)) {
            throw new IllegalStateException("testData produced no examples to evaluate after epoch " + epoch);
        }
        recorder.recordTestAccuracy(epoch, accuracy);
    }

    public EpochMetricsRecorder getRecorder() {
        return recorder;
    }
}
