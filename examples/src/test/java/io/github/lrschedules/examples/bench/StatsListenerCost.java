package io.github.lrschedules.examples.bench;

import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.train.TrainerAccess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * What DL4J's {@code StatsListener}, configured as {@code compare} configures it (a report every 28 iterations:
 * score, learning rates, memory, garbage collection, mean magnitudes of parameters and updates, the updates' standard
 * deviation; initialized once, at iteration 1), costs the training thread of the examples' MLP: iteration 0 and the
 * initialization at iteration 1, an iteration without a report, a report into a {@code FileStatsStorage} (collected,
 * then committed to disk) and into memory (collected only), the median of 50 more reports into memory ({@code
 * -Dreports=N} for N), against one training iteration. BENCHMARKS.md, section 4. Run with the test class path: {@code OMP_NUM_THREADS=1 java -cp target/onednn/test-classes:target/onednn/
 * classes:$(cat target/onednn/classpath-onednn.txt) io.github.lrschedules.examples.bench.StatsListenerCost /tmp}.
 */
public final class StatsListenerCost {

    private StatsListenerCost() {
    }

    public static void main(String[] a) throws Exception {
        MultiLayerNetwork net = ModelKind.MLP.build(new Nesterovs(0.1, 0.9), 42, DataType.FLOAT,
                WorkspaceMode.ENABLED, 28, 28, 10);
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 64, 784),
                Nd4j.eye(10).getRows(new int[64]).castTo(DataType.FLOAT));
        for (int i = 0; i < 5; i++) {
            net.fit(batch);
        }
        for (int rep = 0; rep < 6; rep++) {
            File file = Files.createTempFile(Paths.get(a[0]), "stats", ".dl4j").toFile();
            file.delete();
            FileStatsStorage storage = new FileStatsStorage(file);
            StatsListener listener = listener(storage, rep);
            long t0 = System.nanoTime();
            listener.iterationDone(net, 0, 0);
            long t1 = System.nanoTime();
            listener.iterationDone(net, 1, 0);
            long t2 = System.nanoTime();
            for (int i = 2; i < 28; i++) {
                listener.iterationDone(net, i, 0);
            }
            long t3 = System.nanoTime();
            listener.iterationDone(net, 28, 0);
            long t4 = System.nanoTime();
            StatsListener inMemory = listener(new InMemoryStatsStorage(), rep);
            inMemory.iterationDone(net, 0, 0);
            inMemory.iterationDone(net, 1, 0);
            long t5 = System.nanoTime();
            inMemory.iterationDone(net, 28, 0);
            long t6 = System.nanoTime();
            System.out.printf("rep %d: iteration 0 %.1f ms, initialization at 1 %.1f ms, 26 iterations without a report"
                    + " %.2f ms, a report into the file %.1f ms, into memory %.1f ms%n", rep, (t1 - t0) / 1e6,
                    (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6, (t6 - t5) / 1e6);
            storage.close();
            file.delete();
        }
        StatsListener warm = listener(new InMemoryStatsStorage(), 99);
        warm.iterationDone(net, 1, 0);
        double[] reports = new double[Integer.getInteger("reports", 50)];
        for (int i = 0; i < reports.length; i++) {
            long t = System.nanoTime();
            warm.iterationDone(net, 28 * (i + 1), 0);
            reports[i] = (System.nanoTime() - t) / 1e6;
        }
        java.util.Arrays.sort(reports);
        System.out.printf("a report into memory, median of %d more: %.1f ms%n", reports.length,
                reports[reports.length / 2]);
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            net.fit(batch);
        }
        System.out.printf("one training iteration (batch 64): %.1f ms%n", (System.nanoTime() - start) / 50e6);
    }

    private static StatsListener listener(StatsStorageRouter router, int rep) {
        return TrainerAccess.statsListener(router, 28, "s" + rep);
    }
}
