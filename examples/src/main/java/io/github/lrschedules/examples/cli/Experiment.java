package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.examples.data.LoadedData;
import io.github.lrschedules.examples.profile.RunProfile;
import io.github.lrschedules.examples.report.Charts;
import io.github.lrschedules.examples.report.Comparison;
import io.github.lrschedules.examples.report.Reports;
import io.github.lrschedules.examples.report.Words;
import io.github.lrschedules.examples.resume.RunJournal;
import io.github.lrschedules.examples.resume.RunManifest;
import io.github.lrschedules.examples.resume.StatsReplay;
import io.github.lrschedules.examples.schedule.Averaging;
import io.github.lrschedules.examples.schedule.ScheduleName;
import io.github.lrschedules.examples.spark.SparkBackend;
import io.github.lrschedules.examples.train.Backend;
import io.github.lrschedules.examples.train.PreparedData;
import io.github.lrschedules.examples.train.Progress;
import io.github.lrschedules.examples.train.RangeTest;
import io.github.lrschedules.examples.train.RunResult;
import io.github.lrschedules.examples.train.RunSettings;
import io.github.lrschedules.examples.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.github.lrschedules.finder.LearningRateFinder;
import io.github.lrschedules.finder.LearningRateFinderResult;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What {@code train} and {@code compare} do: load the data, train each schedule from the same seed on the same
 * batches, then write the stats, CSV files, charts and reports into the output directory.
 */
final class Experiment {

    /** Where Spark's Export mode keeps the mini-batches of a fit, inside the output directory; removed after each. */
    static final String SPARK_EXPORT = ".spark-export";

    private final RunOptions options;
    private final String command;
    private final PrintWriter out;
    private RunManifest manifest;
    private boolean resuming;
    private String sparkMaster;
    private int averagingFrequency;
    private boolean sameDiff;
    private Averaging averaging;

    Experiment(RunOptions options, String command, PrintWriter out) {
        this.options = options;
        this.command = command;
        this.out = out;
    }

    /** Records {@code manifest} in the output directory, so that {@code --resume} can continue the run. */
    Experiment recording(RunManifest manifest) {
        this.manifest = manifest;
        return this;
    }

    /** Continues the run that {@code manifest} (read from the output directory) describes. */
    Experiment resuming(RunManifest manifest) {
        this.manifest = manifest;
        this.resuming = true;
        return this;
    }

    /** Trains the MLP as a SameDiff graph (see {@code train.SameDiffBackend}). */
    Experiment onSameDiff() {
        this.sameDiff = true;
        return this;
    }

    /** Trains every epoch with DL4J's Spark training on {@code master} (see {@link SparkBackend}). */
    Experiment onSpark(String master, int averagingFrequency) {
        this.sparkMaster = master;
        this.averagingFrequency = averagingFrequency;
        return this;
    }

    /** Keeps {@code averaging} beside every schedule's run ({@code compare --average}). */
    Experiment averaging(Averaging averaging) {
        this.averaging = averaging;
        return this;
    }

    /** Runs the schedules in order and writes every output; returns the comparison. */
    Comparison run(List<ScheduleName> schedules) throws IOException, InterruptedException {
        options.validate();
        RunContext context = RunContext.open(options.common(), command, this::say, resuming);
        PreparedData data = context.data();
        if (data.testSize() == 0) {
            throw new ExamplesException("nothing to test on: " + data.sizes());
        }
        if (schedules.contains(ScheduleName.PLATEAU) && data.validationSize() == 0) {
            throw new ExamplesException("plateau monitors the held-out split, which is"
                    + " empty: use --val-fraction > 0 (and enough training images)");
        }
        RunSettings settings = options.settings(context.settings()).averaging(averaging).build();
        // Spark's classes load only for a Spark run: SparkBackend is the one class that uses them.
        try (Backend backend = sparkMaster == null
                ? (sameDiff ? Backend.sameDiff(settings) : Backend.local(settings.prefetch()))
                : SparkBackend.start(sparkMaster, averagingFrequency, settings.batch(), settings.seed(),
                context.outputDirectory().resolve(SPARK_EXPORT))) {
            return run(schedules, context, settings, backend);
        }
    }

