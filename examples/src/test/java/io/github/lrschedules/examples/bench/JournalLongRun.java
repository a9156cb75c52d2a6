package io.github.lrschedules.examples.bench;

import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.resume.RunJournal;
import io.github.lrschedules.examples.resume.RunManifest;
import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.examples.train.EpochStats;
import io.github.lrschedules.examples.train.RunResult;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * The examples' resume journal ({@link RunJournal}) of a long run, synthetic (no training step): a schedule's rows so
 * far (iteration, epoch, rate and loss per iteration, one {@link EpochStats} per 1,000 iterations) at 10^4, 10^5 and
 * 10^6 iterations, with the MLP's network and updater state: what the training thread pays per epoch ({@code save}:
 * the snapshot), the checkpoint written in the background (measured as {@code scheduleDone}, which waits for it and
 * writes once more), the file's size, and what {@code --resume} pays to read it back ({@link RunJournal#open}).
 * BENCHMARKS.md, "Long runs". With the test class path:
 * {@code java -Xmx4g -cp target/onednn/test-classes:target/onednn/classes:$(cat target/onednn/classpath-onednn.txt)
 * io.github.lrschedules.examples.bench.JournalLongRun /tmp}.
 */
public final class JournalLongRun {

    private JournalLongRun() {
    }

    public static void main(String[] a) throws Exception {
        MultiLayerNetwork net = ModelKind.MLP.build(new Nesterovs(0.1, 0.9), 42, DataType.FLOAT,
                WorkspaceMode.ENABLED, 28, 28, 10);
        Path root = Files.createTempDirectory(Paths.get(a.length > 0 ? a[0] : "/tmp"), "journal");
        for (int rows : new int[] {10_000, 100_000, 1_000_000, 1_000_000}) {
            RunResult soFar = result(rows);
            Path dir = Files.createTempDirectory(root, "run");
            RunJournal journal = RunJournal.start(dir, null, new RunManifest("bench", "compare", List.of(),
                    List.of("journal-long-run")));
            long before = usedAfterGc();
            journal.epochDone(soFar);
            long t0 = System.nanoTime();
            journal.save(net);
            long t1 = System.nanoTime();
            journal.scheduleDone(soFar, net);
            long t2 = System.nanoTime();
            long size = Files.size(RunJournal.file(dir));
            long t3 = System.nanoTime();
            RunJournal read = RunJournal.open(dir, null);
            long t4 = System.nanoTime();
            long held = usedAfterGc() - before;
            if (read.finished(ScheduleName.WARMCOSINE).iterations().length != rows) {
                throw new AssertionError("rows read back: " + read.finished(ScheduleName.WARMCOSINE).iterations().length);
            }
            System.out.printf(Locale.ROOT, "%,9d iterations: save (training thread) %6.1f ms; background write + one"
                            + " more write %7.1f ms; checkpoint %6.1f MB (%.1f bytes/iteration beyond the network);"
                            + " open (--resume) %6.1f ms; heap of the record read back %.1f MB%n",
                    rows, (t1 - t0) / 1e6, (t2 - t1) / 1e6, size / 1e6, (size - networkBytes(root, net)) / (double) rows,
                    (t4 - t3) / 1e6, held / 1e6);
        }
    }

    private static long networkBytes(Path root, MultiLayerNetwork net) throws Exception {
        Path dir = Files.createTempDirectory(root, "empty");
        RunJournal journal = RunJournal.start(dir, null, new RunManifest("bench", "compare", List.of(), List.of()));
        journal.scheduleDone(result(0), net);
        return Files.size(RunJournal.file(dir));
    }

    private static RunResult result(int rows) {
        int[] iterations = new int[rows];
        int[] epochs = new int[rows];
        double[] rates = new double[rows];
        double[] losses = new double[rows];
        List<EpochStats> stats = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            iterations[i] = i;
            epochs[i] = i / 1_000;
            rates[i] = 0.05 * (1 + Math.cos(Math.PI * i / rows));
            losses[i] = 2.3 * Math.exp(-i / 2e5) + 0.05 * Math.sin(i * 0.37);
            if (i % 1_000 == 999) {
                stats.add(new EpochStats(i / 1_000, rates[i], losses[i], 0.3, 0.9, 0.3, 0.9, i * 0.01, i * 0.009));
            }
        }
        return new RunResult(ScheduleName.WARMCOSINE, "warmcosine", 1_000, iterations, epochs, rates, losses, stats,
                List.of(), rows * 0.01, 0.9, -1);
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
