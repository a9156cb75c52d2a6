package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.averaging.WeightAveraging;
import io.github.lrschedules.checkpoint.Checkpoint;
import io.github.lrschedules.examples.resume.RunJournal;
import io.github.lrschedules.examples.resume.RunManifest;
import io.github.lrschedules.examples.schedule.ScheduleName;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.record.EpochMetricsReport;
import io.github.lrschedules.ui.LearningRateReports;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.api.StatsReport;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --resume}: a real {@code compare} (and {@code train}) process, in its own JVM with the examples' classpath,
 * is killed with SIGKILL in the middle of an epoch and resumed; its outputs are compared with those of an
 * uninterrupted run of the same options. MLP on 300 embedded MNIST digits (270 trained on, 30 held out), 200 test
 * digits, batches of 32, 3 epochs. Compared byte for byte: metrics.csv and resume/run.properties; epochs.csv and
 * summary.csv too, except their wall-clock columns ({@code seconds}, {@code train_seconds}), which are dropped
 * explicitly before comparing. stats.dl4j: the same sessions with reports at the same iterations.
 */
class ResumeTest {

    /** Options both runs share; plateau with patience 0 reduces as soon as the held-out loss does not improve. */
    static final List<String> OPTIONS = List.of("--data", "embedded", "--model", "mlp", "--epochs", "3", "--batch",
            "32", "--train-limit", "300", "--test-limit", "200", "--plateau-patience", "0", "--plateau-factor", "0.5");
    static final int EPOCHS = 3;
    static final Set<String> TIMING_COLUMNS = Set.of("seconds", "train_seconds");

    @TempDir
    Path temp;

    @Test
    void compareKilledMidEpochResumesToTheFilesOfAnUninterruptedRun() throws Exception {
        List<String> options = new ArrayList<>(OPTIONS);
        options.addAll(List.of("--schedules", "constant,plateau"));
        Path reference = temp.resolve("reference");
        Path killed = temp.resolve("killed");
        assertThat(runToEnd(command("compare", options, "--out", reference.toString()))).isZero();

        // Killed once the first schedule finished and the second has saved its first epoch (it is then training
        // its second).
        killWhen(command("compare", options, "--out", killed.toString()), killed, ScheduleName.PLATEAU);
        RunJournal interrupted = RunJournal.open(killed, null);
        assertThat(interrupted.complete()).isFalse();
        assertThat(interrupted.epochsDone(ScheduleName.CONSTANT)).isEqualTo(EPOCHS);
        assertThat(interrupted.interrupted()).isEqualTo(ScheduleName.PLATEAU);
        assertThat(interrupted.epochsDone(ScheduleName.PLATEAU)).isBetween(1, EPOCHS - 1);
        assertThat(killed.resolve("summary.csv")).doesNotExist();
        assertOneLibraryCheckpoint(killed);

        assertThat(runToEnd(command("compare", List.of(), "--resume", killed.toString()))).isZero();
        assertSameOutputs(reference, killed, List.of("constant", "plateau"));
    }

    /**
     * {@code --average ema}: the checkpoint keeps each run's EMA, so the resumed run reports the same averaged
     * accuracies and losses (epochs.csv, summary.csv, compared exactly) as the uninterrupted one. The loss tells a
     * restarted average apart where 200 test images' accuracy may not.
     */
    @Test
    void compareWithAnAverageKilledMidEpochResumesWithTheSameAverage() throws Exception {
        List<String> options = new ArrayList<>(OPTIONS);
        options.addAll(List.of("--schedules", "constant,warmcosine", "--average", "ema"));
        Path reference = temp.resolve("reference");
        Path killed = temp.resolve("killed");
        assertThat(runToEnd(command("compare", options, "--out", reference.toString()))).isZero();

        killWhen(command("compare", options, "--out", killed.toString()), killed, ScheduleName.WARMCOSINE);
        assertThat(RunJournal.open(killed, null).epochsDone(ScheduleName.WARMCOSINE)).isBetween(1, EPOCHS - 1);
        assertThat(Checkpoint.keys(RunJournal.file(killed))).containsExactlyInAnyOrder(RunJournal.KEY,
                WeightAveraging.STATE_KEY);

        assertThat(runToEnd(command("compare", List.of(), "--resume", killed.toString()))).isZero();
        assertSameOutputs(reference, killed, List.of("constant", "warmcosine"));
        assertThat(Csv.read(killed.resolve("epochs.csv")).rows).allSatisfy(row -> {
            assertThat(Csv.number(row, "averaged_test_accuracy")).isBetween(0.0, 1.0);
            assertThat(Csv.number(row, "averaged_test_loss")).isPositive();
        });
    }

