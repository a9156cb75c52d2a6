package io.github.lrschedules.examples.bench;

import io.github.lrschedules.examples.data.DataLoader;
import io.github.lrschedules.examples.data.DigitSet;
import io.github.lrschedules.examples.data.EpochIterator;
import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.train.PreparedData;
import io.github.lrschedules.examples.train.TrainerAccess;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * Seconds of {@code compare}'s evaluation after an epoch (the 800 held-out and 2,000 test digits, batches of 500) on
 * one thread and on two (the trainer's evaluator with its helper thread), interleaved, against one training epoch
 * (7,200 digits, batch 64), for the MLP and LeNet. BENCHMARKS.md, section 4. Run with the test class path and one
 * OpenMP thread and the JVM options of {@code examples/run} on 2 cores: {@code OMP_NUM_THREADS=1 java
 * -Dorg.bytedeco.javacpp.platform.extension=-onednn-avx2
 * -Dlrschedules.examples.profile=../gpu-profiles/cpu-onednn.properties -cp
 * target/onednn/test-classes:target/onednn/classes:$(cat target/onednn/classpath-onednn.txt)
 * io.github.lrschedules.examples.bench.EvaluationCost 7}.
 */
public final class EvaluationCost {

    private EvaluationCost() {
    }

    public static void main(String[] a) throws Exception {
        // compare's defaults, as bench-overhead applies them
        io.github.lrschedules.examples.profile.Hardware.apply(
                io.github.lrschedules.examples.profile.RunProfile.chosen(null), System.out::println);
        PreparedData data = PreparedData.of(DataLoader.embedded(), 0, 0, 0.1, DataType.FLOAT);
        int rounds = a.length > 0 ? Integer.parseInt(a[0]) : 7;
        for (ModelKind model : ModelKind.values()) {
            MultiLayerNetwork net = model.build(new Nesterovs(0.1, 0.9), 42, DataType.FLOAT, WorkspaceMode.ENABLED,
                    data.rows(), data.columns(), DigitSet.CLASSES);
            EpochIterator train = EpochIterator.shuffled(data.train(), 64, 42);
            EpochIterator validation = EpochIterator.sequential(data.validation(), 500);
            EpochIterator test = EpochIterator.sequential(data.test(), 500);
            List<Double> one = new ArrayList<>();
            List<Double> two = new ArrayList<>();
            List<Double> epoch = new ArrayList<>();
            TrainerAccess.measure(net, false, validation, test);
            TrainerAccess.measure(net, true, validation, test);
            for (int round = 0; round < rounds; round++) {
                train.startEpoch(round);
                long t0 = System.nanoTime();
                net.fit(train);
                long t1 = System.nanoTime();
                TrainerAccess.measure(net, round % 2 == 0, validation, test);
                long t2 = System.nanoTime();
                TrainerAccess.measure(net, round % 2 != 0, validation, test);
                long t3 = System.nanoTime();
                epoch.add((t1 - t0) / 1e9);
                (round % 2 == 0 ? two : one).add((t2 - t1) / 1e9);
                (round % 2 == 0 ? one : two).add((t3 - t2) / 1e9);
            }
            System.out.printf("%s: training epoch %.3f s, evaluation on one thread %.3f s (%.1f%% of the epoch), on two"
                    + " %.3f s (%.1f%%); medians of %d%n", model.id(), median(epoch), median(one),
                    100 * median(one) / median(epoch), median(two), 100 * median(two) / median(epoch), rounds);
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
