package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.resume.RunManifest;
import io.github.lrschedules.examples.schedule.ScheduleName;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains the network under one learning-rate schedule and writes the same outputs as compare.",
                ""},
        footer = {"", "Example: examples/run train --schedule onecycle --model lenet --epochs 3"})
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    // Required unless --resume (which reads it from the run's directory); checked in call().
    @Option(names = "--schedule", paramLabel = "NAME", converter = Converters.Schedule.class,
            description = "constant, milestone, warmcosine, restarts, onecycle, cyclic, plateau, greedy, wsd, sfsgd, sfadamw,"
                    + " prodigy, dadapt or dog.")
    ScheduleName schedule;

    @Mixin
    RunOptions options;

    @Option(names = Resumption.RESUME, paramLabel = "DIR",
            description = "Continue the run in DIR (its --out) after it was stopped or killed, from its last finished"
                    + " epoch. Takes the options recorded in DIR; others given here must match them.")
    Path resume;

    @Override
    public Integer call() throws Exception {
        if (resume != null) {
            TrainCommand recorded = new TrainCommand();
            RunManifest manifest = Resumption.parseRecorded(spec, resume, "train", recorded);
            new Experiment(recorded.options, "train-" + recorded.schedule.id(), spec.commandLine().getOut())
                    .resuming(manifest).run(List.of(recorded.schedule));
            return 0;
        }
        if (schedule == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--schedule=NAME'");
        }
        new Experiment(options, "train-" + schedule.id(), spec.commandLine().getOut()).recording(
                new RunManifest(Resumption.version(spec), "train", Resumption.recordedArguments(spec), List.of()))
                .run(List.of(schedule));
        return 0;
    }
}
