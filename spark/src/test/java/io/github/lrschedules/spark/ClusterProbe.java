package io.github.lrschedules.spark;

import io.github.lrschedules.record.LearningRateTable;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * A worker listener for a cluster, where the executors are other processes: each observation (task, attempt,
 * iteration, epoch, executor process, the learning rate of every parameter) is appended to a file of the probe's
 * folder, which the test reads on the driver. It can fault the first attempt of partition 0 once (across all
 * executors: a marker file decides) at a given iteration: throw, or write its process id into {@code kill-request}
 * and wait to be killed by the test.
 */
final class ClusterProbe extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Object LOCK = new Object();
    static final String KILL_REQUEST = "kill-request";
    static final String THROWN = "thrown";

    /** What the probe does at {@link #faultIteration}. */
    enum Fault { NONE, THROW, AWAIT_KILL }

    /** One observation on an executor. */
    static final class Row {
        final int partition;
        final int stageAttempt;
        final int attempt;
        final long pid;
        final int iteration;
        final int epoch;
        final Map<String, Double> rates;

        Row(String line) {
            String[] f = line.split(",");
            partition = Integer.parseInt(f[0]);
            stageAttempt = Integer.parseInt(f[1]);
            attempt = Integer.parseInt(f[2]);
            pid = Long.parseLong(f[3]);
            iteration = Integer.parseInt(f[4]);
            epoch = Integer.parseInt(f[5]);
            rates = new LinkedHashMap<>();
            for (int i = 6; i < f.length; i++) {
                String[] kv = f[i].split("=");
                rates.put(kv[0], Double.parseDouble(kv[1]));
            }
        }

        /** The task attempt that produced the row. */
        String attemptKey() {
            return "e" + epoch + "/p" + partition + "/s" + stageAttempt + "/a" + attempt + "/pid" + pid;
        }

        @Override
        public String toString() {
            return attemptKey() + " i=" + iteration;
        }
    }

    private final String dir;
    private final Fault fault;
    private final int faultIteration;

    ClusterProbe(Path dir, Fault fault, int faultIteration) {
        this.dir = dir.toAbsolutePath().toString();
        this.fault = fault;
        this.faultIteration = faultIteration;
    }

    /** Every row written so far, in no particular order. */
    static List<Row> rows(Path dir) throws IOException {
        List<Row> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("rows-"))
                    .collect(Collectors.toList())) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    out.add(new Row(line));
                }
            }
        }
        return out;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        TaskContext task = TaskContext.get();
        long pid = ProcessHandle.current().pid();
        StringBuilder line = new StringBuilder();
        line.append(task.partitionId()).append(',').append(task.stageAttemptNumber()).append(',')
                .append(task.attemptNumber()).append(',').append(pid).append(',').append(iteration).append(',')
                .append(epoch);
        for (Map.Entry<String, IUpdater> e : LearningRateTable.updatersByKey(model).entrySet()) {
            line.append(',').append(e.getKey()).append('=').append(e.getValue().getLearningRate(iteration, epoch));
        }
        line.append('\n');
        Path base = Paths.get(dir);
        try {
            synchronized (LOCK) {
                Files.writeString(base.resolve("rows-" + pid + ".csv"), line, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            if (fault != Fault.NONE && iteration == faultIteration && task.partitionId() == 0
                    && task.attemptNumber() == 0 && task.stageAttemptNumber() == 0) {
                if (fault == Fault.THROW && claim(base.resolve(THROWN), "")) {
                    throw new IllegalStateException("injected failure of partition 0 at iteration " + iteration);
                }
                if (fault == Fault.AWAIT_KILL && claim(base.resolve(KILL_REQUEST), String.valueOf(pid))) {
                    Thread.sleep(60_000);
                    throw new IllegalStateException("executor " + pid + " was not killed within 60 s");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** True for the one caller, in any process, that creates {@code marker}. */
    private static boolean claim(Path marker, String content) throws IOException {
        Path temp = Files.createTempFile(marker.getParent(), "claim", ".tmp");
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        try {
            Files.createLink(marker, temp);
            return true;
        } catch (FileAlreadyExistsException taken) {
            return false;
        } finally {
            Files.delete(temp);
        }
    }
}
