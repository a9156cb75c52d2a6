package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Help, and every kind of bad input: a clear message naming the flag and value, a non-zero exit, no stack trace. */
class CommandLineTest {

    @TempDir
    Path dir;

    /** A run small enough for error-path tests that get past the checks. */
    static final String[] TINY = {"--data", "embedded", "--epochs", "1", "--train-limit", "96", "--test-limit", "64",
        "--batch", "32", "--no-progress"};

    static String[] args(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    static void assertNoStackTrace(Cli cli) {
        assertThat(cli.err).as(cli.toString()).doesNotContain("\tat ", "Exception in thread");
        assertThat(cli.out).as(cli.toString()).doesNotContain("\tat ");
    }

    @Test
    void helpOnEveryCommand() {
        Cli top = Cli.run("--help");
        assertThat(top.exitCode).isZero();
        assertThat(top.out).contains("compare", "train", "examples/run compare");
        Cli compare = Cli.run("compare", "--help");
        assertThat(compare.exitCode).isZero();
        assertThat(compare.out).contains("--schedules", "--model", "--epochs", "--batch", "--train-limit",
                "--test-limit", "--seed", "--lr", "--out", "--force", "--data", "--data-dir", "--profile");
        Cli train = Cli.run("train", "--help");
        assertThat(train.exitCode).isZero();
        assertThat(train.out).contains("--schedule", "constant", "milestone", "warmcosine", "restarts", "onecycle",
                "cyclic", "plateau", "wsd");
        assertThat(Cli.run("help", "compare").out).contains("--schedules");
    }

    @Test
    void helpNamesTheFlagsOfTheScript() {
        Cli top = Cli.run("--help");
        assertThat(top.out).contains("  --onednn ", "  --plain ", "  --cuda ", "  --rebuild ", "AVX2");
    }

    /** The error, where to read the usage, and nothing else: not the 75 lines of the command's help. */
    @Test
    void aUsageErrorIsTheMessageAndAPointerToHelp() {
        Cli cli = Cli.run("compare", "--epochs", "0");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err.trim().split("\n")).containsExactly(
                "error: Invalid value for option '--epochs': 0 must be >= 1",
                "see: examples/run compare --help");
        assertThat(cli.out).isEmpty();
        Cli top = Cli.run("comprae");
        assertThat(top.exitCode).isEqualTo(2);
        assertThat(top.err).contains("error: Unmatched argument at index 0: 'comprae'", "compare",
                "see: examples/run --help").doesNotContain("Usage:");
        assertThat(top.err.trim().split("\n").length).isLessThanOrEqualTo(4);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "compare --schedules constant,foo | unknown schedule 'foo'; "
                + "valid schedules: constant, milestone, warmcosine, restarts, onecycle, cyclic, plateau",
        "train --schedule step           | unknown schedule 'step'; valid schedules: constant, milestone",
        "train --model lenet             | Missing required option: '--schedule=NAME'",
        "compare --model resnet          | Invalid value for option '--model': unknown model 'resnet'; "
                + "valid models: mlp, lenet",
        "compare --epochs 0              | Invalid value for option '--epochs': 0 must be >= 1",
        "compare --epochs ten            | Invalid value for option '--epochs': 'ten' is not an int",
        "compare --lr -0.1               | Invalid value for option '--lr': -0.1 must be > 0 and finite",
        "compare --val-fraction 0.9      | Invalid value for option '--val-fraction': 0.9 must be in [0, 0.5]",
        "compare --target 97             | Invalid value for option '--target': 97.0 must be in (0, 1]",
        "compare --batch 0               | Invalid value for option '--batch': 0 must be >= 1",
        "compare --data cloud            | unknown data source 'cloud'; valid: auto, embedded, mnist",
        "compare --data mnist --data-dir x | mutually exclusive",
        "compare --schedules onecycle,onecycle | 'onecycle' is listed twice",
        "compare --plateau-factor 1      | Invalid value for option '--plateau-factor': 1.0 must be in (0, 1)",
        "compare --frobnicate            | Unknown option: '--frobnicate'",
        "lr-find --plateau-factor 0.5    | Unknown options: '--plateau-factor', '0.5'",
        "lr-find --plateau-patience 1    | Unknown options: '--plateau-patience', '1'",
        "lr-find --epochs 3              | Unknown options: '--epochs', '3'",
        "lr-find --ui                    | Unknown option: '--ui'",
        "lr-find --max-lr 1              | Unknown options: '--max-lr', '1'",
        "lr-find --lr 0.1                | Unknown options: '--lr', '0.1'",
        "lr-find --stats-every 5         | Unknown options: '--stats-every', '5'",
        "bench-speed --images 10         | Invalid value for option '--images': 10 must be >= --batch (64)",
        "bench-speed --rounds 0          | Invalid value for option '--rounds': 0 must be >= 1",
        "bench-overhead --without plots --examples | Invalid value for option '--without': plots (expected stats, "
                + "rates, evaluation, checkpoint, progress or all)",
        "bench-overhead --without stats,stats --examples | Invalid value for option '--without': stats is listed "
                + "twice",
        "''                              | Missing command: one of compare, train, lr-find, shapes, ui, "
                + "bench-overhead, bench-speed, spark-cluster (try: examples/run compare)",
    })
    void badArgumentsExitWithTwoAndAMessage(String line, String message) {
        Cli cli = Cli.run(line.isEmpty() ? new String[0] : line.split(" "));
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err).as(cli.toString()).contains(message);
        String option = line.contains(" --") ? line.substring(line.indexOf(" --") + 1).split(" ")[0] : null;
        if (option != null && !message.contains("Missing") && !message.contains("Unknown")
                && !message.contains("mutually")) {
            assertThat(cli.err).as("names the option").contains("Invalid value for option '" + option + "'");
        }
        assertNoStackTrace(cli);
    }

    @Test
    void uiCommandNamesAMissingStatsFileAndABadPort() {
        Cli missing = Cli.run("ui", "--stats", dir.resolve("nothing.dl4j").toString());
        assertThat(missing.exitCode).as(missing.toString()).isEqualTo(1);
        assertThat(missing.err).contains("error: --stats " + dir.resolve("nothing.dl4j") + ": no such file");
        assertNoStackTrace(missing);
        Cli noStats = Cli.run("ui");
        assertThat(noStats.exitCode).isEqualTo(2);
        assertThat(noStats.err).contains("--stats");
        Cli help = Cli.run("ui", "--help");
        assertThat(help.exitCode).isZero();
        assertThat(help.out).contains("--stats", "--ui-port");
        assertThat(Cli.run("compare", "--help").out).contains("--ui", "--ui-port");
    }

    @Test
    void missingDataDirectoryListsTheExpectedFiles() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Cli cli = Cli.run("compare", "--data-dir", empty.toString(), "--out", dir.resolve("o1").toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err).contains("error: " + empty + ": no train-images-idx3-ubyte",
                "train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], "
                        + "t10k-labels-idx1-ubyte[.gz]");
        assertNoStackTrace(cli);
        Cli notThere = Cli.run("compare", "--data-dir", dir.resolve("nowhere").toString(), "--out",
                dir.resolve("o2").toString());
        assertThat(notThere.exitCode).isEqualTo(1);
        assertThat(notThere.err).contains("nowhere is not a directory");
    }

    @Test
    void aScheduleThatCannotFitTheRunStopsItBeforeAnyTraining() {
        Path out = dir.resolve("short");
        Cli cli = Cli.run("compare", "--data", "embedded", "--train-limit", "50", "--epochs", "1", "--no-progress",
                "--out", out.toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err).contains("error: onecycle cannot fit a run of 1 iterations", "--epochs", "--batch");
        assertNoStackTrace(cli);
        assertThat(out).doesNotExist();
    }

    @Test
    void cudaProfileOnTheCpuBuildEndsWithOneMessage() {
        Cli cli = Cli.run(args(new String[] {"compare"}, args(TINY, "--profile", "../gpu-profiles/cuda.properties",
                "--out", dir.toString())));
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err.trim()).startsWith("error: profile ../gpu-profiles/cuda.properties asks for CUDA")
                .contains("examples/run --cuda").doesNotContain("\n");
        assertNoStackTrace(cli);
    }

    @Test
    void badProfileNamesFileKeyAndValue() throws IOException {
        Path profile = Files.writeString(dir.resolve("mine.properties"), "batch=64\nprefetsh=2\n");
        Cli cli = Cli.run(args(new String[] {"compare"}, args(TINY, "--profile", profile.toString(), "--out",
                dir.resolve("o").toString())));
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err).contains("error: " + profile + ": unknown key 'prefetsh' (value '2')");
        assertNoStackTrace(cli);
    }

    @Test
    void nonEmptyOutputDirectoryNeedsForce() throws IOException {
        Path outDir = Files.createDirectory(dir.resolve("busy"));
        Files.writeString(outDir.resolve("notes.txt"), "mine");
        Files.writeString(outDir.resolve("summary.md"), "an old run");
        String[] run = args(TINY, "--schedules", "constant", "--out", outDir.toString());
        Cli refused = Cli.run(args(new String[] {"compare"}, run));
        assertThat(refused.exitCode).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err).contains("--out " + outDir + " is not empty", "--force");
        assertNoStackTrace(refused);
        assertThat(Files.readString(outDir.resolve("summary.md"))).isEqualTo("an old run");

        Cli forced = Cli.run(args(new String[] {"compare", "--force"}, run));
        assertThat(forced.exitCode).as(forced.toString()).isZero();
        assertThat(Files.readString(outDir.resolve("summary.md"))).contains("| constant | ");
        assertThat(outDir.resolve("notes.txt")).hasContent("mine");
    }
}
