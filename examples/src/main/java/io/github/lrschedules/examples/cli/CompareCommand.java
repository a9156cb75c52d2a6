package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.resume.RunManifest;
import io.github.lrschedules.examples.schedule.Averaging;
import io.github.lrschedules.examples.schedule.ScheduleName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains the same network under several learning-rate schedules, from the same seed and on the"
                + " same batches, and compares them: summary table on the console; stats.dl4j, metrics.csv,"
                + " epochs.csv, summary.csv, summary.md, lr.png, loss.png, accuracy.png and report.html in --out.",
                "", "Schedules: constant, milestone, warmcosine, restarts, onecycle, cyclic, plateau, greedy, wsd, sfsgd,"
                        + " sfadamw, prodigy, dadapt, dog.", ""},
        footer = {"", "Example: examples/run compare --model lenet --epochs 3 --schedules constant,onecycle"})
public final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--schedules", split = ",", paramLabel = "NAME", converter = Converters.Schedule.class,
            description = "Comma-separated schedules to compare. Default: all but greedy, wsd, sfsgd, sfadamw, prodigy, dadapt"
                    + " and dog.")
    List<ScheduleName> schedules;

    @Mixin
    RunOptions options;

    @Option(names = Resumption.RESUME, paramLabel = "DIR",
            description = "Continue the run in DIR (its --out) after it was stopped or killed: the schedules that finished"
                    + " are kept, the one that was training continues from its last finished epoch. Takes the options"
                    + " recorded in DIR; others given here must match them.")
    Path resume;

    @Option(names = "--master", paramLabel = "URL",
            description = "Train every epoch with DL4J's Spark training (parameter averaging) on this Spark master, for"
                    + " example local[2]; evaluation, plateau decisions and checkpoints stay on the driver. Schedules"
                    + " are sized in averaging rounds. Not for sfsgd, sfadamw, prodigy, dadapt and dog. Default: train in this JVM.")
    String master;

    /** True for the command rebuilt from a run's recorded arguments by --resume. */
    private boolean resuming;

    @Option(names = "--api", defaultValue = "dl4j", paramLabel = "dl4j|samediff",
            description = "dl4j: train the MultiLayerNetwork; samediff: train the same MLP as a SameDiff graph (same"
                    + " initial weights and batches, without dropout), with the SameDiff listeners. samediff runs"
                    + " --model mlp only, in this JVM (not with --master), cannot be resumed, and has no greedy, prodigy,"
                    + " dadapt or dog. Default: ${DEFAULT-VALUE}.")
    String api;

    @Option(names = "--averaging-frequency", defaultValue = "5", paramLabel = "N",
            description = "With --master: mini-batches each worker trains between two averaging rounds. Default:"
                    + " ${DEFAULT-VALUE}.")
    int averagingFrequency;

    @Option(names = "--average", paramLabel = "ema[:DECAY]|swa[:START_EPOCH]",
            description = "Every schedule's run also keeps a weight average and reports the test accuracy at the"
                    + " averaged weights after every epoch (epochs.csv, summary.csv, the table, accuracy.png)."
                    + " ema: exponential moving average after every iteration, decay DECAY (default 0.999) with timm's"
                    + " warmup, min(DECAY, 1 - (1 + k)^(-2/3)) at the k-th update. swa: equal average of the weights at"
                    + " the end of every epoch from START_EPOCH (from 0; default 75%% of --epochs, PyTorch's recipe) on,"
                    + " the learning rate held from then on at the schedule's value there (SWALR). Not for sfsgd and"
                    + " sfadamw; with --master only swa. Default: no average.")
    String average;

    @Override
    public Integer call() throws Exception {
        if (resume != null) {
            CompareCommand recorded = new CompareCommand();
            RunManifest manifest = Resumption.parseRecorded(spec, resume, "compare", recorded);
            recorded.resuming = true;
            return recorded.run(new Experiment(recorded.options, "compare", spec.commandLine().getOut())
                    .resuming(manifest));
        }
        return run(new Experiment(options, "compare", spec.commandLine().getOut()).recording(
                new RunManifest(Resumption.version(spec), "compare", Resumption.recordedArguments(spec), List.of())));
    }

    /** What a SameDiff run cannot do, refused before anything trains. */
    private void refuseWithSameDiff(List<ScheduleName> chosen) {
        if (master != null) {
            throw new ParameterException(spec.commandLine(), "--api samediff trains in this JVM: drop --master (DL4J's"
                    + " Spark training takes MultiLayerNetworks and ComputationGraphs only)");
        }
        if (resume != null || resuming) {
            throw new ParameterException(spec.commandLine(), "a --api samediff run cannot be resumed: start it again"
                    + " (without --resume)");
        }
        if (options.common().model != ModelKind.MLP) {
            throw new ParameterException(spec.commandLine(), "--api samediff builds the MLP as a SameDiff graph: use"
                    + " --model mlp (the " + options.common().model.id() + " has no SameDiff graph here)");
        }
        for (ScheduleName s : chosen) {
            if (s == ScheduleName.GREEDY || s.learningRateFree()) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--schedules': '" + s.id()
                        + "' does not run with --api samediff (" + (s == ScheduleName.GREEDY
                        ? "GreedyLR has no SameDiff listener" : "the learning-rate-free updaters are not attached to"
                        + " SameDiff graphs") + "); run it with --api dl4j");
            }
        }
    }

    private int run(Experiment experiment) throws Exception {
        List<ScheduleName> chosen = schedules == null ? ScheduleName.defaults() : schedules;
        List<ScheduleName> seen = new ArrayList<>();
        for (ScheduleName s : chosen) {
            if (seen.contains(s)) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--schedules': '" + s.id()
                        + "' is listed twice");
            }
            seen.add(s);
        }
        Averaging averaging = averaging(chosen);
        if (master != null) {
            if (master.isBlank()) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--master': it is empty");
            }
            if (averagingFrequency < 1) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--averaging-frequency': "
                        + averagingFrequency + " (must be >= 1)");
            }
            for (ScheduleName s : chosen) {
                if (s.scheduleFree() || s.learningRateFree()) {
                    throw new ParameterException(spec.commandLine(), "Invalid value for option '--schedules': '"
                            + s.id() + "' does not run with --master: parameter averaging of the "
                            + (s.scheduleFree() ? "schedule-free" : "learning-rate-free") + " state is not supported");
                }
            }
            if (averaging != null && averaging.kind() == Averaging.Kind.EMA) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--average': '" + average
                        + "' does not run with --master: EMA averages after every iteration, which the Spark driver"
                        + " does not see (the workers run the iterations); use swa or swa:START_EPOCH");
            }
            experiment.onSpark(master.trim(), averagingFrequency);
        }
        if ("samediff".equals(api)) {
            refuseWithSameDiff(chosen);
            if (averaging != null) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--average': '" + average
                        + "' does not run with --api samediff: the SameDiff backend evaluates the network the graph's"
                        + " values are copied into, not an average of them (SameDiffWeightAveraging averages a graph"
                        + " in your own code); run --average with --api dl4j");
            }
            experiment.onSameDiff();
        } else if (!"dl4j".equals(api)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--api': '" + api
                    + "' (expected dl4j or samediff)");
        }
        if (averaging != null) {
            experiment.averaging(averaging);
        }
        experiment.run(chosen);
        return 0;
    }

    /** --average for {@code chosen}, or null without it. */
    private Averaging averaging(List<ScheduleName> chosen) {
        if (average == null) {
            return null;
        }
        Averaging averaging;
        try {
            averaging = Averaging.parse(average, options.epochs);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--average': '" + average
                    + "': " + e.getMessage());
        }
        for (ScheduleName s : chosen) {
            if (s.scheduleFree()) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--average': '" + average
                        + "' with schedule '" + s.id() + "': the schedule-free updaters are evaluated at their own"
                        + " average x already; compare them without --average");
            }
        }
        return averaging;
    }
}
