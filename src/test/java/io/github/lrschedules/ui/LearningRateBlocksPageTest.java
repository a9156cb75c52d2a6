package io.github.lrschedules.ui;

import static io.github.lrschedules.ui.StatsFixtures.floats;
import static io.github.lrschedules.ui.StatsFixtures.ints;
import static io.github.lrschedules.ui.StatsFixtures.json;
import static io.github.lrschedules.ui.StatsFixtures.report;
import static io.github.lrschedules.ui.StatsFixtures.session;
import static io.github.lrschedules.ui.StatsFixtures.start;
import static io.github.lrschedules.ui.StatsFixtures.writePerRowReports;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.record.Hyperparameter;
import io.github.lrschedules.record.LearningRateTable;
import io.github.lrschedules.schedule.CosineRestartsSchedule;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * The Schedules page over {@link LearningRateBlock}s: the same JSON as over the one-report-per-row format of earlier
 * versions (which still reads), the same whether a run was written in one call or epoch by epoch with the page polling
 * in between, blocks replacing {@code StatsListener}'s samples, and a long session thinned on read to a bounded number
 * of rows that keeps the first and last rows, both sides of every step and a grid over the whole run.
 */
class LearningRateBlocksPageTest {

    private static String data(StatsStorage storage, String param, String maxPoints) {
        SchedulesModule module = new SchedulesModule();
        module.onAttach(storage);
        SchedulesModule.Response response = module.data(param, maxPoints);
        assertThat(response.status).as(response.body).isEqualTo(200);
        return response.body;
    }

    /** {@link LearningRateBlockTest#table} with finite scores: float32 reports of earlier versions store NaN too. */
    private static LearningRateTable table(int rows) {
        LearningRateTable table = new LearningRateTable();
        table.keys(List.of("0_W", "0_b", "1_W"),
                List.of(Hyperparameter.MOMENTUM.key("0_W"), Hyperparameter.WEIGHT_DECAY.key("0_W")));
        for (int i = 0; i < rows; i++) {
            double rate = 0.1 / 3 * (1 + Math.cos(Math.PI * i / rows)) / 2;
            double bias = i < 150 ? rate : rate / 7;
            double second = i < rows / 2 ? 0.01 : 0.001;
            double momentum = i < 200 ? 0.85 + 0.1 * i / rows : 0.9;
            table.append(2 * i, i / 40, 2.0 / (1 + i), new double[] {rate, bias, second},
                    new double[] {momentum, 1e-4 / 3});
        }
        return table;
    }

    @Test
    void blocksGiveThePageTheJsonOfTheOldPerRowReportsWhichStillRead() {
        LearningRateTable table = table(400);
        StatsStorage blocks = new InMemoryStatsStorage();
        LearningRateReports.write(table, blocks, "run", LearningRateReports.WORKER_ID, 1_000, 0);
        StatsStorage perRow = new InMemoryStatsStorage();
        writePerRowReports(table, perRow, "run", 1_000);

        for (String param : new String[] {null, "0_b", "1_W"}) {
            for (String maxPoints : new String[] {null, "60"}) {
                assertThat(data(blocks, param, maxPoints)).as("%s, %s", param, maxPoints)
                        .isEqualTo(data(perRow, param, maxPoints));
            }
        }
        // and the old format's values are the recorded ones at float32
        JsonNode old = session(json(data(perRow, "0_b", null)), "run");
        assertThat(old.get("reportedIterations").asInt()).isEqualTo(400);
        int[] iterations = ints(old.get("iterations"));
        float[] bias = floats(old.get("lr").get("0_b"));
        JsonNode weights = session(json(data(perRow, "0_W", null)), "run");
        float[] momentum = floats(weights.get("hyperparameters").get("momentum"));
        assertThat(iterations).hasSize(400);
        for (int r = 0; r < 400; r++) {
            assertThat(iterations[r]).isEqualTo(table.iteration(r));
            assertThat(bias[r]).isEqualTo((float) table.learningRate(1, r));
            assertThat(momentum[r]).isEqualTo((float) table.hyperparameter(0, r));
        }
        assertThat(weights.get("constantHyperparameters").get("weightDecay").floatValue())
                .isEqualTo((float) (1e-4 / 3));
    }

