package io.github.lrschedules.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.plateau.ReduceLROnPlateauState;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ScheduleType;

class CheckpointTest {

    @TempDir
    Path tmp;

    /** A state of a user's listener: an epoch count and the last metric. */
    static final class Counter implements Checkpointable<Counter.State> {
        static final class State implements Serializable {
            private static final long serialVersionUID = 1L;
            final int epochs;
            final double last;

            State(int epochs, double last) {
                this.epochs = epochs;
                this.last = last;
            }
        }

        int epochs;
        double last;

        @Override
        public String checkpointKey() {
            return "counter";
        }

        @Override
        public State state() {
            return new State(epochs, last);
        }

        @Override
        public void restore(State state) {
            epochs = state.epochs;
            last = state.last;
        }
    }

    private static MultiLayerNetwork trainedMlp(ReduceLROnPlateauListener plateau, int epochs) {
        MultiLayerNetwork net = TestNets.mlp(new Adam(new WarmupCosineSchedule(ScheduleType.ITERATION, 0.05, 4, 80,
                0.001, 0.0)));
        if (plateau != null) {
            net.setListeners(plateau);
        }
        DataSetIterator data = TestData.blobs();
        for (int e = 0; e < epochs; e++) {
            net.fit(data);
        }
        return net;
    }

    private static ReduceLROnPlateauListener plateau() {
        return ReduceLROnPlateauListener.builder().factor(0.5).patience(0).threshold(0.6).build();
    }

