package io.github.lrschedules.examples.bench;

import io.github.lrschedules.examples.data.DataLoader;
import io.github.lrschedules.examples.data.DigitSet;
import io.github.lrschedules.examples.data.EpochIterator;
import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.examples.schedule.SchedulePlan;
import io.github.lrschedules.examples.train.RunSettings;
import io.github.lrschedules.examples.schedule.ScheduleSetup;
import io.github.lrschedules.examples.train.PreparedData;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.record.LearningRateRecorder;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Nesterovs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Training throughput with a constant learning rate, with each schedule, and with the plateau listener plus the
 * recorder, interleaved: every round trains one epoch of each variant, in an order rotated per round, from the same
 * seed and on the same batches. Prints the median examples/s per variant and its ratio to the constant rate.
 */
@Command(name = "bench-overhead", mixinStandardHelpOptions = true,
        description = {"Benchmark: training throughput of each schedule against a constant learning rate (MLP on the"
                + " embedded digits), interleaved rounds, medians and ratios.", ""})
public final class OverheadBenchmarkCommand implements Callable<Integer> {

    @Option(names = "--rounds", defaultValue = "7", paramLabel = "N",
            description = "Interleaved rounds (one epoch of every variant each). Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--train-limit", defaultValue = "0", paramLabel = "N",
            description = "First N training images (0: all 8,000). Default: ${DEFAULT-VALUE}.")
    int trainLimit;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (rounds < 1 || batch < 1 || trainLimit < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rounds and --batch must be >= 1 and"
                    + " --train-limit >= 0 (got " + rounds + ", " + batch + ", " + trainLimit + ")");
        }
        PreparedData data = PreparedData.of(DataLoader.embedded(), trainLimit, 1, 0.0, DataType.FLOAT);
        int examples = data.trainSize();
        List<String> variants = new ArrayList<>();
        variants.add("constant");
        for (ScheduleName s : ScheduleName.values()) {
            if (s != ScheduleName.CONSTANT && s != ScheduleName.PLATEAU) {
                variants.add(s.id());
            }
        }
        variants.add("plateau+recorder");
        // the constant rate first: it takes the warm-up epoch
        Map<String, List<Double>> throughput = Stats.interleave(variants, rounds, examples,
                variant -> trainOneEpoch(variant, data), out);
        out.printf(Locale.ROOT, "%nMLP 784-500-100-10, %d images, batch %d, %d interleaved rounds of one epoch each;"
                + " %d cores%n%n", examples, batch, rounds, Runtime.getRuntime().availableProcessors());
        out.print(Stats.table(throughput, "constant"));
        out.flush();
        return 0;
    }

    private double trainOneEpoch(String variant, PreparedData data) {
        EpochIterator train = EpochIterator.shuffled(data.train(), batch, 42);
        SchedulePlan plan = new SchedulePlan(RunSettings.builder().model(ModelKind.MLP).learningRate(0.1).epochs(1)
                .batch(batch).build(), train.batchesPerEpoch(), null);
        List<TrainingListener> listeners = new ArrayList<>();
        MultiLayerNetwork net;
        if (variant.equals("constant")) {
            net = build(new Nesterovs(0.1, SchedulePlan.MOMENTUM), data);
        } else if (variant.equals("plateau+recorder")) {
            net = build(new Nesterovs(0.1, SchedulePlan.MOMENTUM), data);
            listeners.add(ReduceLROnPlateauListener.builder().trainingLoss().evaluateEveryIterations(10).patience(1)
                    .build());
            listeners.add(new LearningRateRecorder());
        } else {
            ScheduleSetup setup = ScheduleName.parse(variant).setup(plan);
            net = build(setup.updater(), data);
        }
        net.setListeners(listeners);
        long start = System.nanoTime();
        net.fit(train);
        return (System.nanoTime() - start) / 1e9;
    }

    private static MultiLayerNetwork build(org.nd4j.linalg.learning.config.IUpdater updater, PreparedData data) {
        return ModelKind.MLP.build(updater, 42, DataType.FLOAT, WorkspaceMode.ENABLED, data.rows(), data.columns(),
                DigitSet.CLASSES);
    }
}