    /** --max-lr: a number, auto (the LR range test's suggestion), or the learning rate; set here and nowhere else. */
    private RunSettings withOneCyclePeak(RunSettings settings, PreparedData data) {
        if (options.maxLrAuto()) {
            LearningRateFinderResult range = RangeTest.run(
                    LearningRateFinder.builder().minLr(1e-6).maxLr(10).iterations(100).build(), settings, data);
            // rounded as printed, so that the reports show the number the schedule uses
            RunSettings auto = settings.withOneCycleMax(Double.parseDouble(Words.number(range.steepestDescentLr())));
            say("--max-lr auto: the LR range test suggests " + Words.number(auto.oneCycleMax())
                    + " for one-cycle's maximum (" + Words.rounded(range.stopReason()) + ")");
            return auto;
        }
        Double max = options.maxLrValue();
        return max == null ? settings : settings.withOneCycleMax(max);
    }

    private Comparison run(List<ScheduleName> schedules, RunContext context, RunSettings configured, Backend backend)
            throws IOException, InterruptedException {
        Path dir = context.outputDirectory();
        LoadedData loaded = context.loaded();
        PreparedData data = context.data();
        RunProfile profile = context.profile();
        new Trainer(data, configured, null, Progress.none(), backend).check(schedules);
        RunSettings settings = withOneCyclePeak(configured, data);
        List<String> lines = settingsLines(loaded, data, settings, profile, schedules);
        String backendLine = backend.description((data.trainSize() + settings.batch() - 1) / settings.batch());
        if (backendLine != null) {
            lines.add(backendLine);
        }
        for (String line : lines) {
            say(line);
        }
        say("");
        prepare(dir, lines);
        Progress progress = Progress.choose(options.noProgress, System.console() != null, System.err);
        List<RunResult> runs = new ArrayList<>();
        // One storage for the whole comparison, a session per schedule: DL4J's UI server can show it while it grows.
        FileStatsStorage stats = new FileStatsStorage(dir.resolve(OutputDirectory.STATS_FILE).toFile());
        StatsReplay replay = new StatsReplay(stats);
        RunJournal journal = startJournal(dir, replay, lines);
        if (options.ui) {
            say("Schedules page of the DL4J UI: " + UiServer.serve(options.uiPort, stats));
        }
        try {
            Trainer trainer = new Trainer(data, settings, replay, progress, backend).checkpointing(journal);
            for (ScheduleName schedule : schedules) {
                RunResult run = journal.finished(schedule);
                if (run == null) {
                    run = trainer.run(schedule);
                }
                runs.add(run);
                say(String.format(Locale.ROOT, "%-10s test accuracy %.2f%%  (best %.2f%% after epoch %d)  %.1f s",
                        schedule.id(), 100 * run.testAccuracy(), 100 * run.best().testAccuracy(), run.best().epoch(),
                        run.seconds()));
                if (run.divergedAt() >= 0) {
                    say(schedule.id() + " diverged: the training loss of epoch " + run.divergedAt() + " is not finite,"
                            + " so its run stopped there; try a lower --lr");
                }
            }
        } finally {
            try {
                replay.close();
            } finally {
                if (!options.ui) {
                    stats.close();
                }
            }
        }
        double minutes = journal.seconds() / 60;
        lines.add(String.format(Locale.ROOT, "Run %s, finished %s: %s in %.1f minutes", command,
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                Words.count(runs.size(), "schedule"), minutes));

        Comparison comparison = new Comparison(runs, lines, options.target);
        Reports.writeMetrics(comparison, dir.resolve(Reports.METRICS_CSV));
        Reports.writeEpochs(comparison, dir.resolve(Reports.EPOCHS_CSV));
        Reports.writeSummaryCsv(comparison, dir.resolve(Reports.SUMMARY_CSV));
        Reports.writeSummaryMarkdown(comparison, dir.resolve(Reports.SUMMARY_MD));
        Charts.writeAll(comparison, dir);
        Reports.writeHtml(comparison, dir.resolve(Reports.REPORT_HTML));
        journal.runDone();

        say("");
        out.print(Reports.consoleTable(comparison));
        say("");
        say(String.format(Locale.ROOT, "Best final test accuracy: %s. Total %.1f minutes.",
                comparison.winner().schedule().id(), minutes));
        say("Outputs in " + dir + ": report.html, summary.md, summary.csv, metrics.csv, epochs.csv, lr.png, loss.png,"
                + " accuracy.png, overview.png, stats.dl4j");
        if (options.ui) {
            UiServer.waitForever("Training done; the UI keeps serving. Stop with Ctrl+C (reopen later with:"
                    + " examples/run ui --stats " + dir.resolve(OutputDirectory.STATS_FILE) + ")", this::say);
        }
        return comparison;
    }

