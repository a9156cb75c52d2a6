package io.github.lrschedules.examples.resume;

import io.github.lrschedules.averaging.WeightAveraging;
import io.github.lrschedules.checkpoint.Checkpoint;
import io.github.lrschedules.checkpoint.Checkpointable;
import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.examples.train.EpochCheckpoints;
import io.github.lrschedules.examples.train.RunResult;
import io.github.lrschedules.record.EpochMetricsReport;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The saved state of a resumable run: one library {@link Checkpoint} in {@code DIR/resume/checkpoint.zip}, written
 * after every epoch and after every schedule (beside itself, then moved into place), so that at any moment it holds
 * one consistent state, whenever the process is killed. The zip holds:
 * <ul>
 *   <li>the network of the schedule being trained (of the last one trained, once it finished) with its updater state
 *       and iteration/epoch counts, in ModelSerializer's layout;</li>
 *   <li>the plateau listener's state (key {@code reduceLROnPlateau}), for the plateau schedule;</li>
 *   <li>the weight average and its counters (key {@code weightAveraging}), with {@code compare --average};</li>
 *   <li>the run's own record (key {@value #KEY}, a {@link Record}): the results of the schedules that finished, the
 *       rows and epochs so far of the one being trained, the state of ND4J's random generator (dropout masks; the
 *       batch order is a function of seed and epoch already), the seconds spent, and how many reports
 *       {@code stats.dl4j} held, so that the reports of an epoch cut short are written once ({@link StatsReplay});
 *       </li>
 *   <li>under Spark, the {@code SparkTrainingLoop}'s own state too: the loop writes this checkpoint itself.</li>
 * </ul>
 * The entries are stored without compression (parameters hardly compress). After an epoch the training thread only
 * takes a {@link Checkpoint.Snapshot} (a copy of parameters and updater state, the states serialized: a few
 * milliseconds for the MLP); a background thread writes it while the next epoch trains. The next checkpoint waits for
 * the previous write, so they land in order, and a kill during a write leaves the previous file in place. Every
 * checkpoint is written only once {@code stats.dl4j} holds the reports its record counts ({@link StatsReplay#flush()}).
 */
public final class RunJournal implements EpochCheckpoints, Checkpointable<RunJournal.Record> {

    /** The checkpoint's file name inside {@link RunManifest#FOLDER}. */
    public static final String FILE = "checkpoint.zip";
    /** The key of the run's record among the checkpoint's objects. */
    public static final String KEY = "examplesRun";
    /** An entry of the checkpoint format of the examples 1.0.0 (a model zip nested in the checkpoint). */
    private static final String OLD_STATE_ENTRY = "state.ser";

    private final Path dir;
    private final StatsReplay stats;
    private final List<RunResult> finished;
    private final Record loaded;
    private final long startNanos = System.nanoTime();
    /** The run being trained; set by the checkpoint writer for an epoch measured on another thread. */
    private volatile RunResult current;
    /** The record of the last epoch ended, while it is measured on another thread. */
    private CompletableFuture<MeasuredEpoch> measuring;
    private boolean runComplete;
    /** The network of the last schedule that finished in this process, kept in the checkpoint. */
    private MultiLayerNetwork last;
    /** Writes the per-epoch checkpoints while the next epoch trains. */
    private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "checkpoint-writer");
        thread.setDaemon(true);
        return thread;
    });
    private Future<Void> pending;

    private RunJournal(Path dir, StatsReplay stats, Record loaded) {
        this.dir = dir;
        this.stats = stats;
        this.loaded = loaded;
        this.finished = new ArrayList<>(loaded == null ? List.of() : loaded.finished);
        this.current = loaded == null ? null : loaded.current;
    }

    /** The checkpoint's path inside a run's output directory. */
    public static Path file(Path dir) {
        return dir.resolve(RunManifest.FOLDER).resolve(FILE);
    }

    /**
     * A new run in {@code dir}: writes its manifest and removes any checkpoint of an earlier run there.
     *
     * @param stats the run's {@code stats.dl4j}, as the trainer writes to it
     */
    public static RunJournal start(Path dir, StatsReplay stats, RunManifest manifest) throws IOException {
        Files.deleteIfExists(file(dir));
        manifest.write(dir);
        return new RunJournal(dir, stats, null);
    }

    /**
     * The run saved in {@code dir} (its manifest checked by the caller); without a checkpoint yet (killed before its
     * first epoch ended), it starts from the beginning.
     *
     * @param stats the run's {@code stats.dl4j}; null to read the checkpoint only
     * @throws ExamplesException if the checkpoint cannot be read (another version, a damaged file)
     */
    public static RunJournal open(Path dir, StatsReplay stats) throws IOException {
        Path file = file(dir);
        if (!Files.isRegularFile(file)) {
            return new RunJournal(dir, stats, null);
        }
        Record record;
        try {
            if (!Checkpoint.keys(file).contains(KEY)) {
                throw new ExamplesException("--resume " + dir + ": " + file + " holds no record of the run ("
                        + Checkpoint.keys(file) + ")");
            }
            record = Checkpoint.object(file, KEY, Record.class);
        } catch (IllegalArgumentException e) {
            throw new ExamplesException("--resume " + dir + ": " + file + " is not a checkpoint of the examples ("
                    + e.getMessage() + "); start a new run", e);
        } catch (IOException e) {
            throw new ExamplesException("--resume " + dir + ": " + file + " cannot be read (" + e.getMessage()
                    + "); resume it with the version that wrote it, or start a new run", e);
        }
        if (stats != null) {
            stats.skipRepeats(record.statsCounts);
        }
        return new RunJournal(dir, stats, record);
    }

    /**
     * Refuses a run directory saved by the examples 1.0.0, whose checkpoint nested the model zip in its own zip.
     *
     * @throws ExamplesException naming the directory and saying to start a new run
     */
    public static void refuseOldFormat(Path dir) throws IOException {
        Path file = file(dir);
        if (!Files.isRegularFile(file)) {
            return;
        }
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            if (zip.getEntry(OLD_STATE_ENTRY) != null) {
                throw new ExamplesException("--resume " + dir + ": the run there was saved in the checkpoint format of"
                        + " the examples 1.0.0 (a model zip inside " + file + "), which this version does not read;"
                        + " start a new run (--out)");
            }
        } catch (java.util.zip.ZipException e) {
            throw new ExamplesException("--resume " + dir + ": " + file + " is damaged (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Deletes the files that were being written in {@code dir} and its resume folder when the process was killed
     * ({@code .metrics.csv123.tmp}); only while no process runs in {@code dir}.
     */
    public static void deleteUnfinishedWrites(Path dir) throws IOException {
        deleteTemporaryFiles(dir);
        deleteTemporaryFiles(dir.resolve(RunManifest.FOLDER));
    }

    private static void deleteTemporaryFiles(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(folder, ".*.tmp")) {
            for (Path temp : temps) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * Epochs of {@code schedule} that the checkpoint holds: all of them if it finished, those before the
     * interruption if it was training, else 0.
     */
    public int epochsDone(ScheduleName schedule) {
        RunResult done = finished(schedule);
        if (done != null) {
            return done.epochStats().size();
        }
        return current != null && current.schedule() == schedule ? current.epochStats().size() : 0;
    }

    /** The schedule that was training at the checkpoint, or null. */
    public ScheduleName interrupted() {
        return loaded == null || loaded.current == null ? null : loaded.current.schedule();
    }

    /** True if every schedule had finished and every report was written. */
    public boolean complete() {
        return loaded != null && loaded.complete;
    }

    /** The result of {@code schedule} if it finished, else null. */
    public RunResult finished(ScheduleName schedule) {
        for (RunResult run : finished) {
            if (run.schedule() == schedule) {
                return run;
            }
        }
        return null;
    }

    /** Seconds that the earlier processes of this run spent up to the checkpoint, plus those of this one so far. */
    public double seconds() {
        return (loaded == null ? 0 : loaded.seconds) + (System.nanoTime() - startNanos) / 1e9;
    }

    // ---- EpochCheckpoints -----------------------------------------------------------------------------------------

    @Override
    public Continuation continuation(ScheduleName schedule, MultiLayerNetwork fresh) throws IOException {
        if (loaded == null || loaded.current == null || loaded.current.schedule() != schedule) {
            return null;
        }
        Path file = file(dir);
        MultiLayerNetwork net = Checkpoint.restoreMultiLayerNetwork(file);
        if (net.numParams() != fresh.numParams() || !net.getLayerWiseConfigurations().getDataType()
                .equals(fresh.getLayerWiseConfigurations().getDataType())) {
            throw new ExamplesException("--resume " + dir + ": the saved network of " + schedule.id() + " has "
                    + net.numParams() + " parameters of " + net.getLayerWiseConfigurations().getDataType()
                    + "; this run builds " + fresh.numParams() + " of " + fresh.getLayerWiseConfigurations().getDataType());
        }
        RunResult soFar = loaded.current;
        Record saved = loaded;
        return new Continuation() {
            @Override
            public MultiLayerNetwork network() {
                return net;
            }

            @Override
            public RunResult soFar() {
                return soFar;
            }

            @Override
            public void restore(Checkpointable<?>... states) throws IOException {
                for (Checkpointable<?> state : states) {
                    if (state == null) {
                        continue;
                    }
                    if (!Checkpoint.keys(file).contains(state.checkpointKey())) {
                        throw new ExamplesException("--resume " + dir + ": the checkpoint of " + schedule.id()
                                + " holds no " + (state instanceof WeightAveraging ? "weight average"
                                : "plateau state") + " (key " + state.checkpointKey() + ")");
                    }
                    Checkpoint.restore(file, state);
                }
                Nd4j.getRandom().setStates(saved.randomRoot, saved.randomNode);
            }
        };
    }

    @Override
    public void epochDone(RunResult soFar) {
        current = soFar;
        measuring = null;
    }

    @Override
    public void epochDone(CompletableFuture<MeasuredEpoch> soFar) {
        measuring = soFar;
    }

    @Override
    public Map<String, Integer> reportsSent() {
        return stats == null ? Map.of() : stats.counts();
    }

    @Override
    public void save(MultiLayerNetwork net, Checkpointable<?>... states) throws IOException {
        CompletableFuture<MeasuredEpoch> later = measuring;
        measuring = null;
        Checkpoint.Builder checkpoint = Checkpoint.of(net).compression(Checkpoint.Compression.NONE);
        if (later == null) {
            checkpoint.state(this);
        } else {
            // the record's place, first as always; written when the epoch is measured
            checkpoint.object(KEY, Boolean.FALSE);
        }
        for (Checkpointable<?> state : states) {
            if (state != null) {
                checkpoint.state(state);
            }
        }
        awaitWrite();
        Checkpoint.Snapshot snapshot = checkpoint.snapshot();
        // an epoch measured on another thread: everything but its row as at the epoch's end, the row when measured
        Record atEpochEnd = later == null ? null : state();
        Path file = file(dir);
        pending = writer.submit(() -> {
            Checkpoint.Snapshot complete = snapshot;
            if (later != null) {
                MeasuredEpoch measured = later.get();
                current = measured.soFar();
                Record record = atEpochEnd.measured(measured);
                complete = snapshot.with(recordOf(() -> record));
            }
            // the record counts the reports sent to stats.dl4j so far: they are in the file before the checkpoint is
            flushStats();
            complete.write(file);
            return null;
        });
    }

    /**
     * A record under this journal's key, as {@code state} gives it when the checkpoint takes it; restoring does
     * nothing ({@link #open} read the record before training started).
     */
    private static Checkpointable<Record> recordOf(Supplier<Record> state) {
        return new Checkpointable<Record>() {
            @Override
            public String checkpointKey() {
                return KEY;
            }

            @Override
            public Record state() {
                return state.get();
            }

            @Override
            public void restore(Record state) {
                // open() read the record from the same file before training started
            }
        };
    }

    /** Waits for the checkpoint being written in the background, if any; its failure surfaces here. */
    private void awaitWrite() throws IOException {
        if (pending == null) {
            return;
        }
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the checkpoint " + file(dir) + " was written", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException ? (IOException) e.getCause()
                    : new IOException("cannot write the checkpoint " + file(dir) + ": " + e.getCause(), e.getCause());
        } finally {
            pending = null;
        }
    }

    @Override
    public Path file() {
        return file(dir);
    }

    /**
     * The run's record for a loop that writes the checkpoint itself (Spark): its state waits until {@code stats.dl4j}
     * holds every report it counts.
     */
    @Override
    public Checkpointable<?> record() {
        return recordOf(() -> {
            flushStats();
            return state();
        });
    }

    private void flushStats() {
        if (stats != null) {
            stats.flush();
        }
    }

    /** Records a finished schedule (its result kept; the checkpoint keeps its network until the next one's). */
    @Override
    public void scheduleDone(RunResult run, MultiLayerNetwork net) throws IOException {
        // first the epoch's checkpoint still being written: it sets the run being trained when its record completes
        awaitWrite();
        measuring = null;
        finished.removeIf(r -> r.schedule() == run.schedule());
        finished.add(run);
        current = null;
        last = net;
        flushStats();
        Checkpoint.of(net).compression(Checkpoint.Compression.NONE).state(this).write(file(dir));
    }

    /** Records that every schedule finished and every report was written. */
    public void runDone() throws IOException {
        runComplete = true;
        awaitWrite();
        writer.shutdown();
        flushStats();
        MultiLayerNetwork net = last != null ? last : Checkpoint.restoreMultiLayerNetwork(file(dir));
        Checkpoint.of(net).compression(Checkpoint.Compression.NONE).state(this).write(file(dir));
    }

    // ---- Checkpointable: the run's record -------------------------------------------------------------------------

    @Override
    public String checkpointKey() {
        return KEY;
    }

    @Override
    public Record state() {
        Random random = Nd4j.getRandom();
        return new Record(finished, current, random.rootState(), random.nodeState(), seconds(), runComplete,
                stats == null ? Map.of() : stats.counts());
    }

    /** The record a loop that wrote the checkpoint itself (Spark) restores: already read by {@link #open}. */
    @Override
    public void restore(Record state) {
        // open() read the same record from the same file before training started
    }

    /** What the checkpoint's {@value #KEY} object holds. */
    public static final class Record implements Serializable {
        private static final long serialVersionUID = 2L;

        final List<RunResult> finished;
        final RunResult current;
        final long randomRoot;
        final long randomNode;
        final double seconds;
        final boolean complete;
        final Map<String, Integer> statsCounts;

        Record(List<RunResult> finished, RunResult current, long randomRoot, long randomNode, double seconds,
               boolean complete, Map<String, Integer> statsCounts) {
            this.finished = new ArrayList<>(finished);
            this.current = current;
            this.randomRoot = randomRoot;
            this.randomNode = randomNode;
            this.seconds = seconds;
            this.complete = complete;
            this.statsCounts = new LinkedHashMap<>(statsCounts);
        }

        /**
         * This record (taken at an epoch's end) with the epoch's row, measured on another thread: the counts of the
         * records that thread sends (the test accuracy of every epoch) as it sent them, the others as at the end.
         */
        Record measured(MeasuredEpoch epoch) {
            Map<String, Integer> counts = new LinkedHashMap<>(statsCounts);
            for (Map.Entry<String, Integer> sent : epoch.reportsSent().entrySet()) {
                if (sent.getKey().contains("/" + EpochMetricsReport.TYPE_ID + "/")) {
                    counts.put(sent.getKey(), sent.getValue());
                }
            }
            return new Record(finished, epoch.soFar(), randomRoot, randomNode, seconds, complete, counts);
        }
    }
}
