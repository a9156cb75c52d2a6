package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code --resume DIR} refuses, and what it says: a DIR with other options, of another command, from another
 * version, with other data, or none at all. The run resumed is a real {@code train} (constant, 1 epoch on 100
 * embedded digits), complete, so that resuming it only writes the reports again.
 */
class ResumeOptionsTest {

    static final List<String> RUN = List.of("train", "--schedule", "constant", "--data", "embedded", "--epochs", "1",
            "--batch", "50", "--train-limit", "100", "--test-limit", "100", "--no-progress");

    @TempDir
    static Path temp;
    static Path run;

    @BeforeAll
    static void trainOnce() {
        run = temp.resolve("run");
        Cli cli = cli(RUN, "--out", run.toString());
        assertThat(cli.exitCode).as(cli.toString()).isZero();
    }

    @Test
    void anOptionWithAnotherValueIsRefusedNamingItAndBothValues() {
        Cli cli = Cli.run("train", "--resume", run.toString(), "--epochs", "2");
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err).contains("--resume " + run + ": option '--epochs' differs: the run there was started with"
                + " 1, this command line gives 2; leave --epochs out to resume that run");

        cli = Cli.run("train", "--resume", run.toString(), "--schedule", "plateau");
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err).contains("option '--schedule' differs: the run there was started with constant, this"
                + " command line gives plateau");

        cli = Cli.run("train", "--resume", run.toString(), "--lr", "0.05");
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err).contains("option '--lr' differs: the run there was started with no value (the default),"
                + " this command line gives 0.05");
    }

    @Test
    void theRecordedValuesAreAcceptedAndACompleteRunOnlyWritesItsReportsAgain() throws IOException {
        String metrics = Files.readString(run.resolve("metrics.csv"));
        Files.delete(run.resolve("report.html"));
        Cli cli = Cli.run("train", "--resume", run.toString(), "--epochs", "1", "--data", "embedded", "--no-progress");
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        assertThat(cli.out).contains("Resuming the run in " + run + ": it is complete, the reports are written again");
        assertThat(Files.readString(run.resolve("metrics.csv"))).isEqualTo(metrics);
        assertThat(run.resolve("report.html")).isRegularFile();
    }

    @Test
    void aRunOfTheOtherCommandIsRefused() {
        Cli cli = Cli.run("compare", "--resume", run.toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err).contains("--resume " + run + ": the run there is a train run; resume it with examples/run"
                + " train --resume " + run);
    }

    @Test
    void aRunOfAnotherVersionIsRefusedNamingBoth() throws IOException {
        Path copy = copyOfRun("old-version");
        edit(copy, "version=", "version=dl4j-lr-schedules examples 0.0.1, library 0.0.1");
        Cli cli = Cli.run("train", "--resume", copy.toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err).contains("the run there was started by dl4j-lr-schedules examples 0.0.1, library 0.0.1,"
                + " this is dl4j-lr-schedules examples ").contains("resume it with that version, or start a new run");

        Path format = copyOfRun("old-format");
        edit(format, "format=", "format=0");
        cli = Cli.run("train", "--resume", format.toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err).contains("(saved state format 0)");
    }

    @Test
    void otherDataThanRecordedIsRefused() throws IOException {
        Path copy = copyOfRun("other-data");
        edit(copy, "setting.0=", "setting.0=Data\\: full MNIST");
        Cli cli = Cli.run("train", "--resume", copy.toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err).contains("the run there was started with \"Data: full MNIST\" but now it would be"
                + " \"Data: embedded MNIST subset");
    }

    @Test
    void outAndForceCannotBeCombinedWithResume() {
        Cli cli = Cli.run("train", "--resume", run.toString(), "--out", temp.resolve("elsewhere").toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err).contains("--resume continues the run in its own directory: leave out --out");
        cli = Cli.run("train", "--resume", run.toString(), "--force");
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err).contains("leave out --force");
    }

    @Test
    void aDirectoryWithoutARunIsRefused() throws IOException {
        Path missing = temp.resolve("missing");
        Cli cli = Cli.run("compare", "--resume", missing.toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err).contains("--resume " + missing + ": no such directory");

        Path empty = Files.createDirectories(temp.resolve("empty"));
        cli = Cli.run("compare", "--resume", empty.toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err).contains("--resume " + empty + ": no run to resume there (resume/run.properties is"
                + " missing");
    }

    @Test
    void aNewRunIntoADirectoryWithARunPointsToResume() {
        Cli cli = cli(RUN, "--out", run.toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err).contains("--out " + run + " holds a run started earlier; continue it with --resume " + run
                + ", or add --force to replace it");
    }

    @Test
    void trainWithoutScheduleOrResumeIsAUsageError() {
        Cli cli = Cli.run("train", "--epochs", "1");
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err).contains("Missing required option: '--schedule=NAME'");
    }

    private static Cli cli(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(Arrays.asList(more));
        return Cli.run(all.toArray(new String[0]));
    }

    private static Path copyOfRun(String name) throws IOException {
        Path copy = temp.resolve(name);
        try (Stream<Path> walk = Files.walk(run)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = copy.resolve(run.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return copy;
    }

    /** Replaces the line of resume/run.properties that starts with {@code prefix}. */
    private static void edit(Path dir, String prefix, String line) throws IOException {
        Path manifest = dir.resolve("resume").resolve("run.properties");
        List<String> lines = new ArrayList<>(Files.readAllLines(manifest));
        boolean found = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                lines.set(i, line);
                found = true;
            }
        }
        assertThat(found).as(prefix + " in " + lines).isTrue();
        Files.write(manifest, lines);
    }
}
