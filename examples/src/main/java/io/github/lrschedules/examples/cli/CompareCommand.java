package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.schedule.ScheduleName;
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
                "", "Schedules: constant, milestone, warmcosine, restarts, onecycle, cyclic, plateau.", ""},
        footer = {"", "Example: examples/run compare --model lenet --epochs 3 --schedules constant,onecycle"})
public final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--schedules", split = ",", paramLabel = "NAME", converter = Converters.Schedule.class,
            description = "Comma-separated schedules to compare. Default: all but the schedule-free sfsgd, sfadamw.")
    List<ScheduleName> schedules;

    @Mixin
    RunOptions options;

    @Override
    public Integer call() throws Exception {
        List<ScheduleName> chosen = schedules == null ? ScheduleName.defaults() : schedules;
        List<ScheduleName> seen = new ArrayList<>();
        for (ScheduleName s : chosen) {
            if (seen.contains(s)) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--schedules': '" + s.id()
                        + "' is listed twice");
            }
            seen.add(s);
        }
        new Experiment(options, "compare", spec.commandLine().getOut()).run(chosen);
        return 0;
    }
}
