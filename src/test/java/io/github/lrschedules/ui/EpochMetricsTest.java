package io.github.lrschedules.ui;

import static io.github.lrschedules.ui.StatsFixtures.floats;
import static io.github.lrschedules.ui.StatsFixtures.ints;
import static io.github.lrschedules.ui.StatsFixtures.json;
import static io.github.lrschedules.ui.StatsFixtures.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.record.EpochMetricsRecorder;
import io.github.lrschedules.record.EpochMetricsReport;
import io.github.lrschedules.record.TestAccuracyListener;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.shade.jackson.databind.JsonNode;

/** The per-epoch metrics convention: {@link EpochMetricsReport}, {@link EpochMetricsRecorder}, {@link TestAccuracyListener}. */
class EpochMetricsTest {

    @TempDir
    Path temp;

    @Test
    void reportRoundTripsThroughEveryEncoding() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("testAccuracy", 0.875);
        metrics.put("testLoss", Double.NaN);
        metrics.put("ünïcödé", 1e-300);
        EpochMetricsReport report = new EpochMetricsReport("session \"x\"", "worker", 1_234_567_890_123L, 7, metrics);

        EpochMetricsReport fromBytes = new EpochMetricsReport();
        fromBytes.decode(report.encode());
        assertThat(fromBytes).isEqualTo(report).hasSameHashCodeAs(report);
        assertThat(fromBytes.getMetrics()).containsOnlyKeys("testAccuracy", "testLoss", "ünïcödé");
        assertThat(fromBytes.getMetrics().get("testLoss")).isNaN();

        ByteBuffer buffer = ByteBuffer.allocate(report.encodingLengthBytes());
        report.encode(buffer);
        buffer.flip();
        EpochMetricsReport fromBuffer = new EpochMetricsReport();
        fromBuffer.decode(buffer);
        assertThat(fromBuffer).isEqualTo(report);

        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        report.encode(stream);
        EpochMetricsReport fromStream = new EpochMetricsReport();
        fromStream.decode(new ByteArrayInputStream(stream.toByteArray()));
        assertThat(fromStream).isEqualTo(report);
        assertThat(fromStream.getTypeID()).isEqualTo(EpochMetricsReport.TYPE_ID);
        assertThat(fromStream.getEpoch()).isEqualTo(7);
        assertThat(fromStream.toString()).contains("epoch=7", "testAccuracy=0.875");

        assertThatThrownBy(() -> new EpochMetricsReport().decode(new byte[] {0, 0, 0, 9}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not an EpochMetricsReport encoding");
    }

    @Test
    void badArgumentsAreRejectedWithTheValue() {
        StatsStorage storage = new InMemoryStatsStorage();
        assertThatThrownBy(() -> new EpochMetricsRecorder(null, "a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("router must not be null");
        assertThatThrownBy(() -> new EpochMetricsRecorder(storage, ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sessionId () must not be null or empty");
        EpochMetricsRecorder recorder = new EpochMetricsRecorder(storage, "a");
        assertThatThrownBy(() -> recorder.recordTestAccuracy(0, 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("accuracy (1.5) must be in [0, 1]");
        assertThatThrownBy(() -> recorder.recordTestAccuracy(0, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("accuracy (NaN) must be in [0, 1]");
        assertThatThrownBy(() -> recorder.recordTestAccuracy(-1, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("epoch (-1) must be >= 0");
        assertThatThrownBy(() -> recorder.record(0, Collections.emptyMap()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("metrics ({}) must not be null or empty");
        assertThatThrownBy(() -> new EpochMetricsReport("s", "w", 0, 0, Collections.singletonMap("", 1.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metric names must not be null or empty");
    }

    @Test
    void reportsRecordedWithinOneMillisecondAllSurviveAFileStorage() throws Exception {
        File file = temp.resolve("metrics.dl4j").toFile();
        StatsStorage writing = new FileStatsStorage(file);
        EpochMetricsRecorder recorder = new EpochMetricsRecorder(writing, "fast");
        int epochs = 200; // far more than fit in the milliseconds this loop takes
        for (int epoch = 0; epoch < epochs; epoch++) {
            recorder.recordTestAccuracy(epoch, epoch / (double) epochs);
        }
        writing.close();

        StatsStorage reading = new FileStatsStorage(file);
        try {
            assertThat(reading.listWorkerIDsForSessionAndType("fast", EpochMetricsReport.TYPE_ID))
                    .containsExactly(EpochMetricsRecorder.DEFAULT_WORKER_ID);
            List<Persistable> updates = reading.getAllUpdatesAfter("fast", EpochMetricsReport.TYPE_ID,
                    EpochMetricsRecorder.DEFAULT_WORKER_ID, Long.MIN_VALUE);
            assertThat(updates).hasSize(epochs).allMatch(p -> p instanceof EpochMetricsReport);
            assertThat(updates.stream().map(p -> ((EpochMetricsReport) p).getEpoch()).collect(Collectors.toList()))
                    .isSorted().doesNotHaveDuplicates().hasSize(epochs);

            SchedulesModule module = new SchedulesModule();
            module.onAttach(reading);
            JsonNode session = session(json(module.data(null, null).body), "fast");
            assertThat(ints(session.get("epochs"))).hasSize(epochs).startsWith(0, 1, 2).endsWith(epochs - 1);
            assertThat(floats(session.get("epochMetrics").get("testAccuracy"))[100]).isEqualTo(0.5f);
        } finally {
            reading.close();
        }
    }

    @Test
    void listenerRecordsTestAccuracyAfterEveryEpochOfANetworkAndAGraph() {
        StatsStorage storage = new InMemoryStatsStorage();
        MultiLayerNetwork net = TestNets.mlp(new Sgd(0.1));
        net.setListeners(new StatsListener(storage, 1, "mlp"), new TestAccuracyListener(storage, "mlp", TestData.blobs()));
        TestNets.fitEpochs(net, TestData.blobs(), 3);

        ComputationGraph graph = TestNets.graph(new Adam(0.01));
        graph.setListeners(new TestAccuracyListener(storage, "graph", TestData.blobs()));
        TestNets.fitEpochs(graph, TestData.blobs(), 2);

        SchedulesModule module = new SchedulesModule();
        module.onAttach(storage);
        JsonNode data = json(module.data(null, null).body);
        JsonNode mlp = session(data, "mlp");
        assertThat(ints(mlp.get("epochs"))).containsExactly(0, 1, 2);
        for (float accuracy : floats(mlp.get("epochMetrics").get("testAccuracy"))) {
            assertThat(accuracy).isBetween(0f, 1f);
        }
        assertThat(mlp.get("iterations").size()).isPositive();
        JsonNode graphSession = session(data, "graph");
        assertThat(ints(graphSession.get("epochs"))).containsExactly(0, 1);
        assertThat(graphSession.get("iterations")).as("no StatsListener on the graph").isEmpty();
    }
}
