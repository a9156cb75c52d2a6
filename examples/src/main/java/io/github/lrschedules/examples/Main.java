package io.github.lrschedules.examples;

import io.github.lrschedules.examples.cli.CompareCommand;
import io.github.lrschedules.examples.bench.OverheadBenchmarkCommand;
import io.github.lrschedules.examples.bench.SpeedBenchmarkCommand;
import io.github.lrschedules.examples.cli.LrFindCommand;
import io.github.lrschedules.examples.cli.ShapesCommand;
import io.github.lrschedules.examples.cli.SparkClusterCommand;
import io.github.lrschedules.examples.cli.TrainCommand;
import io.github.lrschedules.examples.cli.UiCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code examples/run COMMAND [OPTIONS]}: the MNIST runners of dl4j-lr-schedules.
 *
 * <p>Exit codes: 0 done; 1 a problem with the data, the profile, the GPU or the output directory (message only);
 * 2 bad command-line arguments (the message and where to read the usage: {@code see examples/run compare --help});
 * 70 an unexpected error (with its stack trace).
 */
@Command(name = "examples/run", mixinStandardHelpOptions = true, version = "dl4j-lr-schedules examples 1.0.0",
        subcommands = {CompareCommand.class, TrainCommand.class, LrFindCommand.class, ShapesCommand.class,
                UiCommand.class, OverheadBenchmarkCommand.class, SpeedBenchmarkCommand.class, SparkClusterCommand.class,
                CommandLine.HelpCommand.class},
        description = {"MNIST runners for dl4j-lr-schedules: train a network under learning-rate schedules and compare"
                + " them.", ""},
        footer = {"", "Flags of examples/run itself, before the command:",
                "  --onednn   ND4J's CPU build with oneDNN and DL4J's layer helpers (the default on x86 CPUs with AVX2)",
                "  --plain    DL4J exactly as it ships (the default on other CPUs)",
                "  --cuda     ND4J's CUDA 11.6 build (needs an NVIDIA GPU and driver; checked before anything is built)",
                "  --rebuild  install the library and compile the examples again from this checkout",
                "", "Start with: examples/run compare     (all seven schedules: about 8 minutes on 2 CPU cores once"
                        + " built; see the README for the first run)",
                "Each command has --help."})
public final class Main implements Runnable {

    /** Exit code of an unexpected error (sysexits' EX_SOFTWARE). */
    public static final int EXIT_BUG = 70;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        List<String> names = new ArrayList<>(spec.subcommands().keySet());
        names.remove("help");
        throw new ParameterException(spec.commandLine(), "Missing command: one of " + String.join(", ", names)
                + " (try: examples/run compare)");
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
        cli.setParameterExceptionHandler(Main::usageError);
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

    /** A usage error: the message and where the usage is, not the whole help (picocli's default). */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("error: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("see: " + command.getCommandSpec().qualifiedName() + " --help");
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }
}
