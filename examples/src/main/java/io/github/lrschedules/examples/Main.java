package io.github.lrschedules.examples;

import io.github.lrschedules.examples.cli.CompareCommand;
import io.github.lrschedules.examples.bench.OverheadBenchmarkCommand;
import io.github.lrschedules.examples.bench.SpeedBenchmarkCommand;
import io.github.lrschedules.examples.cli.LrFindCommand;
import io.github.lrschedules.examples.cli.TrainCommand;
import io.github.lrschedules.examples.cli.UiCommand;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code examples/run COMMAND [OPTIONS]}: the MNIST runners of dl4j-lr-schedules.
 *
 * <p>Exit codes: 0 done; 1 a problem with the data, the profile, the GPU or the output directory (message only);
 * 2 bad command-line arguments (message and usage); 70 an unexpected error (with its stack trace).
 */
@Command(name = "examples/run", mixinStandardHelpOptions = true, version = "dl4j-lr-schedules examples 0.1.0-SNAPSHOT",
        subcommands = {CompareCommand.class, TrainCommand.class, LrFindCommand.class, UiCommand.class,
                OverheadBenchmarkCommand.class, SpeedBenchmarkCommand.class, CommandLine.HelpCommand.class},
        description = {"MNIST runners for dl4j-lr-schedules: train a network under learning-rate schedules and compare"
                + " them.", ""},
        footer = {"", "Start with: examples/run compare     (all seven schedules, about 10 minutes on 2 CPU cores)",
                "Each command has --help."})
public final class Main implements Runnable {

    /** Exit code of an unexpected error (sysexits' EX_SOFTWARE). */
    public static final int EXIT_BUG = 70;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: compare, train or ui (try: examples/run compare)");
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        System.exit(code);
    }

    /** Runs a command line; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ExamplesException || e instanceof IOException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return ExamplesException.EXIT_CODE;
            }
            commandLine.getErr().println("error: unexpected " + e);
            e.printStackTrace(commandLine.getErr());
            return EXIT_BUG;
        });
        return cli.execute(args);
    }
}
