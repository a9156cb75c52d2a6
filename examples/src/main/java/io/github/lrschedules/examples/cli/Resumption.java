package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.examples.resume.RunManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code --resume DIR} for {@code compare} and {@code train}: the options recorded in DIR's manifest are parsed
 * again into a fresh command, and an option given on this command line too must have the value recorded.
 *
 * <p>Options that only change what is shown ({@code --no-progress}, {@code --ui}, {@code --ui-port}) are not
 * recorded and may be given anew; {@code --out} and {@code --force} cannot be combined with {@code --resume}.
 */
final class Resumption {

    static final String RESUME = "--resume";
    /** Taken from this command line when resuming, never recorded. */
    private static final Set<String> DISPLAY = Set.of("--no-progress", "--ui", "--ui-port");
    /** Never recorded: where the run is, and how to treat an existing directory. */
    private static final Set<String> PLACE = Set.of(RESUME, "--out", "--force");

    private Resumption() {
    }

    /** The version a run records and a resumed run must match. */
    static String version(CommandSpec spec) {
        String[] examples = spec.root().version();
        return RunManifest.currentVersion(examples.length == 0 ? "dl4j-lr-schedules examples"
                : String.join(" ", examples));
    }

    /** The options of this command line that redo the run: everything but the place and the display options. */
    static List<String> recordedArguments(CommandSpec spec) {
        List<String> args = new ArrayList<>();
        ParseResult parsed = spec.commandLine().getParseResult();
        for (OptionSpec option : parsed.matchedOptions()) {
            String name = option.longestName();
            if (PLACE.contains(name) || DISPLAY.contains(name) || option.usageHelp() || option.versionHelp()) {
                continue;
            }
            List<String> values = option.originalStringValues();
            if (option.arity().max() == 0 || values.isEmpty()) {
                args.add(name);
            } else {
                for (String value : values) {
                    args.add(name);
                    args.add(value);
                }
            }
        }
        return args;
    }

    /**
     * Parses the options recorded in {@code dir} into {@code fresh} (a new instance of the command), with
     * {@code --out dir} and this command line's display options.
     *
     * @return the manifest read
     * @throws ExamplesException  if DIR holds no run of this command, or one of another version
     * @throws ParameterException if an option given here differs from the recorded one (naming it and both values)
     */
    static RunManifest parseRecorded(CommandSpec spec, Path dir, String command, Object fresh) {
        if (!Files.isDirectory(dir)) {
            throw new ExamplesException(RESUME + " " + dir + ": no such directory");
        }
        RunManifest manifest;
        try {
            manifest = RunManifest.read(dir);
        } catch (java.io.IOException e) {
            throw new ExamplesException(RESUME + " " + dir + ": cannot read " + RunManifest.file(dir) + ": " + e);
        }
        if (!manifest.command().equals(command)) {
            throw new ExamplesException(RESUME + " " + dir + ": the run there is a " + manifest.command() + " run; resume"
                    + " it with examples/run " + manifest.command() + " " + RESUME + " " + dir);
        }
        manifest.checkVersion(dir, version(spec));

        ParseResult given = spec.commandLine().getParseResult();
        List<String> args = new ArrayList<>(manifest.arguments());
        for (OptionSpec option : given.matchedOptions()) {
            String name = option.longestName();
            if (name.equals("--out") || name.equals("--force")) {
                throw new ParameterException(spec.commandLine(), RESUME + " continues the run in its own directory: leave"
                        + " out " + name);
            }
            if (DISPLAY.contains(name)) {
                if (option.arity().max() == 0) {
                    args.add(name);
                } else {
                    for (String value : option.originalStringValues()) {
                        args.add(name);
                        args.add(value);
                    }
                }
            }
        }
        args.add("--out");
        args.add(dir.toString());

        CommandLine recorded = new CommandLine(fresh);
        recorded.setOut(spec.commandLine().getOut());
        recorded.setErr(spec.commandLine().getErr());
        try {
            recorded.parseArgs(args.toArray(new String[0]));
        } catch (ParameterException e) {
            throw new ExamplesException(RESUME + " " + dir + ": the options recorded there (" + String.join(" ",
                    manifest.arguments()) + ") are not valid for this version: " + e.getMessage());
        }
        for (OptionSpec option : given.matchedOptions()) {
            String name = option.longestName();
            if (PLACE.contains(name) || DISPLAY.contains(name) || option.usageHelp() || option.versionHelp()) {
                continue;
            }
            OptionSpec same = recorded.getCommandSpec().findOption(name);
            Object now = value(option);
            Object then = same == null ? null : value(same);
            if (!Objects.equals(now, then)) {
                throw new ParameterException(spec.commandLine(), RESUME + " " + dir + ": option '" + name + "' differs:"
                        + " the run there was started with " + show(then) + ", this command line gives " + show(now)
                        + "; leave " + name + " out to resume that run, or start a new run with --out");
            }
        }
        return manifest;
    }

    private static Object value(OptionSpec option) {
        try {
            return option.getValue();
        } catch (RuntimeException e) {
            // An option of an argument group that was not given has no instance to read from.
            return null;
        }
    }

    private static String show(Object value) {
        if (value == null) {
            return "no value (the default)";
        }
        if (value instanceof Object[]) {
            return Arrays.toString((Object[]) value);
        }
        return String.valueOf(value);
    }
}
