package io.github.lrschedules.ui;

import static io.github.lrschedules.ui.StatsFixtures.floats;
import static io.github.lrschedules.ui.StatsFixtures.ints;
import static io.github.lrschedules.ui.StatsFixtures.json;
import static io.github.lrschedules.ui.StatsFixtures.report;
import static io.github.lrschedules.ui.StatsFixtures.session;
import static io.github.lrschedules.ui.StatsFixtures.start;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.record.EpochMetricsRecorder;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * {@code /schedules/data} as {@link SchedulesModule} answers it, on storages filled the way {@code StatsListener}
 * fills them: alignment of every series with its iterations, ordering, empty states and errors.
 */
class SchedulesDataTest {

    private final SchedulesModule module = new SchedulesModule();

    private JsonNode ok(String param, String maxPoints) {
        SchedulesModule.Response response = module.data(param, maxPoints);
        assertThat(response.status).as(response.body).isEqualTo(200);
        return json(response.body);
    }

    private static Map<String, Double> rates(double w, Double b) {
        Map<String, Double> rates = new HashMap<>();
        rates.put("0_W", w);
        rates.put("1_W", w / 2);
        if (b != null) {
            rates.put("0_b", b);
        }
        return rates;
    }

    @Test
    void noStorageAndEmptyStorageGiveNoSessions() {
        JsonNode none = ok(null, null);
        assertThat(none.get("sessions")).isEmpty();
        assertThat(none.get("parameter").isNull()).isTrue();
        assertThat(none.get("parameters")).isEmpty();

        module.onAttach(new InMemoryStatsStorage());
        JsonNode empty = ok(null, null);
        assertThat(empty.get("sessions")).isEmpty();
        assertThat(empty.get("parameter").isNull()).isTrue();
    }

    @Test
    void everySeriesIsAlignedWithItsIterations() {
        StatsStorage storage = new InMemoryStatsStorage();
        start(storage, "step", "w0", 1_000);
        for (int i = 0; i < 50; i++) {
            double lr = i < 20 ? 0.1 : 0.01;
            // the bias learning rate is missing from iteration 7's report
            report(storage, "step", "w0", 1_000 + i, i, 2.0 / (i + 1), rates(lr, i == 7 ? null : lr * 2));
        }
        module.onAttach(storage);

        JsonNode data = ok(null, null);
        assertThat(data.get("parameter").asText()).as("first weight parameter by default").isEqualTo("0_W");
        assertThat(data.get("parameters")).extracting(JsonNode::asText).containsExactly("0_W", "0_b", "1_W");
        JsonNode step = session(data, "step");
        assertThat(step.get("label").asText()).isEqualTo("step");
        assertThat(step.get("reportedIterations").asInt()).isEqualTo(50);
        assertThat(step.get("downsampled").asBoolean()).isFalse();
        assertThat(step.get("hasLearningRate").asBoolean()).isTrue();
        int[] iterations = ints(step.get("iterations"));
        float[] scores = floats(step.get("score"));
        float[] lr = floats(step.get("lr").get("0_W"));
        assertThat(step.get("lr").size()).as("only the chosen parameter").isEqualTo(1);
        assertThat(iterations).hasSize(50);
        assertThat(scores).hasSameSizeAs(iterations);
        assertThat(lr).hasSameSizeAs(iterations);
        for (int i = 0; i < 50; i++) {
            assertThat(iterations[i]).isEqualTo(i);
            assertThat(scores[i]).isEqualTo((float) (2.0 / (i + 1)));
            assertThat(lr[i]).isEqualTo(i < 20 ? 0.1f : 0.01f);
        }

        float[] bias = floats(session(ok("0_b", null), "step").get("lr").get("0_b"));
        assertThat(bias).hasSize(50);
        assertThat(bias[7]).as("missing value -> null").isNaN();
        assertThat(bias[6]).isEqualTo(0.2f);
        assertThat(bias[8]).isEqualTo(0.2f);
    }