    @Test
    void trainKilledMidEpochResumesToTheFilesOfAnUninterruptedRun() throws Exception {
        List<String> options = new ArrayList<>(OPTIONS);
        options.addAll(List.of("--schedule", "plateau"));
        Path reference = temp.resolve("reference");
        Path killed = temp.resolve("killed");
        assertThat(runToEnd(command("train", options, "--out", reference.toString()))).isZero();

        killWhen(command("train", options, "--out", killed.toString()), killed, ScheduleName.PLATEAU);
        assertThat(RunJournal.open(killed, null).epochsDone(ScheduleName.PLATEAU)).isBetween(1, EPOCHS - 1);

        assertThat(runToEnd(command("train", List.of(), "--resume", killed.toString()))).isZero();
        assertSameOutputs(reference, killed, List.of("plateau"));
    }

    private void assertSameOutputs(Path reference, Path resumed, List<String> schedules) throws IOException {
        assertThat(files(resumed)).isEqualTo(files(reference));
        assertThat(Files.readString(resumed.resolve("metrics.csv")))
                .isEqualTo(Files.readString(reference.resolve("metrics.csv")));
        assertThat(Files.readString(resumed.resolve("resume/run.properties")))
                .isEqualTo(Files.readString(reference.resolve("resume/run.properties")));
        for (String csv : List.of("epochs.csv", "summary.csv")) {
            assertThat(withoutTiming(resumed.resolve(csv))).as(csv).isEqualTo(withoutTiming(reference.resolve(csv)));
        }
        // Each schedule's row count in metrics.csv: no row twice, none missing.
        List<String> rows = Files.readAllLines(resumed.resolve("metrics.csv"));
        int batches = (270 + 31) / 32;
        for (String s : schedules) {
            assertThat(rows.stream().filter(r -> r.startsWith(s + ","))).as(s).hasSize(EPOCHS * batches);
        }
        assertThat(reports(resumed)).isEqualTo(reports(reference));
        assertThat(RunJournal.open(resumed, null).complete()).isTrue();
    }

