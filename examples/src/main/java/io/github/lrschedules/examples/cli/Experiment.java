package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.examples.data.LoadedData;
import io.github.lrschedules.examples.profile.RunProfile;
import io.github.lrschedules.examples.report.Charts;
import io.github.lrschedules.examples.report.Comparison;
import io.github.lrschedules.examples.report.Reports;
import io.github.lrschedules.examples.report.Words;
import io.github.lrschedules.examples.schedule.ScheduleName;
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

    private final RunOptions options;
    private final String command;
    private final PrintWriter out;

    Experiment(RunOptions options, String command, PrintWriter out) {
        this.options = options;
        this.command = command;
        this.out = out;
    }

    /** Runs the schedules in order and writes every output; returns the comparison. */
    Comparison run(List<ScheduleName> schedules) throws IOException, InterruptedException {
        RunContext context = RunContext.open(options, command, this::say);
        Path dir = context.outputDirectory();
        LoadedData loaded = context.loaded();
        PreparedData data = context.data();
        RunProfile profile = context.profile();
        if (data.testSize() == 0) {
            throw new ExamplesException("nothing to test on: " + data.sizes());
        }
        if (schedules.contains(ScheduleName.PLATEAU) && data.validationSize() == 0) {
            throw new ExamplesException("plateau monitors the held-out split, which is"
                    + " empty: use --val-fraction > 0 (and enough training images)");
        }
        RunSettings.Builder configured = context.settings();
        if (!options.maxLrAuto() && options.maxLr != null) {
            configured.oneCycleMax(options.maxLrValue());
        }
        RunSettings settings = configured.build();

        new Trainer(data, settings, null, Progress.none()).check(schedules);
        if (options.maxLrAuto()) {
            LearningRateFinderResult range = RangeTest.run(
                    LearningRateFinder.builder().minLr(1e-6).maxLr(10).iterations(100).build(), settings, data);
            // rounded as printed, so that the reports show the number the schedule uses
            settings = settings.withOneCycleMax(Double.parseDouble(Words.number(range.steepestDescentLr())));
            say("--max-lr auto: the LR range test suggests " + Words.number(settings.oneCycleMax())
                    + " for one-cycle's maximum (" + Words.rounded(range.stopReason()) + ")");
        }
        List<String> lines = settingsLines(loaded, data, settings, profile, schedules);
        for (String line : lines) {
            say(line);
        }
        say("");
        OutputDirectory.prepare(dir, options.force);
        Progress progress = Progress.choose(options.noProgress, System.console() != null, System.err);
        long start = System.nanoTime();
        List<RunResult> runs = new ArrayList<>();
        // One storage for the whole comparison, a session per schedule: DL4J's UI server can show it while it grows.
        FileStatsStorage stats = new FileStatsStorage(dir.resolve(OutputDirectory.STATS_FILE).toFile());
        if (options.ui) {
            say("Schedules page of the DL4J UI: " + UiServer.serve(options.uiPort, stats));
        }
        try {
            Trainer trainer = new Trainer(data, settings, stats, progress);
            for (ScheduleName schedule : schedules) {
                RunResult run = trainer.run(schedule);
                runs.add(run);
                say(String.format(Locale.ROOT, "%-10s test accuracy %.2f%%  (best %.2f%% after epoch %d)  %.1f s",
                        schedule.id(), 100 * run.testAccuracy(), 100 * run.best().testAccuracy(), run.best().epoch(),
                        run.seconds()));
                if (run.divergedAt() > 0) {
                    say(schedule.id() + " diverged: the training loss of epoch " + run.divergedAt() + " is not finite,"
                            + " so its run stopped there; try a lower --lr");
                }
            }
        } finally {
            if (!options.ui) {
                stats.close();
            }
        }
        double minutes = (System.nanoTime() - start) / 60e9;
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

    private List<String> settingsLines(LoadedData loaded, PreparedData data, RunSettings settings, RunProfile profile,
                                       List<ScheduleName> schedules) {
        List<String> lines = new ArrayList<>();
        lines.add("Data: " + loaded.description() + "; used " + data.sizes()
                + (data.validationSize() > 0 ? " (held out: the last " + Math.round(100 * options.valFraction)
                + "% of the training images, for every schedule)" : ""));
        int batches = (data.trainSize() + settings.batch() - 1) / settings.batch();
        lines.add(String.format(Locale.ROOT, "Model: %s; %s x %s of %d; Nesterov momentum 0.9; peak "
                        + "learning rate %s for every schedule", settings.model().description(),
                Words.count(settings.epochs(), "epoch"), Words.count(batches, "batch", "batches"), settings.batch(),
                Words.number(settings.learningRate())));
        lines.add("Seed " + settings.seed() + ": the same initial weights and the same batch order for every schedule"
                + " (" + schedules.size() + ": " + String.join(", ", ids(schedules)) + ")");
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
