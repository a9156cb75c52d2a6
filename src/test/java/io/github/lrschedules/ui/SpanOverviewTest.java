package io.github.lrschedules.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.record.Hyperparameter;
import io.github.lrschedules.record.LearningRateTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;

/**
 * A session long enough to be read from overviews, written an epoch (1,000 rows) at a time as a run writes it: one
 * overview per span of {@link LearningRateReports#SPAN_ROWS} rows ({@link LearningRateBlock#OVERVIEW_TYPE_ID}, written
 * again while the span fills) stands for the blocks in it, so that a page opening the session reads one record per
 * span, not one per block; the rows read are the recorded ones, every iteration is counted once while the page polls
 * (the latest overview is written again at every epoch), and a run continued from a checkpoint (its rows written from
 * 0 again under a later start) loses none of the rows before it.
 */
class SpanOverviewTest {

    private static final int EPOCH = 1_000;
    /** Few rows kept per session, so that a session of a few spans is read from overviews. */
    private static final int MAX_ROWS = 500;

    /** A real in-memory storage that counts the records it hands out, by type. */
    private static final class CountingStorage extends InMemoryStatsStorage {
        final Map<String, Integer> read = new HashMap<>();

        @Override
        public List<Persistable> getAllUpdatesAfter(String sessionID, String typeID, String workerID,
                                                    long timestamp) {
            return counted(typeID, super.getAllUpdatesAfter(sessionID, typeID, workerID, timestamp));
        }

        @Override
        public List<Persistable> getUpdates(String sessionID, String typeID, String workerID, long[] timestamps) {
            return counted(typeID, super.getUpdates(sessionID, typeID, workerID, timestamps));
        }

        private List<Persistable> counted(String typeID, List<Persistable> records) {
            read.merge(typeID, records.size(), Integer::sum);
            return records;
        }
    }

    /** Rate: steps at {@code step} and {@code secondStep}; bias: a cosine; momentum: a step at {@code momentumStep}. */
    private static double rate(int iteration, int step, int secondStep) {
        return iteration < step ? 0.1 : iteration < secondStep ? 0.01 : 0.001;
    }

    private static void append(LearningRateTable table, int iteration, int epoch, int step, int secondStep,
                               int momentumStep, int length) {
        double bias = 0.2 * (1 + Math.cos(Math.PI * iteration / length)) / 2;
        table.append(iteration, epoch, 2.0 / (1 + iteration), new double[] {rate(iteration, step, secondStep), bias},
                new double[] {iteration < momentumStep ? 0.9 : 0.95});
    }

    private static LearningRateTable newTable() {
        LearningRateTable table = new LearningRateTable();
        table.keys(List.of("0_W", "0_b"), List.of(Hyperparameter.MOMENTUM.key("0_W")));
        return table;
    }