    @ParameterizedTest
    @EnumSource(Checkpoint.Compression.class)
    void modelUpdaterCountsAndStatesRoundTripThroughDl4jAndTheCheckpoint(Checkpoint.Compression compression)
            throws IOException {
        ReduceLROnPlateauListener plateau = plateau();
        MultiLayerNetwork net = trainedMlp(plateau, 5);
        assertThat(plateau.history()).as("a reduction to carry over").isNotEmpty();
        Counter counter = new Counter();
        counter.epochs = 5;
        counter.last = 0.25;
        Path file = tmp.resolve("run/checkpoint.zip");
        Checkpoint.of(net).state(plateau).state(counter).object("note", "five epochs").compression(compression)
                .write(file);

        MultiLayerNetwork dl4j = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        MultiLayerNetwork ours = Checkpoint.restoreMultiLayerNetwork(file);
        for (MultiLayerNetwork restored : List.of(dl4j, ours)) {
            assertThat(restored.params()).isEqualTo(net.params());
            assertThat(restored.getUpdater().getStateViewArray()).isEqualTo(net.getUpdater().getStateViewArray());
            assertThat(restored.getIterationCount()).isEqualTo(40);
            assertThat(restored.getEpochCount()).isEqualTo(5);
            assertThat(restored.getLayerWiseConfigurations()).isEqualTo(net.getLayerWiseConfigurations());
        }
        assertThat(Checkpoint.keys(file)).containsExactly("counter", "note", "reduceLROnPlateau");
        assertThat((ReduceLROnPlateauState) ModelSerializer.getObjectFromFile(file.toFile(), "reduceLROnPlateau"))
                .isEqualTo(plateau.state());
        assertThat(Checkpoint.object(file, "note", String.class)).isEqualTo("five epochs");

        ReduceLROnPlateauListener restoredPlateau = plateau();
        Counter restoredCounter = new Counter();
        Checkpoint.restore(file, restoredPlateau, restoredCounter);
        assertThat(restoredPlateau.state()).isEqualTo(plateau.state());
        assertThat(restoredCounter.epochs).isEqualTo(5);
        assertThat(restoredCounter.last).isEqualTo(0.25);

        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                names.add(entry.getName());
                assertThat(entry.getMethod()).as(entry.getName()).isEqualTo(
                        compression == Checkpoint.Compression.NONE ? ZipEntry.STORED : ZipEntry.DEFLATED);
            }
            assertThat(names).as("one flat zip, model first").containsExactly("configuration.json",
                    "coefficients.bin", "updaterState.bin", "objects/reduceLROnPlateau", "objects/counter",
                    "objects/note");
        }
        try (Stream<Path> left = Files.list(file.getParent())) {
            assertThat(left).as("no temporary file left").containsExactly(file);
        }
    }

    /** The model entries hold exactly the bytes ModelSerializer writes: its layout, not a look-alike. */
    @Test
    void modelEntriesAreByteForByteThoseOfModelSerializer() throws IOException {
        MultiLayerNetwork net = trainedMlp(null, 2);
        Path ours = tmp.resolve("ours.zip");
        Path theirs = tmp.resolve("theirs.zip");
        Checkpoint.of(net).write(ours);
        ModelSerializer.writeModel(net, theirs.toFile(), true);
        assertThat(entries(ours)).containsOnlyKeys("configuration.json", "coefficients.bin", "updaterState.bin");
        Map<String, byte[]> expected = entries(theirs);
        entries(ours).forEach((name, bytes) -> assertThat(bytes).as(name).isEqualTo(expected.get(name)));

        ComputationGraph graph = TestNets.graph(new Nesterovs(0.05, 0.9));
        graph.fit(TestData.blobs());
        Checkpoint.of(graph).compression(Checkpoint.Compression.NONE).write(ours);
        ModelSerializer.writeModel(graph, theirs.toFile(), true);
        Map<String, byte[]> graphExpected = entries(theirs);
        assertThat(entries(ours)).containsOnlyKeys(graphExpected.keySet().toArray(new String[0]));
        entries(ours).forEach((name, bytes) -> assertThat(bytes).as(name).isEqualTo(graphExpected.get(name)));
        ComputationGraph restored = Checkpoint.restoreComputationGraph(ours);
        assertThat(restored.params()).isEqualTo(graph.params());
        assertThat(restored.getUpdater().getStateViewArray()).isEqualTo(graph.getUpdater().getStateViewArray());
    }

    @Test
    void aSnapshotHoldsTheMomentItWasTakenWhateverTrainingDoesBeforeItIsWritten() throws IOException {
        MultiLayerNetwork net = trainedMlp(null, 1);
        Counter counter = new Counter();
        counter.epochs = 1;
        MultiLayerNetwork copy = net.clone();
        Checkpoint.Snapshot snapshot = Checkpoint.of(net).state(counter).snapshot();
        net.fit(TestData.blobs());
        counter.epochs = 2;
        Path file = tmp.resolve("snapshot.zip");
        snapshot.write(file);

        MultiLayerNetwork restored = Checkpoint.restoreMultiLayerNetwork(file);
        assertThat(restored.params()).isEqualTo(copy.params()).isNotEqualTo(net.params());
        assertThat(restored.getIterationCount()).isEqualTo(8);
        Counter back = new Counter();
        Checkpoint.restore(file, back);
        assertThat(back.epochs).isEqualTo(1);
    }

    @Test
    void aStateAddedToASnapshotLaterIsWrittenWithTheNetworkOfTheSnapshotsMoment() throws IOException {
        MultiLayerNetwork net = trainedMlp(null, 1);
        MultiLayerNetwork copy = net.clone();
        Counter early = new Counter();
        early.epochs = 1;
        Checkpoint.Snapshot snapshot = Checkpoint.of(net).state(early).snapshot();
        net.fit(TestData.blobs());
        Counter late = new Counter();
        late.epochs = 7;
        Checkpoint.Snapshot completed = snapshot.with(late);
        assertThat(completed.keys()).containsExactlyElementsOf(snapshot.keys());
        late.epochs = 9;
        Path file = tmp.resolve("completed.zip");
        completed.write(file);
        Path unchanged = tmp.resolve("unchanged.zip");
        snapshot.write(unchanged);

        assertThat(Checkpoint.restoreMultiLayerNetwork(file).params()).isEqualTo(copy.params());
        Counter back = new Counter();
        Checkpoint.restore(file, back);
        assertThat(back.epochs).as("the state as it was when added, replacing the snapshot's").isEqualTo(7);
        Checkpoint.restore(unchanged, back);
        assertThat(back.epochs).isEqualTo(1);
        assertThatThrownBy(() -> snapshot.with(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("state");
    }

    /** Serializable on the outside, not inside: the write fails midway through the objects. */
    static final class Broken implements Serializable {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unused")
        final Object inside = new Object();
    }

    @Test
    void aFailedWriteOrUpdateLeavesThePreviousCheckpointIntactAndNoTemporaryFile() throws IOException {
        MultiLayerNetwork net = trainedMlp(null, 1);
        Path file = tmp.resolve("checkpoint.zip");
        Checkpoint.of(net).object("epoch", 1).write(file);
        byte[] before = Files.readAllBytes(file);
        net.fit(TestData.blobs());

        assertThatThrownBy(() -> Checkpoint.of(net).object("epoch", 2).object("broken", new Broken()).write(file))
                .isInstanceOf(IOException.class).hasMessageContaining("\"broken\"")
                .hasCauseInstanceOf(NotSerializableException.class);
        Checkpointable<Serializable> brokenState = new Checkpointable<>() {
            @Override
            public String checkpointKey() {
                return "broken";
            }

            @Override
            public Serializable state() {
                return new Broken();
            }

            @Override
            public void restore(Serializable state) {
            }
        };
        assertThatThrownBy(() -> Checkpoint.update(file, brokenState)).isInstanceOf(IOException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).containsExactly(file);
        }
        assertThat(Checkpoint.object(file, "epoch", Integer.class)).isEqualTo(1);
    }

    @Test
    void updateAddsAndReplacesStatesInAModelSerializerZip() throws IOException {
        MultiLayerNetwork net = trainedMlp(null, 1);
        Path file = tmp.resolve("model.zip");
        ModelSerializer.writeModel(net, file.toFile(), true);
        ModelSerializer.addObjectToFile(file.toFile(), "other", "kept");
        Counter counter = new Counter();
        counter.epochs = 3;
        Checkpoint.update(file, counter);
        counter.epochs = 4;
        Checkpoint.update(file, counter);
        assertThat(Checkpoint.keys(file)).containsExactly("counter", "other");
        Counter back = new Counter();
        Checkpoint.restore(file, back);
        assertThat(back.epochs).isEqualTo(4);
        assertThat((String) ModelSerializer.getObjectFromFile(file.toFile(), "other")).isEqualTo("kept");
        assertThat(ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true).params()).isEqualTo(net.params());
    }

    @Test
    void badInputIsRefusedNamingTheArgumentTheKeyAndTheFile() throws IOException {
        MultiLayerNetwork net = trainedMlp(null, 1);
        assertThatThrownBy(() -> Checkpoint.of(net).object("coefficients.bin", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key (coefficients.bin)");
        assertThatThrownBy(() -> Checkpoint.of(net).object("a", 1).object("a", 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key (a) is given twice");
        assertThatThrownBy(() -> Checkpoint.of(net).object("", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key");
        assertThatThrownBy(() -> Checkpoint.of(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model must be a MultiLayerNetwork or a ComputationGraph");

        Path file = tmp.resolve("c.zip");
        Checkpoint.of(net).object("note", "x").write(file);
        assertThatThrownBy(() -> Checkpoint.restore(file, new Counter()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no object \"counter\"").hasMessageContaining("[note]")
                .hasMessageContaining(file.toString());
        assertThatThrownBy(() -> Checkpoint.object(file, "note", Integer.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.String");
        assertThatThrownBy(() -> Checkpoint.keys(tmp.resolve("missing.zip")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.zip) is not a file");
        Path text = Files.writeString(tmp.resolve("text.zip"), "not a zip");
        assertThatThrownBy(() -> Checkpoint.keys(text)).isInstanceOf(IOException.class)
                .hasMessageContaining("is not a zip file");
    }

    /**
     * A checkpoint written by 1.0.0's {@code ReduceLROnPlateauListener.checkpoint} after 4 epochs loads through the
     * checkpoint class, and the run continues bit for bit as 1.0.0 continued it (the file after 7 epochs).
     */
    @Test
    void aOnePointZeroPlateauCheckpointRestoresAndContinuesBitForBit() throws Exception {
        Path saved = resource("plateau-checkpoint-1.0.0.zip");
        Path continued = resource("plateau-continued-1.0.0.zip");

        MultiLayerNetwork net = Checkpoint.restoreMultiLayerNetwork(saved);
        ReduceLROnPlateauListener plateau = plateau();
        Checkpoint.restore(saved, plateau);
        assertThat(plateau.history()).hasSize(1);
        ReduceLROnPlateauListener viaListener = plateau();
        viaListener.restoreState(saved.toFile());
        assertThat(viaListener.state()).isEqualTo(plateau.state());

        net.setListeners(plateau);
        DataSetIterator data = TestData.blobs();
        for (int e = 0; e < 3; e++) {
            net.fit(data);
        }
        MultiLayerNetwork expected = ModelSerializer.restoreMultiLayerNetwork(continued.toFile(), true);
        ReduceLROnPlateauState expectedState = ModelSerializer.getObjectFromFile(continued.toFile(),
                ReduceLROnPlateauListener.STATE_KEY);
        assertThat(net.params()).isEqualTo(expected.params());
        assertThat(net.getUpdater().getStateViewArray()).isEqualTo(expected.getUpdater().getStateViewArray());
        assertThat(net.getIterationCount()).isEqualTo(expected.getIterationCount()).isEqualTo(56);
        assertThat(plateau.state()).isEqualTo(expectedState);
        assertThat(plateau.history()).hasSize(3);
        assertThat(plateau.trackerState().getReductions()).isEqualTo(3);

        // and what 1.x writes now restores the same way
        Path rewritten = tmp.resolve("rewritten.zip");
        plateau.checkpoint(net, rewritten.toFile());
        assertThat(Checkpoint.restoreMultiLayerNetwork(rewritten).params()).isEqualTo(expected.params());
        ReduceLROnPlateauListener again = plateau();
        again.restoreState(rewritten.toFile());
        assertThat(again.history()).isEqualTo(plateau.history());
    }

    private static Path resource(String name) throws URISyntaxException {
        return Paths.get(CheckpointTest.class.getResource(name).toURI());
    }

    private static Map<String, byte[]> entries(Path file) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                try (InputStream in = zip.getInputStream(entry)) {
                    entries.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return entries;
    }
}