    @Test
    void aRunWrittenEpochByEpochWhileThePagePollsGivesTheDataOfOneWrite() {
        LearningRateTable whole = table(400);
        StatsStorage once = new InMemoryStatsStorage();
        LearningRateReports.write(whole, once, "run", LearningRateReports.WORKER_ID, 1_000, 0);

        StatsStorage live = new InMemoryStatsStorage();
        SchedulesModule module = new SchedulesModule();
        module.onAttach(live);
        LearningRateTable growing = new LearningRateTable();
        growing.keys(whole.parameterKeys(), whole.hyperparameterKeys());
        int written = 0;
        for (int r = 0; r < whole.size(); r++) {
            growing.append(whole.iteration(r), whole.epoch(r), whole.score(r),
                    new double[] {whole.learningRate(0, r), whole.learningRate(1, r), whole.learningRate(2, r)},
                    new double[] {whole.hyperparameter(0, r), whole.hyperparameter(1, r)});
            if (whole.epoch(r) != (r + 1 < whole.size() ? whole.epoch(r + 1) : -1)) {
                LearningRateReports.write(growing, live, "run", LearningRateReports.WORKER_ID, 1_000, written);
                written = growing.size();
                assertThat(session(json(module.data("0_b", null).body), "run").get("reportedIterations").asInt())
                        .isEqualTo(written);
            }
        }
        assertThat(module.data("0_b", null).body).isEqualTo(data(once, "0_b", null));
        assertThat(module.data(null, "50").body).isEqualTo(data(once, null, "50"));
    }

    @Test
    void blocksReplaceStatsListenersSamplesOfTheSameRunOnceTheyAppear() {
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        SchedulesModule module = new SchedulesModule();
        module.onAttach(storage);
        start(storage, "run", "0", 999);
        for (int i = 0; i < 40; i += 4) {
            report(storage, "run", "0", 1_000 + i, i, 3.0, Map.of("0_W", 0.5));
        }
        assertThat(ints(session(json(module.data(null, null).body), "run").get("iterations"))).hasSize(10);

        LearningRateTable table = table(40);
        LearningRateReports.write(table, storage, "run", LearningRateReports.WORKER_ID, 5_000, 0);
        JsonNode run = session(json(module.data(null, null).body), "run");
        assertThat(ints(run.get("iterations"))).hasSize(40).startsWith(0, 2, 4);
        float[] rates = floats(run.get("lr").get("0_W"));
        for (int r = 0; r < 40; r++) {
            assertThat(rates[r]).isEqualTo((float) table.learningRate(0, r));
        }
    }