    @Test
    void aLongSessionWrittenEpochByEpochIsReadFromItsSpansWithEveryIterationCountedOnce() {
        int rows = 3 * LearningRateReports.SPAN_ROWS + 20_000; // 216,608
        int step = 70_123; // in the second span, inside a block that straddles nothing
        int momentumStep = 2 * LearningRateReports.SPAN_ROWS + 9_001; // in the third span
        int tailStep = 3 * LearningRateReports.SPAN_ROWS + 10_500; // after the last span: in a block overview
        CountingStorage storage = new CountingStorage();
        StorageReader polling = new StorageReader(storage, MAX_ROWS);
        LearningRateTable growing = newTable();
        int written = 0;
        for (int r = 0; r < rows; r++) {
            append(growing, r, r / EPOCH, step, tailStep, momentumStep, rows);
            if ((r + 1) % EPOCH == 0 || r + 1 == rows) {
                LearningRateReports.write(growing, storage, "run", LearningRateReports.WORKER_ID, 1_000_000, written);
                written = growing.size();
                SessionSeries now = polling.refresh().get(0);
                assertThat(now.reportedIterations()).as("after %d rows", written).isEqualTo(written);
                assertThat(now.size()).isLessThanOrEqualTo(MAX_ROWS);
            }
        }
        assertThat(storage.getAllUpdateTimes("run", LearningRateBlock.OVERVIEW_TYPE_ID, LearningRateReports.WORKER_ID))
                .hasSize(4);
        assertThat(storage.getAllUpdateTimes("run", LearningRateBlock.TYPE_ID, LearningRateReports.WORKER_ID))
                .hasSize(217);

        // a page opening the finished session reads the overviews of its 4 spans, not its 217 blocks
        storage.read.clear();
        SessionSeries opened = new StorageReader(storage, MAX_ROWS).refresh().get(0);
        assertThat(storage.read).containsOnly(Map.entry(LearningRateBlock.OVERVIEW_TYPE_ID, 4));

        for (SessionSeries session : List.of(opened, polling.refresh().get(0))) {
            assertThat(session.reportedIterations()).isEqualTo(rows);
            assertThat(session.size()).isBetween(MAX_ROWS / 2, MAX_ROWS);
            int[] kept = Arrays.copyOf(session.iterations(), session.size());
            assertThat(kept).startsWith(0).endsWith(rows - 1).doesNotHaveDuplicates().isSorted()
                    .contains(step - 1, step, momentumStep - 1, momentumStep, tailStep - 1, tailStep);
            float[] sent = session.learningRates().get("0_W");
            float[] bias = session.learningRates().get("0_b");
            float[] momentum = session.learningRates().get(Hyperparameter.MOMENTUM.key("0_W"));
            for (int k = 0; k < kept.length; k++) {
                int i = kept[k];
                assertThat(sent[k]).isEqualTo((float) rate(i, step, tailStep));
                assertThat(bias[k]).isEqualTo((float) (0.2 * (1 + Math.cos(Math.PI * i / rows)) / 2));
                assertThat(momentum[k]).isEqualTo(i < momentumStep ? 0.9f : 0.95f);
            }
        }
    }

    @Test
    void aRunContinuedFromACheckpointWritesItsRowsAgainFromZeroAndTheRowsBeforeItStay() {
        // the first process: 1.5 spans; the second continues at the next iteration with a new recorder and start
        int first = LearningRateReports.SPAN_ROWS + 40_000;
        int second = 2 * LearningRateReports.SPAN_ROWS + 3_000;
        int total = first + second;
        int step = first - 2_500; // in the first process's rows after its last span; a second step where it ends
        CountingStorage storage = new CountingStorage();
        StorageReader polling = new StorageReader(storage, MAX_ROWS);
        long start = 1_000_000;
        int iteration = 0;
        for (int[] process : new int[][] {{first}, {second}}) {
            LearningRateTable growing = newTable();
            int written = 0;
            for (int r = 0; r < process[0]; r++, iteration++) {
                append(growing, iteration, iteration / EPOCH, step, first, total, total);
                if ((r + 1) % EPOCH == 0 || r + 1 == process[0]) {
                    LearningRateReports.write(growing, storage, "run", LearningRateReports.WORKER_ID, start, written);
                    written = growing.size();
                    assertThat(polling.refresh().get(0).reportedIterations()).isEqualTo(iteration + 1);
                }
            }
            start += 10L * process[0]; // a millisecond per iteration at least
        }
        List<SessionSeries> sessions = new ArrayList<>(List.of(polling.refresh().get(0),
                new StorageReader(storage, MAX_ROWS).refresh().get(0)));
        for (SessionSeries session : sessions) {
            assertThat(session.reportedIterations()).isEqualTo(total);
            int[] kept = Arrays.copyOf(session.iterations(), session.size());
            assertThat(kept).startsWith(0).endsWith(total - 1).doesNotHaveDuplicates()
                    .contains(step - 1, step, first - 1, first);
            float[] sent = session.learningRates().get("0_W");
            for (int k = 0; k < kept.length; k++) {
                assertThat(sent[k]).isEqualTo((float) rate(kept[k], step, first));
            }
        }
    }
}
