package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.resume.RunManifest;
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
            experiment.onSpark(master.trim(), averagingFrequency);
        }
        if ("samediff".equals(api)) {
            refuseWithSameDiff(chosen);
            experiment.onSameDiff();
        } else if (!"dl4j".equals(api)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--api': '" + api
                    + "' (expected dl4j or samediff)");
        }
        experiment.run(chosen);
        return 0;
    }
}
