package io.github.lrschedules.examples.resume;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.core.storage.StorageMetaData;

/**
 * The run's {@code stats.dl4j} as the trainer writes to it, without a copy of the file in the checkpoint: it counts
 * the update reports per session, type and worker, the checkpoint records the counts, and a resumed run drops the
 * reports the killed process had already written after its checkpoint. Training is deterministic, so the resumed
 * process sends the same reports again in the same order: the first {@code (count now - count at the checkpoint)} of
 * each kind are those already in the file. Static information and metadata are replaced, as DL4J does. A record
 * written again under its key (the overview of a span of rows, which {@code LearningRateReports.write} writes again
 * while the span fills) does not add to the file's count, so none is skipped: the overview of the killed process's
 * last span keeps the rows of an epoch it wrote after its checkpoint, and a Schedules page that reads a session from
 * its overviews (more than 800,000 rows) counts that epoch's iterations twice; the blocks, and the values drawn, are
 * exact.
 *
 * <p>The file is written by a thread of its own, in the order the reports come: {@code FileStatsStorage} commits (and
 * syncs) every report to disk, which costs the training thread a few milliseconds each. {@link #counts()} counts the
 * reports sent; {@link #flush()} waits until they are all in the file, and the checkpoint that records the counts is
 * written only after it (see {@link RunJournal}), so that a kill never leaves a checkpoint that counts a report the
 * file lacks. A write that fails surfaces in the next call from the trainer, or in {@link #flush()}.
 */
public final class StatsReplay implements StatsStorageRouter {

    private final StatsStorage storage;
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final Map<String, Integer> toSkip = new HashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stats-writer");
        thread.setDaemon(true);
        return thread;
    });
    /** The last write handed to the writer: the writes run in order, so it finishes last. */
    private Future<?> last;
    /** The first write that failed, reported by every later call. */
    private volatile Throwable failed;

    public StatsReplay(StatsStorage storage) {
        this.storage = storage;
        for (String session : storage.listSessionIDs()) {
            for (String type : storage.listTypeIDsForSession(session)) {
                for (String worker : storage.listWorkerIDsForSessionAndType(session, type)) {
                    counts.put(key(session, type, worker), storage.getNumUpdateRecordsFor(session, type, worker));
                }
            }
        }
    }

    private static String key(String session, String type, String worker) {
        return session + "/" + type + "/" + worker;
    }

    /** The storage written to. */
    public StatsStorage storage() {
        return storage;
    }

    /** Update reports per {@code session/type/worker} in the file now, for the checkpoint. */
    public synchronized Map<String, Integer> counts() {
        return new LinkedHashMap<>(counts);
    }

    /** Drops, of each kind, the reports the file holds beyond {@code atCheckpoint}: they will be sent again. */
    public synchronized void skipRepeats(Map<String, Integer> atCheckpoint) {
        toSkip.clear();
        for (Map.Entry<String, Integer> now : counts.entrySet()) {
            int repeated = now.getValue() - atCheckpoint.getOrDefault(now.getKey(), 0);
            if (repeated > 0) {
                toSkip.put(now.getKey(), repeated);
            }
        }
    }

    /**
     * Waits until every report sent so far is in the file.
     *
     * @throws IllegalStateException if a write failed (the file then lacks that report and those after it)
     */
    public void flush() {
        Future<?> pending;
        synchronized (this) {
            pending = last;
        }
        if (pending != null) {
            try {
                pending.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the reports were written to " + storage, e);
            } catch (ExecutionException e) {
                // recorded by write(); reported below
            }
        }
        checkWrites();
    }

    /** Writes what was sent, then stops the writer thread; the storage stays open (its owner closes it). */
    public void close() {
        try {
            flush();
        } finally {
            writer.shutdown();
        }
    }

    private void checkWrites() {
        Throwable cause = failed;
        if (cause != null) {
            throw new IllegalStateException("cannot write the training reports to " + storage + ": " + cause, cause);
        }
    }

    /** Hands {@code write} to the writer thread, after every earlier one. */
    private synchronized void write(Runnable write) {
        checkWrites();
        last = writer.submit(() -> {
            if (failed != null) {
                return;
            }
            try {
                write.run();
            } catch (RuntimeException | Error e) {
                failed = e;
                throw e;
            }
        });
    }

    @Override
    public synchronized void putUpdate(Persistable update) {
        String key = key(update.getSessionID(), update.getTypeID(), update.getWorkerID());
        int skip = toSkip.getOrDefault(key, 0);
        if (skip > 0) {
            toSkip.put(key, skip - 1);
            return;
        }
        write(() -> storage.putUpdate(update));
        counts.merge(key, 1, Integer::sum);
    }

    @Override
    public void putUpdate(Collection<? extends Persistable> updates) {
        for (Persistable update : updates) {
            putUpdate(update);
        }
    }

    @Override
    public void putStorageMetaData(StorageMetaData metaData) {
        write(() -> storage.putStorageMetaData(metaData));
    }

    @Override
    public void putStorageMetaData(Collection<? extends StorageMetaData> metaData) {
        for (StorageMetaData m : metaData) {
            putStorageMetaData(m);
        }
    }

    @Override
    public void putStaticInfo(Persistable staticInfo) {
        write(() -> storage.putStaticInfo(staticInfo));
    }

    @Override
    public void putStaticInfo(Collection<? extends Persistable> staticInfo) {
        for (Persistable p : staticInfo) {
            putStaticInfo(p);
        }
    }
}