    @Test
    void reportsAreOrderedByIterationWithOneValuePerIteration() {
        StatsStorage storage = new InMemoryStatsStorage();
        start(storage, "parallel", "w0", 1);
        start(storage, "parallel", "w1", 1);
        for (int i = 0; i < 20; i += 2) {
            report(storage, "parallel", "w0", 10 + i, i, 1.0, rates(0.1, null));
        }
        for (int i = 1; i < 20; i += 2) {
            report(storage, "parallel", "w1", 10 + i, i, 1.0, rates(0.1, null));
        }
        report(storage, "parallel", "w1", 100, 4, 7.0, rates(0.1, null)); // worker 1 reports iteration 4 again
        module.onAttach(storage);

        JsonNode session = session(ok(null, null), "parallel");
        int[] iterations = ints(session.get("iterations"));
        assertThat(iterations).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(iterations[i]).isEqualTo(i);
        }
        assertThat(floats(session.get("score"))[4]).as("the report read last wins").isEqualTo(7.0f);
        assertThat(session.get("reportedIterations").asInt()).isEqualTo(20);
    }

    @Test
    void sessionWithoutLearningRateIsShownWithItsScore() {
        StatsStorage storage = new InMemoryStatsStorage();
        start(storage, "adadelta", "w0", 1);
        Map<String, Double> zeros = new HashMap<>();
        zeros.put("0_W", 0.0); // what StatsListener reports for updaters without a learning rate
        zeros.put("0_b", 0.0);
        for (int i = 0; i < 10; i++) {
            report(storage, "adadelta", "w0", 10 + i, i, 1.0 / (i + 1), zeros);
        }
        start(storage, "no-lr-collected", "w0", 1);
        report(storage, "no-lr-collected", "w0", 50, 0, 1.0, null);
        module.onAttach(storage);

        JsonNode alone = ok(null, null);
        assertThat(alone.get("parameter").isNull()).isTrue();
        assertThat(alone.get("parameters")).isEmpty();
        for (String id : new String[] {"adadelta", "no-lr-collected"}) {
            JsonNode session = session(alone, id);
            assertThat(session.get("hasLearningRate").asBoolean()).isFalse();
            assertThat(session.get("lr").size()).isZero();
        }
        assertThat(session(alone, "adadelta").get("score")).hasSize(10);

        StatsStorage other = new InMemoryStatsStorage();
        start(other, "sgd", "w0", 1);
        report(other, "sgd", "w0", 5, 0, 1.0, rates(0.1, 0.1));
        module.onAttach(other);
        JsonNode mixed = ok(null, null);
        assertThat(mixed.get("parameter").asText()).isEqualTo("0_W");
        assertThat(session(mixed, "adadelta").get("lr").size()).isZero();
        assertThat(session(mixed, "sgd").get("lr").get("0_W")).hasSize(1);
    }

    @Test
    void unknownParameterIsNotFoundWithJsonError() {
        StatsStorage storage = new InMemoryStatsStorage();
        start(storage, "a", "w0", 1);
        report(storage, "a", "w0", 5, 0, 1.0, rates(0.1, 0.1));
        module.onAttach(storage);

        SchedulesModule.Response response = module.data("9_W", null);
        assertThat(response.status).isEqualTo(404);
        assertThat(json(response.body).get("error").asText())
                .contains("Unknown parameter '9_W'")
                .contains("[0_W, 0_b, 1_W]");
    }

    @Test
    void badMaxPointsIsBadRequest() {
        for (String bad : new String[] {"abc", "1", "-5", "100001"}) {
            SchedulesModule.Response response = module.data(null, bad);
            assertThat(response.status).as(bad).isEqualTo(400);
            assertThat(json(response.body).get("error").asText()).contains("maxPoints (" + bad + ")");
        }
        assertThat(module.data(null, "2").status).isEqualTo(200);
    }

    @Test
    void laterReportsOfALiveRunAppearOnTheNextRequest() {
        StatsStorage storage = new InMemoryStatsStorage();
        start(storage, "live", "w0", 1);
        for (int i = 0; i < 5; i++) {
            report(storage, "live", "w0", 10 + i, i, 1.0, rates(0.1, null));
        }
        module.onAttach(storage);
        assertThat(session(ok(null, null), "live").get("iterations")).hasSize(5);
        assertThat(module.data(null, null).body).as("nothing new: the response is reused")
                .isSameAs(module.data(null, null).body);

        for (int i = 5; i < 12; i++) {
            report(storage, "live", "w0", 10 + i, i, 1.0, rates(0.05, null));
        }
        start(storage, "second", "w0", 100);
        report(storage, "second", "w0", 101, 0, 1.0, rates(0.2, null));
        JsonNode data = ok(null, null);
        assertThat(ints(session(data, "live").get("iterations"))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(floats(session(data, "live").get("lr").get("0_W"))[11]).isEqualTo(0.05f);
        assertThat(data.get("sessions")).extracting(s -> s.get("id").asText())
                .as("in the order the sessions started").containsExactly("live", "second");
    }

    @Test
    void epochMetricsAreAlignedWithEpochs() {
        StatsStorage storage = new InMemoryStatsStorage();
        start(storage, "a", "w0", 1);
        report(storage, "a", "w0", 5, 0, 1.0, rates(0.1, null));
        EpochMetricsRecorder recorder = new EpochMetricsRecorder(storage, "a");
        recorder.recordTestAccuracy(0, 0.5);
        recorder.recordTestAccuracy(2, 0.75);
        recorder.recordTestAccuracy(1, 0.625);
        Map<String, Double> loss = new HashMap<>();
        loss.put("testLoss", 0.3);
        recorder.record(2, loss);
        new EpochMetricsRecorder(storage, "metrics-only").recordTestAccuracy(0, 0.25);
        module.onAttach(storage);

        JsonNode data = ok(null, null);
        JsonNode a = session(data, "a");
        assertThat(ints(a.get("epochs"))).containsExactly(0, 1, 2);
        assertThat(floats(a.get("epochMetrics").get("testAccuracy"))).containsExactly(0.5f, 0.625f, 0.75f);
        float[] testLoss = floats(a.get("epochMetrics").get("testLoss"));
        assertThat(testLoss[0]).isNaN();
        assertThat(testLoss[2]).isEqualTo(0.3f);

        JsonNode metricsOnly = session(data, "metrics-only");
        assertThat(metricsOnly.get("iterations")).isEmpty();
        assertThat(metricsOnly.get("hasLearningRate").asBoolean()).isFalse();
        assertThat(floats(metricsOnly.get("epochMetrics").get("testAccuracy"))).containsExactly(0.25f);
    }

    @Test
    void equalSessionIdsOfTwoStoragesAreLabelledApartAndDetachRemovesThem() {
        StatsStorage first = new InMemoryStatsStorage();
        StatsStorage second = new InMemoryStatsStorage();
        for (StatsStorage storage : new StatsStorage[] {first, second}) {
            start(storage, "run", "w0", 1);
            report(storage, "run", "w0", 5, 0, 1.0, rates(0.1, null));
        }
        module.onAttach(first);
        module.onAttach(second);
        module.onAttach(second); // attaching twice changes nothing

        assertThat(ok(null, null).get("sessions")).extracting(s -> s.get("label").asText())
                .containsExactly("run", "run (2)");

        module.onDetach(first);
        assertThat(ok(null, null).get("sessions")).extracting(s -> s.get("label").asText()).containsExactly("run");
    }

    @Test
    void sessionIdsAreEscapedInJson() {
        StatsStorage storage = new InMemoryStatsStorage();
        String id = "quote\" back\\slash\nnew line \u0001 <tag>";
        start(storage, id, "w0", 1);
        report(storage, id, "w0", 5, 0, Double.NaN, rates(0.1, null));
        module.onAttach(storage);

        JsonNode session = session(ok(null, null), id);
        assertThat(session.get("score").get(0).isNull()).as("NaN score -> null").isTrue();
    }

    @Test
    void aSessionWithTheExactRecordIsDrawnFromItInsteadOfStatsListenersSamples() {
        StatsStorage storage = new InMemoryStatsStorage();
        // StatsListener's reports of the run: float32-rounded rates, every second iteration
        start(storage, "run", "stats", 1_000);
        for (int i = 0; i < 20; i += 2) {
            report(storage, "run", "stats", 1_000 + i, i, 9.0, rates((float) (0.1 / 3), null));
        }
        // the recorder's exact rows of the same run, written as the examples and the Spark loop write them
        io.github.lrschedules.record.LearningRateTable table = new io.github.lrschedules.record.LearningRateTable();
        table.keys(java.util.List.of("0_W"));
        for (int i = 0; i < 20; i++) {
            table.append(i, 0, 1.0 / (i + 1), new double[] {0.1 / 3 * (20 - i) / 20});
        }
        LearningRateReports.write(table, storage, "run", LearningRateReports.WORKER_ID, 5_000, 0);
        module.onAttach(storage);

        JsonNode run = session(ok("0_W", null), "run");
        assertThat(ints(run.get("iterations"))).hasSize(20).startsWith(0, 1, 2);
        float[] lr = floats(run.get("lr").get("0_W"));
        float[] score = floats(run.get("score"));
        for (int i = 0; i < 20; i++) {
            assertThat(lr[i]).isEqualTo((float) (0.1 / 3 * (20 - i) / 20));
            assertThat(score[i]).isEqualTo((float) (1.0 / (i + 1)));
        }
    }
}
