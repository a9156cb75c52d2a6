package io.github.lrschedules.ui;

import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.record.LearningRateRows;
import io.github.lrschedules.record.LearningRateTable;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.testing.TestNets;
import io.github.lrschedules.updater.ScheduledAdam;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.api.UIServer;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Long runs, synthetic (a benchmark that prints figures, not a test): {@code ITERATIONS} iterations recorded by the
 * real {@link LearningRateRecorder} ({@code iterationDone} called on a real network with a one-cycle
 * {@code ScheduledAdam}, momentum and weight decay recorded too, no training step), its heap after a full GC and its
 * CSV's size; the heap of a {@link LearningRateTable} of as many rows of six equal rates (what the Spark module's
 * {@code AppliedLearningRates} holds); then {@code SESSIONS} such runs, with a score that changes at every row (as a
 * training score does; the recorder's network is not trained), written into one {@code FileStatsStorage} by
 * {@link LearningRateReports#write} (blocks of at most {@value LearningRateReports#BLOCK_ROWS} rows and the overview
 * of every span of {@value LearningRateReports#SPAN_ROWS} rows, as {@code examples/run compare} writes them), the
 * file's size, and the Schedules page's data endpoint over that file: the first answer of a freshly opened file (it
 * reads the overviews: a session of 10^6 rows is more than the page reads from blocks), and the median of later
 * answers through the real UI server over HTTP (the page polls every 3 s), also after each of five more epochs written
 * to one session, as a live run beside finished ones.
 *
 * <pre>
 * mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx4g -cp target/test-classes:target/classes:$(cat target/cp.txt) io.github.lrschedules.ui.LongRunBenchmark \
 *     ITERATIONS SESSIONS DIR [ITERATIONS_PER_SESSION [ROWS_PER_WRITE]]
 * </pre>
 *
 * The last argument (default: {@code ITERATIONS}) makes the sessions of the stats file shorter than the recorded run
 * (rows spread over the same one-cycle); {@code ROWS_PER_WRITE} (default: all) writes each session in calls of that
 * many rows, as a run writes an epoch at a time. {@code -Dlongrun.csv=false} skips the CSV.
 */
public final class LongRunBenchmark {

    private LongRunBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("longrun");
        int sessionIterations = args.length > 3 ? Integer.parseInt(args[3]) : iterations;
        int rowsPerWrite = args.length > 4 ? Integer.parseInt(args[4]) : Integer.MAX_VALUE;
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "%,d iterations recorded, %d sessions of %,d in the stats file, %d cores, max heap"
                        + " %,d MB, in %s%n", iterations, sessions, sessionIterations, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, dir);

        // 1. the recorder over a long run
        OneCycleSchedule.Builder cycle = OneCycleSchedule.builder(ScheduleType.ITERATION, 0.01, iterations);
        MultiLayerNetwork net = TestNets.mlp(new ScheduledAdam(cycle.build(), cycle.buildMomentum(), 0.999, 1e-8,
                new FixedSchedule(0.01)));
        long before = usedAfterGc();
        long start = System.nanoTime();
        LearningRateRecorder recorder = LearningRateRecorder.builder().momentum(true).weightDecay(true).build();
        for (int i = 0; i < iterations; i++) {
            recorder.iterationDone(net, i, i / 1_000);
        }
        double recordSeconds = (System.nanoTime() - start) / 1e9;
        long heap = usedAfterGc() - before;
        System.out.printf(Locale.ROOT, "recorder: %,d rows of %d rates + %d hyperparameter columns (%d stored columns)"
                        + " in %.1f s (%.0f ns/iteration); heap after GC %.1f MB (%.1f bytes/iteration)%n",
                recorder.size(), recorder.parameterKeys().size(), recorder.hyperparameterKeys().size(),
                recorder.columnCount(), recordSeconds, recordSeconds * 1e9 / iterations, heap / 1e6,
                heap / (double) iterations);
        if (Boolean.parseBoolean(System.getProperty("longrun.csv", "true"))) {
            Path csv = dir.resolve("lr.csv");
            start = System.nanoTime();
            recorder.writeCsv(csv);
            System.out.printf(Locale.ROOT, "recorder CSV: %.1f MB (%.0f bytes/iteration) in %.1f s%n",
                    Files.size(csv) / 1e6, Files.size(csv) / (double) iterations, (System.nanoTime() - start) / 1e9);
        }

        // 1b. the table behind the Spark module's AppliedLearningRates: six parameters under one schedule
        before = usedAfterGc();
        LearningRateTable applied = new LearningRateTable();
        applied.keys(List.of("0_W", "0_b", "1_W", "1_b", "2_W", "2_b"));
        double[] six = new double[6];
        for (int i = 0; i < iterations; i++) {
            Arrays.fill(six, 0.01 * (1 + Math.cos(Math.PI * i / iterations)) / 2);
            applied.append(i, i / 1_000, 1.0 / (1 + i), six);
        }
        heap = usedAfterGc() - before;
        System.out.printf(Locale.ROOT, "LearningRateTable (AppliedLearningRates' store), %,d rows of 6 equal rates:"
                + " heap after GC %.1f MB (%.1f bytes/row)%n", applied.size(), heap / 1e6, heap / (double) iterations);
        applied = null;

        // 2. ten sessions in one file storage, as LearningRateReports.write writes them
        LearningRateRecorder session = recorder;
        if (sessionIterations != iterations) {
            session = LearningRateRecorder.builder().momentum(true).weightDecay(true).build();
            for (int i = 0; i < sessionIterations; i++) {
                session.iterationDone(net, (int) ((long) i * iterations / sessionIterations), i / 1_000);
            }
        }
        LearningRateTable rows = withChangingScore(session);
        session = null;
        recorder = null;
        File file = dir.resolve("stats.dl4j").toFile();
        Files.deleteIfExists(file.toPath());
        FileStatsStorage writing = new FileStatsStorage(file);
        long blocks = 0;
        long writes = 0;
        long writeNanos = 0;
        LearningRateTable live = null;
        for (int s = 0; s < sessions; s++) {
            // as a run writes its rows: every rowsPerWrite rows (an epoch), the rows since the last write
            LearningRateTable growing = newTable(rows);
            for (int from = 0; from < rows.size(); from += rowsPerWrite) {
                int to = (int) Math.min(rows.size(), (long) from + rowsPerWrite);
                for (int r = from; r < to; r++) {
                    appendRow(growing, rows, r, rows.iteration(r), rows.epoch(r), rows.score(r));
                }
                start = System.nanoTime();
                LearningRateReports.write(growing, writing, "run-" + s, LearningRateReports.WORKER_ID,
                        1_000_000_000_000L + (long) s * 10 * sessionIterations, from);
                writeNanos += System.nanoTime() - start;
                blocks += (to - from + LearningRateReports.BLOCK_ROWS - 1) / LearningRateReports.BLOCK_ROWS;
                writes++;
            }
            if (s == 0) {
                live = growing;
            }
        }
        start = System.nanoTime();
        writing.close();
        double writeSeconds = (writeNanos + System.nanoTime() - start) / 1e9;
        long spans = sessions
                * ((sessionIterations + LearningRateReports.SPAN_ROWS - 1L) / LearningRateReports.SPAN_ROWS);
        System.out.printf(Locale.ROOT, "stats file: %d sessions x %,d rows written %,d rows at a time (%,d writes),"
                        + " %,d blocks and %,d span overviews, %.1f MB (%.1f bytes/row), written in %.1f s (%.1f ms per"
                        + " write)%n", sessions, sessionIterations, rowsPerWrite, writes, blocks, spans,
                file.length() / 1e6, file.length() / (double) sessions / sessionIterations, writeSeconds,
                writeSeconds * 1e3 / writes);

        // 3. the data endpoint over that file
        FileStatsStorage reading = new FileStatsStorage(file);
        before = usedAfterGc();
        SchedulesModule fresh = new SchedulesModule();
        fresh.onAttach(reading);
        start = System.nanoTime();
        SchedulesModule.Response first = fresh.data(null, null);
        double firstSeconds = (System.nanoTime() - start) / 1e9;
        check(first, sessions);
        System.out.printf(Locale.ROOT, "endpoint, first answer on the opened file: %.2f s, "
                + "%,d bytes; heap of the page's copy after GC %.1f MB%n", firstSeconds, first.body.length(),
                (usedAfterGc() - before) / 1e6);
        fresh.onDetach(reading);
        fresh = null;

        String url = SchedulesUi.start(0, reading);
        String data = "http://localhost:" + UIServer.getInstance().getPort() + SchedulesModule.DATA_PATH;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        double[] polls = new double[9];
        for (int k = 0; k < polls.length; k++) {
            String target = k % 3 == 2 ? data + "?param=0_b" : data;
            start = System.nanoTime();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(target))
                    .timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofString());
            polls[k] = (System.nanoTime() - start) / 1e9;
            check(new SchedulesModule.Response(response.statusCode(), response.body()), sessions);
            System.out.printf(Locale.ROOT, "  GET %s: %.3f s, %,d bytes%n", target.substring(target.indexOf("/sched")),
                    polls[k], response.body().length());
        }
        double[] later = Arrays.copyOfRange(polls, 1, polls.length);
        Arrays.sort(later);
        System.out.printf(Locale.ROOT, "endpoint over HTTP (%s): first %.2f s, median of the next %d %.3f s, max %.3f s%n",
                url, polls[0], later.length, later[later.length / 2], later[later.length - 1]);

        // a live run: session run-0 writes one more epoch (1,000 rows) into the open storage, the page polls
        rows = null;
        double[] afterWrite = new double[5];
        for (int k = 0; k < afterWrite.length; k++) {
            int from = live.size();
            for (int r = 0; r < 1_000; r++) {
                appendRow(live, live, from - 1, live.iteration(from - 1) + 1 + r, live.epoch(from - 1) + 1, 0.1);
            }
            LearningRateReports.write(live, reading, "run-0", LearningRateReports.WORKER_ID, 1_000_000_000_000L, from);
            start = System.nanoTime();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(data))
                    .timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofString());
            afterWrite[k] = (System.nanoTime() - start) / 1e9;
            check(new SchedulesModule.Response(response.statusCode(), response.body()), sessions);
        }
        Arrays.sort(afterWrite);
        System.out.printf(Locale.ROOT, "endpoint over HTTP after each of %d epochs (1,000 rows) written to one session:"
                + " median %.3f s, max %.3f s%n", afterWrite.length, afterWrite[afterWrite.length / 2],
                afterWrite[afterWrite.length - 1]);
        SchedulesUi.stop();
        reading.close();
    }

    /** The rows of {@code recorder} with a score that changes at every row, as a trained run's does. */
    private static LearningRateTable withChangingScore(LearningRateRecorder recorder) {
        LearningRateTable table = newTable(recorder);
        for (int r = 0; r < recorder.size(); r++) {
            double score = 2.3 * Math.exp(-r / 2e5) + 0.05 * Math.sin(r * 0.37);
            appendRow(table, recorder, r, recorder.iteration(r), recorder.epoch(r), score);
        }
        return table;
    }

    /** An empty table with the keys of {@code rows}. */
    private static LearningRateTable newTable(LearningRateRows rows) {
        LearningRateTable table = new LearningRateTable();
        table.keys(rows.parameterKeys(), rows.hyperparameterKeys());
        return table;
    }

    /** Appends to {@code table} the rates and hyperparameters of row {@code r} of {@code rows}, at the given counts. */
    private static void appendRow(LearningRateTable table, LearningRateRows rows, int r, int iteration, int epoch,
                                  double score) {
        double[] rates = new double[rows.parameterKeys().size()];
        for (int p = 0; p < rates.length; p++) {
            rates[p] = rows.learningRate(p, r);
        }
        double[] hyperparameters = new double[rows.hyperparameterKeys().size()];
        for (int h = 0; h < hyperparameters.length; h++) {
            hyperparameters[h] = rows.hyperparameter(h, r);
        }
        table.append(iteration, epoch, score, rates, hyperparameters);
    }

    private static void check(SchedulesModule.Response response, int sessions) {
        if (response.status != 200) {
            throw new AssertionError(response.status + ": " + response.body);
        }
        int count = response.body.split("\"reportedIterations\"", -1).length - 1;
        if (count != sessions || !response.body.contains("\"momentum\"")) {
            throw new AssertionError("expected " + sessions + " sessions with momentum, got " + count);
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
