package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.schedule.ScheduleName;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains the network under one learning-rate schedule and writes the same outputs as compare.",
                ""},
        footer = {"", "Example: examples/run train --schedule onecycle --model lenet --epochs 3"})
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--schedule", required = true, paramLabel = "NAME", converter = Converters.Schedule.class,
            description = "constant, milestone, warmcosine, restarts, onecycle, cyclic, plateau or wsd.")
    ScheduleName schedule;

    @Mixin
    RunOptions options;

    @Override
    public Integer call() throws Exception {
        new Experiment(options, "train-" + schedule.id(), spec.commandLine().getOut()).run(List.of(schedule));
        return 0;
    }
}
