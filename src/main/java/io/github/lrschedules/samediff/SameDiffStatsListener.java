package io.github.lrschedules.samediff;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.record.EpochMetricsRecorder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsInitializationReport;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsReport;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerResponse;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.listeners.records.LossCurve;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Writes a SameDiff training run into a DL4J {@code StatsStorage} the way the Schedules page reads it, so that
 * SameDiff runs appear there beside {@code MultiLayerNetwork} and {@code ComputationGraph} runs: per iteration the
 * learning rate and the training loss, per epoch the test accuracy. (DL4J's {@code StatsListener} takes a
 * {@code Model} only, and SameDiff's own {@code UIListener} writes another format, with a loss of 0.)
 *
 * <pre>
 * StatsStorage storage = new FileStatsStorage(new File("runs.dl4j"));
 * sd.addListeners(new SameDiffStatsListener(storage, "samediff-cosine", testIterator, "probabilities"));
 * sd.fit(trainIterator, 10);
 * </pre>
 *
 * <ul>
 * <li>Learning rate: the {@code TrainingConfig} updater's rate at the step (a {@link SameDiffPlateau} reduction
 * included), stored under the name of every trainable variable: SameDiff trains them all with one updater, and the
 * page shows one key at a time. Name the variables like DL4J's layers ({@code 0_W}) to overlay runs of both APIs.</li>
 * <li>Loss (the page's score): the sum of the graph's loss variables on the step's batch at the weights before the
 * step (as {@code MultiLayerNetwork.score()}, but in inference mode and without regularization), computed by this
 * listener with one extra forward pass per iteration. SameDiff 1.0.0-M2.1 itself reports 0.0 (DL4J issues 9684,
 * 9853), and the loss variables' values are not available to listeners during its training step either.</li>
 * <li>Test accuracy: with test data and an output variable, DL4J's {@code Evaluation} at the end of every epoch of
 * {@code fit(iterator, epochs)}, recorded through {@link EpochMetricsRecorder} under the same session id.</li>
 * </ul>
 *
 * Reports get strictly increasing millisecond timestamps, so that a fast run loses none (storages key reports by
 * timestamp). Needs {@code deeplearning4j-ui} on the class path. Not shared between threads.
 */
public final class SameDiffStatsListener extends BaseListener {

    /** Worker id of the per-iteration reports. */
    public static final String WORKER_ID = "samediff";

    private final StatsStorageRouter router;
    private final String sessionId;
    private final DataSetIterator testData;
    private final String outputVariable;
    private final EpochMetricsRecorder metrics;

    private List<String> lossVariables = Collections.emptyList();
    private String[] lossNames = new String[0];
    private List<String> keys;
    private double loss;
    private long lastTimestamp = Long.MIN_VALUE;
    private boolean started;

    /** Learning rate and loss per iteration, no test accuracy. */
    public SameDiffStatsListener(StatsStorageRouter router, String sessionId) {
        this(router, sessionId, null, null, false);
    }

    /**
     * Learning rate and loss per iteration, and the accuracy of {@code outputVariable} on {@code testData} after every
     * epoch.
     *
     * @throws IllegalArgumentException if an argument is null or an id or name is empty
     */
    public SameDiffStatsListener(StatsStorageRouter router, String sessionId, DataSetIterator testData,
                                 String outputVariable) {
        this(router, sessionId, testData, outputVariable, true);
    }

    private SameDiffStatsListener(StatsStorageRouter router, String sessionId, DataSetIterator testData,
                                  String outputVariable, boolean withAccuracy) {
        this.router = Args.notNull("router", router, "pass the StatsStorage the UI reads");
        this.sessionId = Args.notEmpty("sessionId", sessionId);
        if (withAccuracy) {
            this.testData = Args.notNull("testData", testData);
            this.outputVariable = Args.notEmpty("outputVariable", outputVariable);
            this.metrics = new EpochMetricsRecorder(router, sessionId);
        } else {
            this.testData = null;
            this.outputVariable = null;
            this.metrics = null;
        }
    }

    /** Active during training only. */
    @Override
    public boolean isActive(Operation operation) {
        return operation == Operation.TRAINING;
    }

    /** Computes the loss of the step's batch at the weights before the step. */
    @Override
    public void iterationStart(SameDiff sd, At at, MultiDataSet data, long etlMs) {
        if (keys == null) {
            bind(sd);
        }
        loss = lossNames.length == 0 ? Double.NaN : SameDiffGraphs.loss(sd.output(data, lossNames), lossVariables);
    }

    private void bind(SameDiff sd) {
        List<String> names = sd.getLossVariables();
        lossVariables = names == null ? Collections.emptyList() : new ArrayList<>(names);
        lossNames = lossVariables.toArray(new String[0]);
        List<String> trainable = new ArrayList<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && v.dataType().isFPType()) {
                trainable.add(v.name());
            }
        }
        keys = trainable;
    }

    @Override
    public void iterationDone(SameDiff sd, At at, MultiDataSet dataSet, Loss reportedLoss) {
        if (!started) {
            SbeStatsInitializationReport init = new SbeStatsInitializationReport();
            init.reportIDs(sessionId, StatsListener.TYPE_ID, WORKER_ID, nextTimestamp());
            router.putStaticInfo(init);
            started = true;
        }
        IUpdater updater = SameDiffGraphs.trainingConfig(sd).getUpdater();
        double rate = updater != null && updater.hasLearningRate()
                ? updater.getLearningRate(at.iteration(), at.epoch()) : Double.NaN;
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String key : keys) {
            rates.put(key, rate);
        }
        SbeStatsReport report = new SbeStatsReport();
        report.reportIDs(sessionId, StatsListener.TYPE_ID, WORKER_ID, nextTimestamp());
        report.reportIterationCount(at.iteration());
        report.reportScore(loss);
        report.reportLearningRates(rates);
        router.putUpdate(report);
    }

    /** Records the test accuracy of the epoch that ended (the epoch count has not advanced yet). */
    @Override
    public ListenerResponse epochEnd(SameDiff sd, At at, LossCurve lossCurve, long epochTimeMillis) {
        if (metrics != null) {
            metrics.recordTestAccuracy(at.epoch(), SameDiffGraphs.accuracy(sd, testData, outputVariable));
        }
        return ListenerResponse.CONTINUE;
    }

    private long nextTimestamp() {
        long now = System.currentTimeMillis();
        lastTimestamp = lastTimestamp == Long.MIN_VALUE ? now : Math.max(now, lastTimestamp + 1);
        return lastTimestamp;
    }

    public String getSessionId() {
        return sessionId;
    }

    @Override
    public String toString() {
        return "SameDiffStatsListener{session=" + sessionId + (outputVariable == null ? ""
                : ", testAccuracy of " + outputVariable) + "}";
    }
}
