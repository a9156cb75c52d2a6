package io.github.lrschedules.ui;

import io.github.lrschedules.record.LearningRateRows;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsInitializationReport;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsReport;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** Reports as {@code StatsListener} stores them, written directly, and JSON parsing for the module tests. */
final class StatsFixtures {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatsFixtures() {
    }

    /** The static info {@code StatsListener} stores before its first report; storages list workers by it. */
    static void start(StatsStorage storage, String session, String worker, long timestamp) {
        SbeStatsInitializationReport init = new SbeStatsInitializationReport();
        init.reportIDs(session, StatsListener.TYPE_ID, worker, timestamp);
        storage.putStaticInfo(init);
    }

    /** One iteration's report; {@code learningRates} may be null (not collected). */
    static void report(StatsStorage storage, String session, String worker, long timestamp, int iteration,
                       double score, Map<String, Double> learningRates) {
        SbeStatsReport report = new SbeStatsReport();
        report.reportIDs(session, StatsListener.TYPE_ID, worker, timestamp);
        report.reportIterationCount(iteration);
        report.reportScore(score);
        if (learningRates != null) {
            report.reportLearningRates(learningRates);
        }
        storage.putUpdate(report);
    }

    /**
     * Rows as {@code LearningRateReports.write} stored them before blocks: one {@code StatsListener} report per row
     * under {@link LearningRateReports#WORKER_ID}, timestamp {@code startMillis + row}, rates and hyperparameter
     * columns as learning-rate entries (float32 in the format).
     */
    static void writePerRowReports(LearningRateRows rows, StatsStorage storage, String session, long startMillis) {
        start(storage, session, LearningRateReports.WORKER_ID, startMillis - 1);
        for (int r = 0; r < rows.size(); r++) {
            Map<String, Double> rates = new HashMap<>();
            for (int p = 0; p < rows.parameterKeys().size(); p++) {
                rates.put(rows.parameterKeys().get(p), rows.learningRate(p, r));
            }
            for (int h = 0; h < rows.hyperparameterKeys().size(); h++) {
                rates.put(rows.hyperparameterKeys().get(h), rows.hyperparameter(h, r));
            }
            report(storage, session, LearningRateReports.WORKER_ID, startMillis + r, rows.iteration(r),
                    rows.score(r), rates);
        }
    }

    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static JsonNode session(JsonNode data, String id) {
        for (JsonNode s : data.get("sessions")) {
            if (s.get("id").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no session " + id + " in " + data);
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /** Numbers as floats (the precision of the JSON), null as NaN. */
    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).isNull() ? Float.NaN : (float) array.get(i).asDouble();
        }
        return out;
    }
}
