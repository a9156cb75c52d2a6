package io.github.lrschedules.examples.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.examples.model.ModelKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.core.storage.StorageMetaData;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.api.StatsReport;
import org.deeplearning4j.ui.model.stats.api.StatsType;
import org.deeplearning4j.ui.model.stats.impl.DefaultStatsUpdateConfiguration;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * {@code compare}'s StatsListener initializes once per run (DL4J's initializes at iteration 0 and again at 1), reports
 * at the same iterations as DL4J's, and collects what DL4J's overview and model pages draw: parameter and update mean
 * magnitudes, the updates' standard deviation (its own, faster, within 0.01% of DL4J's at every report), learning
 * rates, score; not the parameters' mean or standard deviation.
 */
class StatsListenerSetupTest {

    @Test
    void initializesOnceReportsAtTheSameIterationsAndCollectsWhatThePagesDraw() {
        Counting ours = new Counting();
        Counting theirs = new Counting();
        train(new Trainer.CompareStatsListener(ours, Trainer.statsConfiguration(4), "s"));
        // DL4J's own listener, computing the updates' standard deviation itself
        train(new StatsListener(theirs, null, new DefaultStatsUpdateConfiguration.Builder().reportingFrequency(4)
                .collectHistogramsParameters(false).collectHistogramsUpdates(false).collectStdevUpdates(true).build(),
                "s", "0"));

        assertThat(theirs.staticInfos).as("DL4J's own: initialized at iteration 0 and at 1").isEqualTo(2);
        assertThat(ours.staticInfos).isEqualTo(1);
        assertThat(iterations(ours)).isEqualTo(iterations(theirs)).containsExactly(4, 8, 12, 16, 20);

        StatsReport report = (StatsReport) ours.updates.get(ours.updates.size() - 1);
        assertThat(report.getMeanMagnitudes(StatsType.Parameters)).containsKeys("0_W", "0_b", "2_W");
        assertThat(report.getMeanMagnitudes(StatsType.Updates)).containsKeys("0_W", "2_W");
        for (int r = 0; r < ours.updates.size(); r++) {
            Map<String, Double> fast = ((StatsReport) ours.updates.get(r)).getStdev(StatsType.Updates);
            Map<String, Double> dl4j = ((StatsReport) theirs.updates.get(r)).getStdev(StatsType.Updates);
            assertThat(fast).containsOnlyKeys(dl4j.keySet()).containsKeys("0_W", "0_b", "2_W");
            for (String key : dl4j.keySet()) {
                assertThat(dl4j.get(key)).as("report %d, %s", r, key).isPositive();
                assertThat(fast.get(key)).as("report %d, %s", r, key)
                        .isCloseTo(dl4j.get(key), org.assertj.core.data.Percentage.withPercentage(1e-2));
            }
        }
        // StatsListener stores float32
        assertThat(report.getLearningRates().get("0_W")).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-7));
        assertThat(report.getScore()).isFinite();
        assertThat(report.getMean(StatsType.Parameters)).isNullOrEmpty();
        assertThat(report.getStdev(StatsType.Parameters)).isNullOrEmpty();
        assertThat(report.getMean(StatsType.Updates)).isNullOrEmpty();
    }

    private static void train(StatsListener listener) {
        MultiLayerNetwork net = ModelKind.MLP.build(new Sgd(0.1), 42, DataType.FLOAT, WorkspaceMode.ENABLED, 28, 28,
                10);
        net.setListeners(listener);
        Nd4j.getRandom().setSeed(1);
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 16, 784),
                Nd4j.eye(10).castTo(DataType.FLOAT).getRows(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5));
        for (int i = 0; i < 21; i++) {
            net.fit(batch);
        }
    }

    private static List<Integer> iterations(Counting router) {
        List<Integer> its = new ArrayList<>();
        for (Persistable p : router.updates) {
            its.add(((StatsReport) p).getIterationCount());
        }
        return its;
    }

    /** A real in-memory storage that counts what it is sent. */
    private static final class Counting implements StatsStorageRouter {
        final InMemoryStatsStorage storage = new InMemoryStatsStorage();
        final List<Persistable> updates = new ArrayList<>();
        int staticInfos;

        @Override
        public void putStorageMetaData(StorageMetaData m) {
            storage.putStorageMetaData(m);
        }

        @Override
        public void putStorageMetaData(Collection<? extends StorageMetaData> m) {
            storage.putStorageMetaData(m);
        }

        @Override
        public void putStaticInfo(Persistable p) {
            staticInfos++;
            storage.putStaticInfo(p);
        }

        @Override
        public void putStaticInfo(Collection<? extends Persistable> p) {
            staticInfos += p.size();
            storage.putStaticInfo(p);
        }

        @Override
        public void putUpdate(Persistable p) {
            updates.add(p);
            storage.putUpdate(p);
        }

        @Override
        public void putUpdate(Collection<? extends Persistable> p) {
            updates.addAll(p);
            storage.putUpdate(p);
        }
    }
}
