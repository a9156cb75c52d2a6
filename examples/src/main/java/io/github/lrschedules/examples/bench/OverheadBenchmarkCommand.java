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
import io.github.lrschedules.examples.profile.Hardware;
import io.github.lrschedules.examples.profile.RunProfile;
import io.github.lrschedules.examples.resume.RunJournal;
import io.github.lrschedules.examples.resume.RunManifest;
import io.github.lrschedules.examples.resume.StatsReplay;
import io.github.lrschedules.examples.train.Backend;
import io.github.lrschedules.examples.train.Progress;
import io.github.lrschedules.examples.train.Trainer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.learning.config.Nesterovs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Training throughput with a constant learning rate, with each schedule, and with the plateau listener plus the
 * recorder, interleaved: every round trains one epoch of each variant, in an order rotated per round, from the same
 * seed and on the same batches. Prints the median examples/s per variant and its ratio to the constant rate.
 *
 * <p>With {@code --examples}: what {@code compare} adds on top of {@code net.fit}. Every round trains one schedule for
 * {@code --epochs} epochs twice, in turn: once as {@code compare} trains it ({@code Trainer}: the recorder, the
 * StatsListener into a {@code stats.dl4j}, the progress output, the held-out and test evaluation after every epoch,
 * the resume checkpoint after every epoch but the last), and once as bare {@code net.fit} on the same network, updater
 * and batches with no listener at all; the ratio of the two times is the examples' overhead. {@code --without PARTS}
 * adds one variant per part, {@code compare} without it ({@link Trainer.Part}, the checkpoint, or all of them), in the
 * same rounds: what leaving a part out saves is what it costs.
 */
@Command(name = "bench-overhead", mixinStandardHelpOptions = true,
        description = {"Benchmark: training throughput of each schedule against a constant learning rate (MLP on the"
                + " embedded digits), interleaved rounds, medians and ratios. With --examples: the time compare takes"
                + " for a schedule's epochs against bare net.fit of the same epochs.", ""},
        footer = {"", "Example: examples/run bench-overhead --examples --model lenet --epochs 2 --rounds 5"})
public final class OverheadBenchmarkCommand implements Callable<Integer> {

    static final String BARE = "net.fit alone";
    static final String EXAMPLES = "compare's epochs";
    /** What {@code --without} leaves out besides the trainer's parts. */
    static final String CHECKPOINT = "checkpoint";
    static final String ALL = "all";
    static final String WITHOUT = "compare without ";

    @Option(names = "--examples", description = "Measure compare's whole epoch (listeners, evaluation, checkpoint,"
            + " progress) against bare net.fit instead of the schedules against each other.")
    boolean examples;

    @Option(names = "--model", defaultValue = "mlp", paramLabel = "mlp|lenet",
            converter = io.github.lrschedules.examples.cli.Converters.Model.class,
            description = "With --examples. Default: ${DEFAULT-VALUE}.")
    ModelKind model;

    @Option(names = "--schedule", defaultValue = "warmcosine", paramLabel = "NAME",
            description = "With --examples: the schedule trained. Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--epochs", defaultValue = "2", paramLabel = "N",
            description = "With --examples: epochs per measurement (a checkpoint after each but the last)."
                    + " Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--progress", defaultValue = "lines", paramLabel = "lines|bar|none",
            description = "With --examples: the progress output compare shows (written to a stream that discards it):"
                    + " lines (no terminal), bar (a terminal), none (--no-progress). Default: ${DEFAULT-VALUE}.")
    String progress;

