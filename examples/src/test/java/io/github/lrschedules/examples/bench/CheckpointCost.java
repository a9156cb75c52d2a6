package io.github.lrschedules.examples.bench;

import io.github.lrschedules.checkpoint.Checkpoint;
import io.github.lrschedules.examples.model.ModelKind;
import java.io.*;
import java.nio.channels.FileChannel;
import java.nio.file.*;
import java.util.zip.*;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * What one per-epoch checkpoint of the examples' MLP costs: the examples 1.0's journal write (a ModelSerializer zip
 * nested as bytes in a deflated zip, fsync) against the library's {@code Checkpoint} deflated, stored, and its
 * snapshot alone (what the training thread pays now). BENCHMARKS.md, section 2. Run with the test class path:
 * {@code java -cp target/onednn/test-classes:target/onednn/classes:$(cat target/onednn/classpath-onednn.txt)
 * io.github.lrschedules.examples.bench.CheckpointCost /tmp}.
 */
public final class CheckpointCost {

    private CheckpointCost() {
    }

    public static void main(String[] a) throws Exception {
        MultiLayerNetwork net = ModelKind.MLP.build(new Nesterovs(0.1, 0.9), 42, DataType.FLOAT, WorkspaceMode.ENABLED, 28, 28, 10);
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 64, 784), Nd4j.eye(10).getRows(new int[64]).castTo(DataType.FLOAT));
        net.fit(batch);
        Path dir = Files.createTempDirectory(Paths.get(a[0]), "ck");
        Path file = dir.resolve("checkpoint.zip");
        int reps = 10;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) { old(net, file); }
            long t1 = System.nanoTime();
            for (int i = 0; i < reps; i++) { Checkpoint.of(net).compression(Checkpoint.Compression.NONE).object("run", "x").write(file); }
            long t2 = System.nanoTime();
            for (int i = 0; i < reps; i++) { Checkpoint.of(net).object("run", "x").write(file); }
            long t3 = System.nanoTime();
            long t4 = System.nanoTime();
            for (int i = 0; i < reps; i++) { Checkpoint.of(net).compression(Checkpoint.Compression.NONE).object("run", "x").snapshot(); }
            long t5 = System.nanoTime();
            for (int i = 0; i < reps; i++) { java.io.DataOutputStream d = new java.io.DataOutputStream(new ByteArrayOutputStream()); Nd4j.write(net.params(), d); Nd4j.write(net.getUpdater().getStateViewArray(), d); }
            long t6 = System.nanoTime();
            System.out.printf("   snapshot %.1f ms, Nd4j.write of params+updater %.1f ms%n", (t5 - t4) / 1e6 / reps, (t6 - t5) / 1e6 / reps);
            System.out.printf("round %d: 1.0 RunJournal %.1f ms, Checkpoint NONE %.1f ms (%d bytes), Checkpoint DEFLATE %.1f ms%n", round,
                    (t1 - t0) / 1e6 / reps, (t2 - t1) / 1e6 / reps, Files.size(file) , (t3 - t2) / 1e6 / reps);
        }
    }
    static void old(MultiLayerNetwork net, Path file) throws IOException {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, model, true);
        Path temp = file.resolveSibling(".tmp");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(temp))) {
            zip.putNextEntry(new ZipEntry("state.ser"));
            ObjectOutputStream out = new ObjectOutputStream(zip); out.writeObject("x"); out.flush(); zip.closeEntry();
            zip.putNextEntry(new ZipEntry("model.zip")); zip.write(model.toByteArray()); zip.closeEntry();
        }
        try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) { c.force(true); }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
