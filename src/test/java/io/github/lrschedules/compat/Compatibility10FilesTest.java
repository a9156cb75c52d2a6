package io.github.lrschedules.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.schedulefree.ScheduleFree;
import java.io.File;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Files written by release 1.0.0 ({@link Compat10}) load in this release and continue training bit for bit: updater
 * JSON, and trained models with updater state and plateau state in one checkpoint zip.
 */
class Compatibility10FilesTest {

    @BeforeAll
    static void precision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static Path dir() throws URISyntaxException {
        return Paths.get(Compatibility10FilesTest.class.getResource("/io/github/lrschedules/compat-1.0/VERSION").toURI())
                .getParent();
    }

    static Stream<String> updaterNames() {
        return Compat10.updaters().keySet().stream().sorted();
    }

    static Stream<String> modelNames() {
        return Compat10.models().keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("updaterNames")
    void updaterJsonOf10LoadsAsTheSameConfiguration(String name) throws Exception {
        String json = Files.readString(dir().resolve(name + ".json"), StandardCharsets.UTF_8);
        IUpdater loaded = NeuralNetConfiguration.mapper().readValue(json, IUpdater.class);
        assertThat(loaded).isEqualTo(Compat10.updaters().get(name));
        for (int i = 0; i < 200; i += 7) {
            assertThat(loaded.getLearningRate(i, i / 10)).isEqualTo(Compat10.updaters().get(name).getLearningRate(i, i / 10));
        }
    }

    @ParameterizedTest
    @MethodSource("modelNames")
    void checkpointOf10RestoresAndContinuesBitForBit(String name, @TempDir Path temp) throws Exception {
        File zip = temp.resolve(name + ".zip").toFile();
        try (InputStream in = Files.newInputStream(dir().resolve(name + ".zip"))) {
            Files.copy(in, zip.toPath());
        }
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        ScheduleFree.attach(net);
        ReduceLROnPlateauListener plateau = Compat10.plateau();
        plateau.restoreState(zip);
        assertThat(net.getEpochCount()).isEqualTo(Compat10.EPOCHS_BEFORE);

        Compat10.train(net, plateau, Compat10.EPOCHS_BEFORE, Compat10.EPOCHS_AFTER);

        double[] expected = Files.readAllLines(dir().resolve(name + "-continued.csv")).stream()
                .mapToDouble(Double::parseDouble).toArray();
        assertThat(net.params().toDoubleVector()).containsExactly(expected);
        int reductions = Integer.parseInt(Files.readString(dir().resolve(name + "-reductions.txt")).trim());
        assertThat(plateau.history()).hasSize(reductions);
    }
}