    /**
     * A new run: prepares the directory. A resumed run: checks that the data and model are the recorded ones, that
     * the checkpoint is not of the examples 1.0.0's format, and removes the files a killed process left half-written.
     */
    private void prepare(Path dir, List<String> lines) throws IOException {
        if (!resuming) {
            OutputDirectory.prepare(dir, options.common().force);
            return;
        }
        manifest.checkSettings(dir, described(lines));
        RunJournal.refuseOldFormat(dir);
        RunJournal.deleteUnfinishedWrites(dir);
    }

    /** The data and model lines: what the run trains on, as this run describes it. */
    private static List<String> described(List<String> lines) {
        return lines.subList(0, 2);
    }

    /**
     * A new run: records the manifest. A resumed run: reads the checkpoint, whose record tells {@code stats} which
     * reports the killed process wrote after it.
     */
    private RunJournal startJournal(Path dir, StatsReplay stats, List<String> lines) throws IOException {
        if (!resuming) {
            return RunJournal.start(dir, stats, manifest.withSettings(described(lines)));
        }
        RunJournal journal = RunJournal.open(dir, stats);
        ScheduleName interrupted = journal.interrupted();
        say("Resuming the run in " + dir + (journal.complete() ? ": it is complete, the reports are written again"
                : interrupted != null ? ": " + interrupted.id() + " continues from epoch "
                + journal.epochsDone(interrupted) : ": the next schedule starts from its first epoch"));
        return journal;
    }

    private List<String> settingsLines(LoadedData loaded, PreparedData data, RunSettings settings, RunProfile profile,
                                       List<ScheduleName> schedules) {
        List<String> lines = new ArrayList<>();
        lines.add("Data: " + loaded.description() + "; used " + data.sizes()
                + (data.validationSize() > 0 ? " (held out: the last " + Math.round(100 * options.common().valFraction)
                + "% of the training images, for every schedule)" : ""));
        int batches = (data.trainSize() + settings.batch() - 1) / settings.batch();
        lines.add(String.format(Locale.ROOT, "Model: %s; %s x %s of %d; Nesterov momentum 0.9; peak "
                        + "learning rate %s for every schedule", settings.model().description(),
                Words.count(settings.epochs(), "epoch"), Words.count(batches, "batch", "batches"), settings.batch(),
                Words.number(settings.learningRate())));
        lines.add("Seed " + settings.seed() + ": the same initial weights and the same batch order for every schedule"
                + " (" + schedules.size() + ": " + String.join(", ", ids(schedules)) + ")");
        if (settings.averaging() != null) {
            lines.add(settings.averaging().description());
        }
        lines.add("Hardware: " + profile + "; ND4J backend " + Nd4j.getBackend().getClass().getSimpleName() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores");
        return lines;
    }

    private static List<String> ids(List<ScheduleName> schedules) {
        List<String> ids = new ArrayList<>();
        for (ScheduleName s : schedules) {
            ids.add(s.id());
        }
        return ids;
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }
}
