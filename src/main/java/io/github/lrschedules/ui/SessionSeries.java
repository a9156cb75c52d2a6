package io.github.lrschedules.ui;

import io.github.lrschedules.record.Hyperparameter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the Schedules page shows of one training session: per reported iteration the score and each parameter's
 * learning rate, per epoch the recorded metrics. Holds its arrays without copying (they may be longer than
 * {@link #size()}); the reader that builds it and the JSON writer that reads it run under one lock.
 */
final class SessionSeries {

    private final String id;
    private final String label;
    private final int size;
    private final long reportedIterations;
    private final int[] iterations;
    private final double[] scores;
    private final Map<String, float[]> learningRates;
    private final int[] epochs;
    private final Map<String, double[]> epochMetrics;

    /**
     * @param learningRates parameter key to learning rates, each aligned with {@code iterations}; NaN where a report
     *                      has no value for the key
     * @param epochMetrics  metric name to values, each aligned with {@code epochs}; NaN where not recorded
     */
    SessionSeries(String id, String label, int size, int[] iterations, double[] scores,
                  Map<String, float[]> learningRates, int[] epochs, Map<String, double[]> epochMetrics) {
        this(id, label, size, size, iterations, scores, learningRates, epochs, epochMetrics);
    }

    /**
     * @param reportedIterations the number of iterations stored, of which the reader kept {@code size} (at least
     *                           {@code size})
     */
    SessionSeries(String id, String label, int size, long reportedIterations, int[] iterations, double[] scores,
                  Map<String, float[]> learningRates, int[] epochs, Map<String, double[]> epochMetrics) {
        if (reportedIterations < size) {
            throw new IllegalArgumentException("reportedIterations (" + reportedIterations + ") must be >= size ("
                    + size + ")");
        }
        if (iterations.length < size || scores.length < size) {
            throw new IllegalArgumentException("iterations (" + iterations.length + ") and scores (" + scores.length
                    + ") must hold size (" + size + ") values");
        }
        for (Map.Entry<String, float[]> e : learningRates.entrySet()) {
            if (e.getValue().length < size) {
                throw new IllegalArgumentException("learning rates of " + e.getKey() + " (" + e.getValue().length
                        + ") must hold size (" + size + ") values");
            }
        }
        for (Map.Entry<String, double[]> e : epochMetrics.entrySet()) {
            if (e.getValue().length != epochs.length) {
                throw new IllegalArgumentException("metric " + e.getKey() + " has " + e.getValue().length
                        + " values for " + epochs.length + " epochs");
            }
        }
        this.id = id;
        this.label = label;
        this.size = size;
        this.reportedIterations = reportedIterations;
        this.iterations = iterations;
        this.scores = scores;
        this.learningRates = Collections.unmodifiableMap(new LinkedHashMap<>(learningRates));
        this.epochs = epochs;
        this.epochMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(epochMetrics));
    }

    /** The same data under another label (to tell apart equal session ids of different storages). */
    SessionSeries withLabel(String newLabel) {
        return new SessionSeries(id, newLabel, size, reportedIterations, iterations, scores, learningRates, epochs,
                epochMetrics);
    }

    String id() {
        return id;
    }

    String label() {
        return label;
    }

    /** Number of iterations held (the reader may have thinned a long session). */
    int size() {
        return size;
    }

    /** Number of iterations stored in the storage, of which {@link #size()} are held. */
    long reportedIterations() {
        return reportedIterations;
    }

    int[] iterations() {
        return iterations;
    }

    double[] scores() {
        return scores;
    }

    Map<String, float[]> learningRates() {
        return learningRates;
    }

    int[] epochs() {
        return epochs;
    }

    Map<String, double[]> epochMetrics() {
        return epochMetrics;
    }

    /**
     * The values of hyperparameter {@code h} of parameter {@code parameter} (the column {@code "momentum:0_W"} that
     * {@link LearningRateReports} writes), aligned with the iterations; null if the session has none.
     */
    float[] hyperparameter(Hyperparameter h, String parameter) {
        return learningRates.get(h.key(parameter));
    }

    /**
     * Whether the learning rates of {@code key} are worth drawing: some value is a number other than 0.
     * {@code StatsListener} reports 0 for updaters without a learning rate (AdaDelta, NoOp). A hyperparameter
     * column ({@code momentum:0_W}) is no learning rate.
     */
    boolean hasLearningRate(String key) {
        if (Hyperparameter.ofKey(key) != null) {
            return false;
        }
        float[] values = learningRates.get(key);
        if (values == null) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (values[i] != 0 && !Float.isNaN(values[i])) {
                return true;
            }
        }
        return false;
    }
}
