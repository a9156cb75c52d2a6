package io.github.lrschedules.examples.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.examples.model.ModelKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsReport;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The stats file is written off the training thread: the reports arrive in the order sent, {@link StatsReplay#flush()}
 * waits for them, a failed write is reported, and a checkpoint (which counts the reports sent) lands only after the
 * file holds them, so that a resumed run neither loses nor repeats a report.
 */
class StatsReplayTest {

    private static final String SESSION = "warmcosine";

    @TempDir
    Path dir;

    @Test
    void reportsArriveInOrderAndFlushWaitsForThem() {
        SlowStorage storage = new SlowStorage(20);
        StatsReplay replay = new StatsReplay(storage);
        for (int i = 0; i < 10; i++) {
            replay.putUpdate(report(i));
        }
        assertThat(replay.counts()).containsEntry(SESSION + "/" + StatsListener.TYPE_ID + "/0", 10);
        replay.flush();
        assertThat(storage.iterations).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        replay.close();
        assertThat(storage.getNumUpdateRecordsFor(SESSION, StatsListener.TYPE_ID, "0")).isEqualTo(10);
    }

    @Test
    void aFailedWriteIsReportedAndStopsLaterWrites() {
        SlowStorage storage = new SlowStorage(0);
        storage.failAt = 1;
        StatsReplay replay = new StatsReplay(storage);
        replay.putUpdate(report(0));
        replay.putUpdate(report(1));
        replay.putUpdate(report(2));
        assertThatThrownBy(replay::flush).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot write the training reports").hasMessageContaining("disk full");
        assertThat(storage.iterations).containsExactly(0);
        assertThatThrownBy(() -> replay.putUpdate(report(3))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("disk full");
    }

    @Test
    void theCheckpointLandsAfterTheReportsItCounts() throws Exception {
        SlowStorage storage = new SlowStorage(1500);
        StatsReplay replay = new StatsReplay(storage);
        RunJournal journal = RunJournal.start(dir, replay, new RunManifest("test", "compare", List.of(),
                List.of("test")));
        MultiLayerNetwork net = ModelKind.MLP.build(new Sgd(0.1), 42, DataType.FLOAT, WorkspaceMode.ENABLED, 28, 28,
                10);
        replay.putUpdate(report(0));
        long start = System.nanoTime();
        journal.save(net);
        assertThat((System.nanoTime() - start) / 1e6).as("the training thread does not wait for the stats file")
                .isLessThan(1500);
        Path file = RunJournal.file(dir);
        while (!Files.exists(file)) {
            // the moment the checkpoint appears, the file must hold the report it counts
            Thread.sleep(1);
        }
        assertThat(storage.iterations).containsExactly(0);
        journal.runDone();
        RunJournal reopened = RunJournal.open(dir, new StatsReplay(storage));
        assertThat(reopened.complete()).isTrue();
    }

    private static Persistable report(int iteration) {
        SbeStatsReport report = new SbeStatsReport();
        report.reportIDs(SESSION, StatsListener.TYPE_ID, "0", 1000L + iteration);
        report.reportIterationCount(iteration);
        report.reportScore(1.0 / (iteration + 1));
        return report;
    }

    /** An in-memory storage that takes its time for every update and records their iterations. */
    private static final class SlowStorage extends InMemoryStatsStorage {
        final List<Integer> iterations = new ArrayList<>();
        final long millis;
        int failAt = -1;

        SlowStorage(long millis) {
            this.millis = millis;
        }

        @Override
        public void putUpdate(Persistable update) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (iterations.size() == failAt) {
                throw new IllegalStateException("disk full");
            }
            super.putUpdate(update);
            synchronized (iterations) {
                iterations.add(((SbeStatsReport) update).getIterationCount());
            }
        }
    }
}
