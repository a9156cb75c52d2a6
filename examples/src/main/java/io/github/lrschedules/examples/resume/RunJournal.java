package io.github.lrschedules.examples.resume;

import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.examples.train.EpochCheckpoints;
import io.github.lrschedules.examples.train.RunResult;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.plateau.ReduceLROnPlateauState;
import io.github.lrschedules.internal.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The saved state of a resumable run, in {@code DIR/resume/checkpoint.zip}, rewritten as a whole (beside itself,
 * then moved into place: {@link AtomicFiles}) after every epoch and after every schedule, so that at any moment it
 * holds one consistent state, whenever the process is killed:
 * <ul>
 *   <li>the results of the schedules that finished (every recorded row, every epoch's measurements);</li>
 *   <li>for the schedule being trained, after its last finished epoch: the network with its updater state
 *       ({@code ModelSerializer}, iteration and epoch counts included), the plateau listener's state
 *       ({@link ReduceLROnPlateauListener#state()}), the rows and epochs so far, and the state of ND4J's random
 *       generator, which draws the dropout masks (the batch order is a function of seed and epoch already);</li>
 *   <li>a copy of {@code stats.dl4j} (and its write-ahead log) as it was at that moment, so that the DL4J reports of
 *       an epoch that was cut short are not kept twice.</li>
 * </ul>
 * When the run is complete, the checkpoint keeps only the results (a later {@code --resume} rewrites the reports).
 */
public final class RunJournal implements EpochCheckpoints {

    /** The checkpoint's file name inside {@link RunManifest#FOLDER}. */
    public static final String FILE = "checkpoint.zip";
    private static final String STATE_ENTRY = "state.ser";
    private static final String MODEL_ENTRY = "model.zip";
    private static final String STATS_PREFIX = "stats/";

    private final Path dir;
    private final String statsFile;
    private final List<RunResult> finished;
    private final Saved loaded;
    private final Map<String, byte[]> loadedModel;
    private final Map<String, byte[]> loadedStats;
    private final long startNanos = System.nanoTime();

    private RunJournal(Path dir, String statsFile, Saved loaded, Map<String, byte[]> model,
                       Map<String, byte[]> stats) {
        this.dir = dir;
        this.statsFile = statsFile;
        this.loaded = loaded;
        this.finished = new ArrayList<>(loaded == null ? List.of() : loaded.finished);
        this.loadedModel = model;
        this.loadedStats = stats;
    }

    /** The checkpoint's path inside a run's output directory. */
    public static Path file(Path dir) {
        return dir.resolve(RunManifest.FOLDER).resolve(FILE);
    }

    /**
     * A new run in {@code dir}: writes its manifest and removes any checkpoint of an earlier run there.
     *
     * @param statsFile the name of the DL4J stats file in {@code dir} ({@code stats.dl4j})
     */
    public static RunJournal start(Path dir, String statsFile, RunManifest manifest) throws IOException {
        Files.deleteIfExists(file(dir));
        manifest.write(dir);
        return new RunJournal(dir, statsFile, null, Map.of(), Map.of());
    }

    /**
     * The run saved in {@code dir} (its manifest checked by the caller); without a checkpoint yet (killed before its
     * first epoch ended), it starts from the beginning.
     *
     * @throws ExamplesException if the checkpoint cannot be read (another version, a damaged file)
     */
    public static RunJournal open(Path dir, String statsFile) throws IOException {
        Path file = file(dir);
        if (!Files.isRegularFile(file)) {
            return new RunJournal(dir, statsFile, null, Map.of(), Map.of());
        }
        Saved saved = null;
        Map<String, byte[]> model = new LinkedHashMap<>();
        Map<String, byte[]> stats = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                byte[] bytes;
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                if (entry.getName().equals(STATE_ENTRY)) {
                    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
                        saved = (Saved) in.readObject();
                    }
                } else if (entry.getName().equals(MODEL_ENTRY)) {
                    model.put(MODEL_ENTRY, bytes);
                } else if (entry.getName().startsWith(STATS_PREFIX)) {
                    stats.put(entry.getName().substring(STATS_PREFIX.length()), bytes);
                }
            }
        } catch (InvalidClassException | ClassNotFoundException | ClassCastException e) {
            throw new ExamplesException("--resume " + dir + ": " + file + " was saved by another version of the"
                    + " examples (" + e.getMessage() + "); resume it with that version, or start a new run", e);
        } catch (java.util.zip.ZipException e) {
            throw new ExamplesException("--resume " + dir + ": " + file + " is damaged (" + e.getMessage() + ")", e);
        }
        if (saved == null) {
            throw new ExamplesException("--resume " + dir + ": " + file + " holds no " + STATE_ENTRY);
        }
        return new RunJournal(dir, statsFile, saved, model, stats);
    }

    /**
     * Deletes the files that {@link AtomicFiles} was writing in {@code dir} and its resume folder when the process
     * was killed ({@code .metrics.csv123.tmp}); only while no process runs in {@code dir}.
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
        return loaded != null && loaded.current != null && loaded.current.schedule() == schedule
                ? loaded.current.epochStats().size() : 0;
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

    /**
     * Puts {@code stats.dl4j} back as it was at the checkpoint (call it before opening the file); a run killed before
     * its first checkpoint starts without one, as a new run does.
     */
    public void restoreStats() throws IOException {
        if (complete()) {
            return;
        }
        deleteStatsFiles();
        for (Map.Entry<String, byte[]> file : loadedStats.entrySet()) {
            Files.write(dir.resolve(file.getKey()), file.getValue());
        }
    }

    @Override
    public Continuation continuation(ScheduleName schedule, MultiLayerNetwork fresh) throws IOException {
        if (loaded == null || loaded.current == null || loaded.current.schedule() != schedule) {
            return null;
        }
        byte[] bytes = loadedModel.get(MODEL_ENTRY);
        if (bytes == null) {
            throw new ExamplesException("--resume " + dir + ": " + file(dir) + " holds no network for "
                    + schedule.id());
        }
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), true);
        if (net.numParams() != fresh.numParams() || !net.getLayerWiseConfigurations().getDataType()
                .equals(fresh.getLayerWiseConfigurations().getDataType())) {
            throw new ExamplesException("--resume " + dir + ": the saved network of " + schedule.id() + " has "
                    + net.numParams() + " parameters of " + net.getLayerWiseConfigurations().getDataType()
                    + "; this run builds " + fresh.numParams() + " of " + fresh.getLayerWiseConfigurations().getDataType());
        }
        RunResult soFar = loaded.current;
        Saved saved = loaded;
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
            public void restore(ReduceLROnPlateauListener plateau) {
                if (plateau != null) {
                    if (saved.plateau == null) {
                        throw new ExamplesException("--resume " + dir + ": the checkpoint of " + schedule.id()
                                + " holds no plateau state");
                    }
                    plateau.restore(saved.plateau);
                }
                Nd4j.getRandom().setStates(saved.randomRoot, saved.randomNode);
            }
        };
    }

    @Override
    public void epochDone(MultiLayerNetwork net, ReduceLROnPlateauListener plateau, RunResult soFar)
            throws IOException {
        Random random = Nd4j.getRandom();
        Saved saved = new Saved(finished, soFar, plateau == null ? null : plateau.state(), random.rootState(),
                random.nodeState(), seconds(), false);
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, model, true);
        write(saved, model.toByteArray(), true);
    }

    /** Records a finished schedule (its result kept, its network no longer). */
    public void scheduleDone(RunResult run) throws IOException {
        finished.removeIf(r -> r.schedule() == run.schedule());
        finished.add(run);
        write(new Saved(finished, null, null, 0, 0, seconds(), false), null, true);
    }

    /** Records that every schedule finished and every report was written: only the results are kept. */
    public void runDone() throws IOException {
        write(new Saved(finished, null, null, 0, 0, seconds(), true), null, false);
    }

    private void write(Saved saved, byte[] model, boolean withStats) throws IOException {
        Map<String, byte[]> stats = withStats ? readStatsFiles() : Map.of();
        AtomicFiles.write(file(dir), temp -> {
            try (OutputStream raw = Files.newOutputStream(temp); ZipOutputStream zip = new ZipOutputStream(raw)) {
                zip.putNextEntry(new ZipEntry(STATE_ENTRY));
                ObjectOutputStream out = new ObjectOutputStream(zip);
                out.writeObject(saved);
                out.flush();
                zip.closeEntry();
                if (model != null) {
                    zip.putNextEntry(new ZipEntry(MODEL_ENTRY));
                    zip.write(model);
                    zip.closeEntry();
                }
                for (Map.Entry<String, byte[]> file : stats.entrySet()) {
                    zip.putNextEntry(new ZipEntry(STATS_PREFIX + file.getKey()));
                    zip.write(file.getValue());
                    zip.closeEntry();
                }
            }
            // The file is complete on disk before it replaces the previous checkpoint (power loss, not only kill).
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(temp,
                    java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        });
    }

    /** The stats file and MapDB's files beside it ({@code stats.dl4j.wal.0}, ...). */
    private Map<String, byte[]> readStatsFiles() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, statsFile + "*")) {
            for (Path file : entries) {
                if (Files.isRegularFile(file)) {
                    files.put(file.getFileName().toString(), Files.readAllBytes(file));
                }
            }
        }
        return files;
    }

    private void deleteStatsFiles() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, statsFile + "*")) {
            for (Path file : entries) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** What the checkpoint's {@code state.ser} holds. */
    private static final class Saved implements Serializable {
        private static final long serialVersionUID = 1L;

        final List<RunResult> finished;
        final RunResult current;
        final ReduceLROnPlateauState plateau;
        final long randomRoot;
        final long randomNode;
        final double seconds;
        final boolean complete;

        Saved(List<RunResult> finished, RunResult current, ReduceLROnPlateauState plateau, long randomRoot,
              long randomNode, double seconds, boolean complete) {
            this.finished = new ArrayList<>(finished);
            this.current = current;
            this.plateau = plateau;
            this.randomRoot = randomRoot;
            this.randomNode = randomNode;
            this.seconds = seconds;
            this.complete = complete;
        }
    }
}
