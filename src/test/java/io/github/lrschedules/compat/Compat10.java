package io.github.lrschedules.compat;

import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.schedulefree.AdamWScheduleFree;
import io.github.lrschedules.schedulefree.ScheduleFree;
import io.github.lrschedules.schedulefree.SgdScheduleFree;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The files of release 1.0.0 that every later 1.x must load and continue from, and how they were made. Run
 * {@code main} with the 1.0.0 code to write them again into {@code src/test/resources/io/github/lrschedules/compat-1.0}
 * (never with later code: the point is that they were written by 1.0.0). {@code Compatibility10FilesTest} reads them.
 *
 * <p>Each model is trained for {@link #EPOCHS_BEFORE} epochs and checkpointed; training then goes on for
 * {@link #EPOCHS_AFTER} more epochs in the same JVM, and the parameters it ends with are written next to the
 * checkpoint. A later release restores the checkpoint, trains the same epochs and must end with the same parameters,
 * bit for bit.
 */
public final class Compat10 {

    static final int EPOCHS_BEFORE = 2;
    static final int EPOCHS_AFTER = 2;
    /** The metric the plateau listener is given after each epoch (reported mode): two reductions after the save. */
    static final double[] PLATEAU_METRICS = {1.0, 0.8, 0.9, 0.95};

    /** The models of 1.0 with their names: updater state of Nesterov with a schedule, of schedule-free AdamW. */
    static Map<String, IUpdater> models() {
        return Map.of(
                "mlp-nesterovs-warmcosine-plateau", new Nesterovs(
                        new WarmupCosineSchedule(ScheduleType.ITERATION, 0.1, 4, 40, 0.001, 0.0), 0.9),
                "mlp-adamw-schedulefree", new AdamWScheduleFree(0.01, 0.9, 0.999, 1e-8, 4, 0.01));
    }

    /** Updater configurations of 1.0 whose JSON must still load. */
    static Map<String, IUpdater> updaters() {
        return Map.of(
                "SgdScheduleFree", new SgdScheduleFree(0.5, 0.8, 10),
                "SgdScheduleFree-schedule", new SgdScheduleFree(
                        new WarmupCosineSchedule(ScheduleType.ITERATION, 1.0, 5, 100, 0.0, 0.0), 0.9, 0),
                "AdamWScheduleFree", new AdamWScheduleFree(0.01, 0.9, 0.99, 1e-6, 20, 0.05));
    }

    static ReduceLROnPlateauListener plateau() {
        return ReduceLROnPlateauListener.builder().reported(PlateauTracker.Mode.MIN).factor(0.5).patience(0).build();
    }

    static MultiLayerNetwork network(IUpdater updater) {
        MultiLayerNetwork net = TestNets.mlp(updater);
        ScheduleFree.attach(net);
        return net;
    }

    /** Trains {@code net} one epoch after another from {@code fromEpoch}, reporting the plateau metric. */
    static void train(MultiLayerNetwork net, ReduceLROnPlateauListener plateau, int fromEpoch, int epochs) {
        DataSetIterator data = TestData.blobs();
        for (int e = fromEpoch; e < fromEpoch + epochs; e++) {
            data.reset();
            net.fit(data);
            plateau.report(net, PLATEAU_METRICS[e]);
        }
    }

    static String csv(double[] values) {
        StringJoiner joiner = new StringJoiner("\n", "", "\n");
        for (double v : values) {
            joiner.add(Double.toString(v));
        }
        return joiner.toString();
    }

    public static void main(String[] args) throws IOException {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Path dir = Paths.get(args.length > 0 ? args[0] : "src/test/resources/io/github/lrschedules/compat-1.0");
        Files.createDirectories(dir);
        for (Map.Entry<String, IUpdater> e : updaters().entrySet()) {
            Files.writeString(dir.resolve(e.getKey() + ".json"),
                    NeuralNetConfiguration.mapper().writeValueAsString(e.getValue()), StandardCharsets.UTF_8);
        }
        for (Map.Entry<String, IUpdater> e : models().entrySet()) {
            MultiLayerNetwork net = network(e.getValue());
            ReduceLROnPlateauListener plateau = plateau();
            train(net, plateau, 0, EPOCHS_BEFORE);
            File zip = dir.resolve(e.getKey() + ".zip").toFile();
            plateau.checkpoint(net, zip);
            train(net, plateau, EPOCHS_BEFORE, EPOCHS_AFTER);
            Files.writeString(dir.resolve(e.getKey() + "-continued.csv"),
                    csv(net.params().toDoubleVector()), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(e.getKey() + "-reductions.txt"),
                    String.valueOf(plateau.history().size()) + "\n", StandardCharsets.UTF_8);
        }
        Files.writeString(dir.resolve("VERSION"), "written by dl4j-lr-schedules 1.0.0 (Compat10.main), DL4J 1.0.0-M2.1\n",
                StandardCharsets.UTF_8);
        System.out.println("wrote " + List.of(dir.toFile().list()));
    }

    private Compat10() {
    }
}