    /**
     * The run's checkpoint is the library's format: one flat zip that DL4J reads, the model with its updater, the
     * plateau state and the run's record; no nested model zip and no copy of stats.dl4j.
     */
    private static void assertOneLibraryCheckpoint(Path dir) throws IOException {
        Path file = RunJournal.file(dir);
        assertThat(Checkpoint.keys(file)).containsExactly(RunJournal.KEY, ReduceLROnPlateauListener.STATE_KEY);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            assertThat(zip.stream().map(ZipEntry::getName)).containsExactly("configuration.json", "coefficients.bin",
                    "updaterState.bin", "objects/" + RunJournal.KEY, "objects/" + ReduceLROnPlateauListener.STATE_KEY);
        }
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        assertThat(net.getEpochCount()).isBetween(1, EPOCHS - 1);
        try (Stream<Path> resume = Files.list(dir.resolve(RunManifest.FOLDER))) {
            assertThat(resume.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".tmp")))
                    .containsExactlyInAnyOrder(RunManifest.FILE, RunJournal.FILE);
        }
    }

    /** The CSV with the wall-clock columns removed. */
    private static List<List<String>> withoutTiming(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        assertThat(header).as(file + " has its timing columns where this test expects them").containsAll(
                file.getFileName().toString().equals("epochs.csv") ? TIMING_COLUMNS : Set.of("seconds"));
        List<List<String>> kept = new ArrayList<>();
        for (String line : lines) {
            String[] cells = line.split(",", -1);
            List<String> row = new ArrayList<>();
            for (int i = 0; i < cells.length; i++) {
                if (!TIMING_COLUMNS.contains(header.get(i))) {
                    row.add(cells[i]);
                }
            }
            kept.add(row);
        }
        return kept;
    }

    /**
     * Per session (schedule): the iteration of every StatsListener report and every recorded row in stats.dl4j, then
     * the epoch of every test accuracy recorded (measured while the next epoch trains, so sent after some of its
     * reports), each once.
     */
    private static Map<String, List<Integer>> reports(Path dir) {
        Map<String, List<Integer>> iterations = new LinkedHashMap<>();
        FileStatsStorage storage = new FileStatsStorage(dir.resolve("stats.dl4j").toFile());
        try {
            for (String session : new TreeSet<>(storage.listSessionIDs())) {
                List<Integer> its = new ArrayList<>();
                for (String worker : storage.listWorkerIDsForSessionAndType(session, StatsListener.TYPE_ID)) {
                    for (Persistable p : storage.getAllUpdatesAfter(session, StatsListener.TYPE_ID, worker, 0)) {
                        its.add(((StatsReport) p).getIterationCount());
                    }
                }
                // the recorded rows, in blocks
                for (int iteration : LearningRateReports.read(storage, session, LearningRateReports.WORKER_ID)
                        .iterations()) {
                    its.add(iteration);
                }
                List<Integer> epochs = new ArrayList<>();
                for (String worker : storage.listWorkerIDsForSessionAndType(session, EpochMetricsReport.TYPE_ID)) {
                    for (Persistable p : storage.getAllUpdatesAfter(session, EpochMetricsReport.TYPE_ID, worker, 0)) {
                        epochs.add(((EpochMetricsReport) p).getEpoch());
                    }
                }
                assertThat(epochs).as(session + ": the epochs of the test accuracies").isSorted().doesNotHaveDuplicates()
                        .hasSize(EPOCHS);
                its.addAll(epochs);
                iterations.put(session, its);
            }
        } finally {
            storage.close();
        }
        assertThat(iterations).isNotEmpty();
        return iterations;
    }

    /** Every file under {@code dir}, relative. */
    private static Set<String> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** java with this JVM's classpath (the examples' classes and dependencies) running {@code Main}. */
    private List<String> command(String name, List<String> options, String... more) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        // the temporary folder of this test JVM (the build folder): a killed process cannot remove its temporary files
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        String extension = System.getProperty("org.bytedeco.javacpp.platform.extension");
        if (extension != null) {
            cmd.add("-Dorg.bytedeco.javacpp.platform.extension=" + extension);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add(name);
        cmd.addAll(options);
        cmd.addAll(Arrays.asList(more));
        cmd.add("--no-progress");
        return cmd;
    }

    private final Map<Process, Path> logs = new LinkedHashMap<>();

    private Process start(List<String> cmd) throws IOException {
        Path log = Files.createTempFile(temp, "process", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        logs.put(p, log);
        return p;
    }

    /** The command's arguments after the classpath, and what it printed. */
    private String describe(List<String> cmd, Process p) throws IOException {
        return String.join(" ", cmd.subList(cmd.indexOf(Main.class.getName()), cmd.size())) + "\n"
                + Files.readString(logs.get(p));
    }

    private int runToEnd(List<String> cmd) throws Exception {
        Process p = start(cmd);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("finished").isTrue();
        assertThat(p.exitValue()).as(describe(cmd, p)).isZero();
        return p.exitValue();
    }

    /**
     * Starts {@code cmd} and sends it SIGKILL as soon as the checkpoint in {@code dir} holds at least one epoch of
     * {@code schedule}, which is then training its next epoch.
     */
    private void killWhen(List<String> cmd, Path dir, ScheduleName schedule) throws Exception {
        Process p = start(cmd);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try {
            while (true) {
                if (!p.isAlive()) {
                    throw new AssertionError("ended before the kill: " + describe(cmd, p));
                }
                assertThat(System.nanoTime()).as("checkpoint of " + schedule + " within 10 minutes")
                        .isLessThan(deadline);
                if (Files.isRegularFile(RunJournal.file(dir))) {
                    try {
                        RunJournal journal = RunJournal.open(dir, null);
                        if (journal.interrupted() == schedule && journal.epochsDone(schedule) >= 1) {
                            break;
                        }
                    } catch (IOException | RuntimeException replacedWhileRead) {
                        // moved into place while being opened: look again
                    }
                }
                Thread.sleep(20);
            }
            Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
        } finally {
            p.destroyForcibly();
        }
        assertThat(RunManifest.existsIn(dir)).isTrue();
        assertThat(new File(dir.toFile(), "resume").isDirectory()).isTrue();
    }
}