    @Option(names = "--without", split = ",", paramLabel = "PART",
            description = "With --examples: also measure compare's epochs without each listed part, one variant per"
                    + " part, interleaved with the others: stats (DL4J's StatsListener), rates (the applied rates and"
                    + " test accuracies written into stats.dl4j), evaluation (held-out and test after every epoch),"
                    + " checkpoint (the resume checkpoint), progress (the progress listener and output), all (every"
                    + " one of them: what remains is the recorder and the epoch loop). Default: none.")
    List<String> without = new ArrayList<>();

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
        if (examples) {
            return examplesOverhead(out);
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

    /** --examples: compare's epochs against bare net.fit, interleaved; prints the table and the overhead. */
    private int examplesOverhead(PrintWriter out) throws Exception {
        if (epochs < 1 || !List.of("lines", "bar", "none").contains(progress)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--epochs must be >= 1 and --progress"
                    + " one of lines, bar, none (got " + epochs + ", " + progress + ")");
        }
        List<String> variants = new ArrayList<>(List.of(BARE, EXAMPLES));
        for (String part : without) {
            leftOut(part);
            if (variants.contains(WITHOUT + part)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Invalid value for option"
                        + " '--without': " + part + " is listed twice");
            }
            variants.add(WITHOUT + part);
        }
        ScheduleName name;
        try {
            name = ScheduleName.parse(schedule);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Invalid value for option"
                    + " '--schedule': " + e.getMessage());
        }
        // compare's defaults: the embedded digits, 10% held out, the whole test set, the profile's settings
        RunProfile profile = RunProfile.chosen(null);
        Hardware.apply(profile, out::println);
        PreparedData data = PreparedData.of(DataLoader.embedded(), trainLimit, 0, 0.1, profile.dataType());
        RunSettings settings = RunSettings.builder().model(model).learningRate(model.defaultLearningRate())
                .epochs(epochs).batch(batch).dataType(profile.dataType()).workspaceMode(profile.workspaceMode())
                .prefetch(profile.prefetch()).build();
        Path scratch = Files.createTempDirectory("bench-overhead");
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        try {
            Map<String, List<Double>> throughput = Stats.interleave(variants, rounds,
                    data.trainSize() * epochs, variant -> variant.equals(BARE) ? bareFit(name, settings, data)
                            : compareEpochs(name, settings, data, scratch, discard,
                                    variant.startsWith(WITHOUT) ? variant.substring(WITHOUT.length()) : null), out);
            out.printf(Locale.ROOT, "%n%s, %s, %d epochs of %d images (+%d held out, %d test), batch %d, progress %s,"
                    + " %d interleaved rounds; %d cores%n%n", model.description(), name.id(), epochs,
                    data.trainSize(), data.validationSize(), data.testSize(), batch, progress, rounds,
                    Runtime.getRuntime().availableProcessors());
            out.print(Stats.table(throughput, BARE));
            List<Double> bare = throughput.get(BARE);
            List<Double> full = throughput.get(EXAMPLES);
            List<Double> overhead = new ArrayList<>();
            for (int i = 0; i < bare.size(); i++) {
                overhead.add(bare.get(i) / full.get(i) - 1);
            }
            out.printf(Locale.ROOT, "%nWhat compare adds to net.fit: %.1f%% of the bare training time (median of the"
                    + " per-round ratios)%n", 100 * Stats.median(overhead));
            for (String part : without) {
                // what leaving the part out saves, per round: compare's seconds minus those without it, over bare's
                List<Double> less = throughput.get(WITHOUT + part);
                List<Double> share = new ArrayList<>();
                for (int i = 0; i < bare.size(); i++) {
                    share.add(bare.get(i) / full.get(i) - bare.get(i) / less.get(i));
                }
                out.printf(Locale.ROOT, "  %s: %.1f%% of the bare training time%n", part, 100 * Stats.median(share));
            }
            out.flush();
            return 0;
        } finally {
            discard.close();
            deleteTree(scratch);
        }
    }

    /**
     * Seconds of bare net.fit over the epochs, the network's building included (as in compare's time): the schedule's
     * updater, the profile's prefetching, no listener, nothing between epochs.
     */
    private double bareFit(ScheduleName name, RunSettings settings, PreparedData data) {
        long start = System.nanoTime();
        EpochIterator train = EpochIterator.shuffled(data.train(), settings.batch(), settings.seed());
        ScheduleSetup setup = name.setup(new SchedulePlan(settings, train.batchesPerEpoch(), null));
        MultiLayerNetwork net = settings.model().build(setup.updater(), settings.seed(), settings.dataType(),
                settings.workspaceMode(), data.rows(), data.columns(), DigitSet.CLASSES);
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            train.startEpoch(epoch);
            if (settings.prefetch() <= 0) {
                net.fit(train);
            } else {
                // as compare fits: the profile's mini-batches loaded ahead on another thread
                AsyncDataSetIterator prefetching = new AsyncDataSetIterator(train, settings.prefetch(), true);
                try {
                    net.fit(prefetching);
                } finally {
                    prefetching.shutdown();
                }
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * The trainer's parts that {@code --without part} leaves out ({@value #CHECKPOINT} is none of them: no
     * checkpointing at all); throws the command-line error for an unknown part.
     */
    private Set<Trainer.Part> leftOut(String part) {
        if (part.equals(ALL)) {
            return EnumSet.allOf(Trainer.Part.class);
        }
        if (part.equals(CHECKPOINT)) {
            return EnumSet.noneOf(Trainer.Part.class);
        }
        for (Trainer.Part p : Trainer.Part.values()) {
            if (p.id().equals(part)) {
                return EnumSet.of(p);
            }
        }
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Invalid value for option '--without': "
                + part + " (expected stats, rates, evaluation, checkpoint, progress or all)");
    }

    /**
     * Seconds compare's Trainer takes for the schedule's epochs, into a fresh stats.dl4j and resume checkpoint;
     * {@code without} (or null) names what is left out.
     */
    private double compareEpochs(ScheduleName name, RunSettings settings, PreparedData data, Path scratch,
                                 PrintStream discard, String without) {
        try {
            Path dir = Files.createTempDirectory(scratch, "run");
            FileStatsStorage stats = new FileStatsStorage(dir.resolve("stats.dl4j").toFile());
            try {
                StatsReplay replay = new StatsReplay(stats);
                RunJournal journal = RunJournal.start(dir, replay,
                        new RunManifest("bench", "compare", List.of(), List.of("bench-overhead")));
                Progress shown = Progress.choose(progress.equals("none"), progress.equals("bar"), discard);
                long start = System.nanoTime();
                Trainer trainer = new Trainer(data, settings, replay, shown, Backend.local(settings.prefetch()))
                        .leavingOut(without == null ? Set.of() : leftOut(without));
                if (without == null || !(without.equals(CHECKPOINT) || without.equals(ALL))) {
                    trainer.checkpointing(journal);
                }
                trainer.run(name);
                // what the training thread left the stats writer: compare waits for it at the end of the run too
                replay.close();
                return (System.nanoTime() - start) / 1e9;
            } finally {
                stats.close();
                deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
