package io.github.lrschedules.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.lrschedules.finder.LearningRateFinder;
import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Every file the library writes through {@link AtomicFiles} (recorder CSV, LR finder CSV, plateau checkpoint and
 * saved state) gets the permissions of any other new file, those the umask leaves, and leaves no temporary file
 * beside it. ({@code Files.createTempFile} would give 0600.)
 */
class OutputFileModeTest {

    @TempDir
    Path dir;

    /** The mode of a file created the ordinary way in the same folder: what the umask gives. */
    private Set<PosixFilePermission> ordinaryMode() throws IOException {
        Path plain = dir.resolve("plain.txt");
        try (OutputStream out = Files.newOutputStream(plain)) {
            out.write('x');
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(plain);
        Files.delete(plain);
        return mode;
    }

    @Test
    void everyAtomicallyWrittenOutputFollowsTheUmask() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX file modes");
        Set<PosixFilePermission> expected = ordinaryMode();
        assertThat(expected).as("the umask of this run leaves the group or others something to read, so a 0600"
                + " file would show").isNotEqualTo(PosixFilePermissions.fromString("rw-------"));

        MultiLayerNetwork net = TestNets.mlp(new Adam(0.01));
        LearningRateRecorder recorder = new LearningRateRecorder();
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder().reported(PlateauTracker.Mode.MIN)
                .build();
        net.setListeners(recorder);
        TestNets.fitEpochs(net, TestData.blobs(), 1);
        plateau.report(net, 1.0);

        Path recorderCsv = dir.resolve("lr.csv");
        recorder.writeCsv(recorderCsv);
        Path finderCsv = dir.resolve("lr_find.csv");
        LearningRateFinder.builder().minLr(1e-4).maxLr(1.0).iterations(8).build().run(net, TestData.blobs())
                .writeCsv(finderCsv);
        Path checkpoint = dir.resolve("checkpoint.zip");
        plateau.checkpoint(net, checkpoint.toFile());
        Path savedState = dir.resolve("saved.zip");
        ModelSerializer.writeModel(net, savedState.toFile(), true);
        Files.setPosixFilePermissions(savedState, PosixFilePermissions.fromString("rw-------"));
        plateau.saveState(savedState.toFile());

        for (Path file : List.of(recorderCsv, finderCsv, checkpoint, savedState)) {
            assertThat(Files.getPosixFilePermissions(file)).as(file.getFileName().toString()).isEqualTo(expected);
        }
        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
                    .as("no temporary file left beside the outputs")
                    .containsExactlyInAnyOrder("lr.csv", "lr_find.csv", "checkpoint.zip", "saved.zip");
        }
        plateau.restoreState(checkpoint.toFile());
        plateau.restoreState(savedState.toFile());
    }
}