    @Test
    void aLongSessionIsThinnedOnReadKeepingFirstLastStepsAndAGridOverTheWholeRun() throws Exception {
        int rows = 20_000;
        LearningRateTable table = new LearningRateTable();
        table.keys(List.of("0_W", "0_b"), List.of(Hyperparameter.MOMENTUM.key("0_W")));
        float[] rate = new float[rows];
        for (int i = 0; i < rows; i++) {
            double lr = i < 5_000 ? 0.1 : i < 12_345 ? 0.01 : 0.001;
            double bias = 0.2 * (1 + Math.cos(Math.PI * i / rows)) / 2;
            double momentum = i < 7_777 ? 0.9 : 0.95;
            rate[i] = (float) lr;
            table.append(i, i / 1_000, 1.0, new double[] {lr, bias}, new double[] {momentum});
        }
        int maxRows = 500;
        // read once at the end, and read after every block of 1,000 rows as a page polling a live run does
        InMemoryStatsStorage once = new InMemoryStatsStorage();
        LearningRateReports.write(table, once, "run", LearningRateReports.WORKER_ID, 1_000, 0);
        StorageReader atEnd = new StorageReader(once, maxRows);
        SessionSeries thinned = atEnd.refresh().get(0);

        InMemoryStatsStorage live = new InMemoryStatsStorage();
        StorageReader polling = new StorageReader(live, maxRows);
        LearningRateTable growing = new LearningRateTable();
        growing.keys(table.parameterKeys(), table.hyperparameterKeys());
        for (int r = 0; r < rows; r++) {
            growing.append(r, table.epoch(r), 1.0, new double[] {table.learningRate(0, r), table.learningRate(1, r)},
                    new double[] {table.hyperparameter(0, r)});
            if ((r + 1) % 1_000 == 0) {
                LearningRateReports.write(growing, live, "run", LearningRateReports.WORKER_ID, 1_000, r + 1 - 1_000);
                assertThat(polling.refresh().get(0).size()).isLessThanOrEqualTo(maxRows);
            }
        }
        SessionSeries polled = polling.refresh().get(0);

        for (SessionSeries session : List.of(thinned, polled)) {
            assertThat(session.size()).isBetween(maxRows / 2, maxRows);
            assertThat(session.reportedIterations()).isEqualTo(rows);
            int[] kept = Arrays.copyOf(session.iterations(), session.size());
            assertThat(kept).startsWith(0).endsWith(rows - 1).contains(4_999, 5_000, 12_344, 12_345, 7_776, 7_777);
            float[] sent = session.learningRates().get("0_W");
            float[] bias = session.learningRates().get("0_b");
            float[] momentum = session.learningRates().get(Hyperparameter.MOMENTUM.key("0_W"));
            for (int k = 0; k < kept.length; k++) {
                assertThat(sent[k]).isEqualTo(rate[kept[k]]);
                assertThat(bias[k]).isEqualTo((float) table.learningRate(1, kept[k]));
                assertThat(momentum[k]).isEqualTo((float) table.hyperparameter(0, kept[k]));
            }
            DownsamplerTest.assertLinesBetweenPointsAreExact(rate, kept);
            // a grid over the whole run: no stretch, early or late, left with only a few points
            int widest = 0;
            for (int k = 1; k < kept.length; k++) {
                widest = Math.max(widest, kept[k] - kept[k - 1]);
            }
            assertThat(widest).as("widest gap").isLessThanOrEqualTo(4 * rows / (maxRows / 4));
        }
        JsonNode json = session(json(SchedulesJson.write(List.of(polled), null, 2_000)), "run");
        assertThat(json.get("reportedIterations").asInt()).isEqualTo(rows);
        assertThat(json.get("downsampled").asBoolean()).isTrue();
    }

    @Test
    void theDefaultBoundKeepsWarmRestartsOfALongRunForThePage() throws Exception {
        int rows = 200_000;
        CosineRestartsSchedule sgdr = new CosineRestartsSchedule(ScheduleType.ITERATION, 0.1, 5_000, 2.0, 1e-4);
        LearningRateTable table = new LearningRateTable();
        table.keys(List.of("0_W", "0_b"));
        for (int i = 0; i < rows; i++) {
            double lr = sgdr.valueAt(i, 0);
            table.append(i, i / 1_000, 2.0 / (1 + i), new double[] {lr, 2 * lr});
        }
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        LearningRateReports.write(table, storage, "sgdr", LearningRateReports.WORKER_ID, 1_000, 0);
        SessionSeries read = new StorageReader(storage).refresh().get(0);
        assertThat(read.size()).isLessThanOrEqualTo(StorageReader.MAX_ROWS);
        assertThat(read.reportedIterations()).isEqualTo(rows);

        JsonNode session = session(json(SchedulesJson.write(List.of(read), null, SchedulesJson.DEFAULT_MAX_POINTS)),
                "sgdr");
        int[] kept = ints(session.get("iterations"));
        assertThat(kept.length).isLessThanOrEqualTo(SchedulesJson.DEFAULT_MAX_POINTS);
        assertThat(kept).startsWith(0).endsWith(rows - 1);
        for (int restart : new int[] {5_000, 15_000, 35_000, 75_000, 155_000}) {
            assertThat(kept).as("warm restart").contains(restart - 1, restart);
        }
        float[] sent = floats(session.get("lr").get("0_W"));
        for (int k = 0; k < kept.length; k++) {
            assertThat(sent[k]).isEqualTo((float) table.learningRate(0, kept[k]));
        }
    }
}
