package io.github.lrschedules.examples.report;

import io.github.lrschedules.examples.train.EpochStats;
import io.github.lrschedules.examples.train.RunResult;
import io.github.lrschedules.plateau.Reduction;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The text outputs of a comparison: CSV files, the Markdown summary, the HTML report and the console table. */
public final class Reports {

    public static final String METRICS_CSV = "metrics.csv";
    public static final String EPOCHS_CSV = "epochs.csv";
    public static final String SUMMARY_CSV = "summary.csv";
    public static final String SUMMARY_MD = "summary.md";
    public static final String REPORT_HTML = "report.html";

    private Reports() {
    }

    /**
     * {@code schedule,epoch,iteration,lr,loss}: one row per training iteration; epoch and iteration from 0 as DL4J counts
     * them ({@code listener(iteration, epoch)}, the library's learning-rate CSV), as in every other output.
     */
    public static void writeMetrics(Comparison comparison, Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("schedule,epoch,iteration,lr,loss\n");
            for (RunResult run : comparison.runs()) {
                String name = run.schedule().id();
                for (int i = 0; i < run.iterations().length; i++) {
                    out.write(name + "," + run.epochs()[i] + "," + run.iterations()[i] + "," + run.learningRates()[i]
                            + "," + run.losses()[i] + "\n");
                }
            }
        }
    }

    /**
     * {@code schedule,epoch,lr,train_loss,val_loss,val_accuracy,test_loss,test_accuracy,seconds,train_seconds}: one
     * row per schedule and epoch, measured after the epoch (epoch from 0); {@code seconds} since the start of the run,
     * evaluations included, {@code train_seconds} spent training in that epoch alone. With weight averaging
     * ({@code compare --average}) two more columns, {@code averaged_test_accuracy,averaged_test_loss}: the test
     * accuracy and loss at the averaged weights after the epoch, empty while there is no average yet (SWA before its
     * start epoch).
     */
    public static void writeEpochs(Comparison comparison, Path file) throws IOException {
        boolean averaged = comparison.averaged();
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("schedule,epoch,lr,train_loss,val_loss,val_accuracy,test_loss,test_accuracy,seconds,"
                    + "train_seconds" + (averaged ? ",averaged_test_accuracy,averaged_test_loss" : "") + "\n");
            for (RunResult run : comparison.runs()) {
                for (EpochStats e : run.epochStats()) {
                    out.write(run.schedule().id() + "," + e.epoch() + "," + e.learningRate() + "," + e.trainLoss() + ","
                            + number(e.validationLoss()) + "," + number(e.validationAccuracy()) + "," + e.testLoss()
                            + "," + e.testAccuracy() + "," + format("%.3f", e.seconds()) + ","
                            + format("%.3f", e.trainSeconds())
                            + (averaged ? "," + number(e.averagedTestAccuracy()) + ","
                            + number(e.averagedTestLoss()) : "") + "\n");
                }
            }
        }
    }

    /**
     * {@code schedule,test_accuracy,best_accuracy,best_epoch,epochs_to_target,target,final_lr,final_train_loss,
     * seconds,diverged_epoch}: one row per schedule in run order; {@code epochs_to_target} is empty if the target was
     * never reached (a count of epochs: 1 if the target was reached after epoch 0), {@code best_epoch} and
     * {@code diverged_epoch} count from 0, {@code diverged_epoch} is empty unless the training loss became NaN. With
     * weight averaging one more column, {@code averaged_test_accuracy}: the final test accuracy at the averaged
     * weights.
     */
    public static void writeSummaryCsv(Comparison comparison, Path file) throws IOException {
        boolean averaged = comparison.averaged();
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("schedule,test_accuracy,best_accuracy,best_epoch,epochs_to_target,target,final_lr,"
                    + "final_train_loss,seconds,diverged_epoch" + (averaged ? ",averaged_test_accuracy" : "") + "\n");
            for (RunResult run : comparison.runs()) {
                int toTarget = run.epochsToTarget();
                out.write(run.schedule().id() + "," + run.testAccuracy() + "," + run.best().testAccuracy() + ","
                        + run.best().epoch() + "," + (toTarget < 0 ? "" : Integer.toString(toTarget)) + ","
                        + comparison.target() + "," + run.last().learningRate() + "," + run.last().trainLoss() + ","
                        + format("%.3f", run.seconds()) + "," + (run.divergedAt() >= 0 ? run.divergedAt() : "")
                        + (averaged ? "," + number(run.last().averagedTestAccuracy()) : "") + "\n");
            }
        }
    }

    /** The summary table as Markdown, best final test accuracy first, with the settings and schedule details. */
    public static void writeSummaryMarkdown(Comparison comparison, Path file) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Learning-rate schedules compared\n\n");
        for (String line : comparison.settings()) {
            md.append("- ").append(line).append('\n');
        }
        md.append('\n');
        List<String> header = tableHeader(comparison);
        md.append("| ").append(String.join(" | ", header)).append(" |\n");
        md.append("|---|").append("---:|".repeat(header.size() - 1)).append('\n');
        for (List<String> row : tableRows(comparison)) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        RunResult winner = comparison.winner();
        md.append("\nBest final test accuracy: **").append(winner.schedule().id()).append("** (")
                .append(percent(winner.testAccuracy())).append(").\n\n## Schedules\n\n");
        for (RunResult run : comparison.runs()) {
            md.append("- **").append(run.schedule().id()).append("**: ").append(run.schedule().summary())
                    .append(". `").append(run.configuration()).append("`\n");
            for (Reduction r : run.reductions()) {
                md.append("  - from epoch ").append(r.getEpoch()).append(": lr ").append(sci(r.getOldLr()))
                        .append(" → ").append(sci(r.getNewLr())).append(" (held-out loss ")
                        .append(format("%.4f", r.getMetric())).append(", best ").append(format("%.4f", r.getBest()))
                        .append(")\n");
            }
        }
        md.append("\nCharts: `lr.png`, `loss.png`, `accuracy.png`; all numbers: `metrics.csv` (per iteration), "
                + "`epochs.csv` (per epoch), `summary.csv`; DL4J stats: `stats.dl4j` (one session per schedule).\n");
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
    }

    /** A self-contained page (no scripts, no external resources) with the table and the charts beside it. */
    public static void writeHtml(Comparison comparison, Path file) throws IOException {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<title>Learning-rate schedules compared</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em auto;max-width:1100px;color:#222}\n")
                .append("table{border-collapse:collapse;margin:1em 0}th,td{padding:4px 10px;border-bottom:1px solid #ccc}\n")
                .append("td.n{text-align:right;font-variant-numeric:tabular-nums}tr.best{font-weight:bold}\n")
                .append("img{max-width:100%;border:1px solid #eee;margin:.5em 0}code{font-size:90%}\n")
                .append("</style></head><body>\n<h1>Learning-rate schedules compared</h1>\n<ul>\n");
        for (String line : comparison.settings()) {
            html.append("<li>").append(escape(line)).append("</li>\n");
        }
        html.append("</ul>\n<table>\n<tr>");
        for (String h : tableHeader(comparison)) {
            html.append("<th>").append(escape(h)).append("</th>");
        }
        html.append("</tr>\n");
        boolean first = true;
        for (List<String> row : tableRows(comparison)) {
            html.append(first ? "<tr class=\"best\">" : "<tr>");
            for (int i = 0; i < row.size(); i++) {
                html.append(i == 0 ? "<td>" : "<td class=\"n\">").append(escape(row.get(i))).append("</td>");
            }
            html.append("</tr>\n");
            first = false;
        }
        html.append("</table>\n");
        html.append("<h2>Learning rate</h2>\n<img src=\"").append(Charts.LR_PNG)
                .append("\" alt=\"learning rate of every schedule per iteration, log scale\">\n");
        html.append("<h2>Test accuracy</h2>\n<img src=\"").append(Charts.ACCURACY_PNG)
                .append("\" alt=\"test accuracy after every epoch\">\n");
        html.append("<h2>Loss</h2>\n<img src=\"").append(Charts.LOSS_PNG)
                .append("\" alt=\"training loss (smoothed) and test loss\">\n");
        html.append("<h2>Schedules</h2>\n<ul>\n");
        for (RunResult run : comparison.runs()) {
            html.append("<li><b>").append(escape(run.schedule().id())).append("</b>: ")
                    .append(escape(run.schedule().summary())).append(".<br><code>").append(escape(run.configuration()))
                    .append("</code>");
            for (Reduction r : run.reductions()) {
                html.append("<br>from epoch ").append(r.getEpoch()).append(": lr ").append(sci(r.getOldLr()))
                        .append(" → ").append(sci(r.getNewLr()));
            }
            html.append("</li>\n");
        }
        html.append("</ul>\n<p>Data: <code>metrics.csv</code> (per iteration), <code>epochs.csv</code> (per epoch), ")
                .append("<code>summary.csv</code>, <code>stats.dl4j</code> (DL4J StatsStorage, one session per "
                        + "schedule).</p>\n</body></html>\n");
        Files.writeString(file, html.toString(), StandardCharsets.UTF_8);
    }

    /** The summary as a fixed-width console table, best first. */
    public static String consoleTable(Comparison comparison) {
        List<String> header = tableHeader(comparison);
        List<List<String>> rows = tableRows(comparison);
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder table = new StringBuilder();
        appendRow(table, header, widths);
        List<String> rule = new ArrayList<>();
        for (int w : widths) {
            rule.add("-".repeat(w));
        }
        appendRow(table, rule, widths);
        for (List<String> row : rows) {
            appendRow(table, row, widths);
        }
        return table.toString();
    }

    private static void appendRow(StringBuilder table, List<String> cells, int[] widths) {
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            String pad = " ".repeat(widths[i] - cell.length());
            table.append(i == 0 ? cell + pad : "  " + pad + cell);
        }
        table.append('\n');
    }

    /** The table's columns; with weight averaging the final accuracy at the averaged weights after the test's. */
    private static List<String> tableHeader(Comparison comparison) {
        List<String> header = new ArrayList<>(List.of("schedule", "test acc", "best acc (epoch)",
                "epochs to " + percent(comparison.target()), "final lr", "final train loss", "time (s)"));
        if (comparison.averaged()) {
            header.add(2, "averaged acc");
        }
        return header;
    }

    private static List<List<String>> tableRows(Comparison comparison) {
        List<List<String>> rows = new ArrayList<>();
        for (RunResult run : comparison.ranked()) {
            int toTarget = run.epochsToTarget();
            String accuracy = percent(run.testAccuracy())
                    + (run.divergedAt() >= 0 ? " (diverged in epoch " + run.divergedAt() + ")" : "");
            List<String> row = new ArrayList<>(List.of(run.schedule().id(), accuracy,
                    percent(run.best().testAccuracy()) + " (" + run.best().epoch() + ")",
                    toTarget < 0 ? "-" : Integer.toString(toTarget), sci(run.last().learningRate()),
                    format("%.4f", run.last().trainLoss()), format("%.1f", run.seconds())));
            if (comparison.averaged()) {
                double averaged = run.last().averagedTestAccuracy();
                row.add(2, Double.isNaN(averaged) ? "-" : percent(averaged));
            }
            rows.add(row);
        }
        return rows;
    }

    static String percent(double fraction) {
        return format("%.2f%%", 100 * fraction);
    }

    static String sci(double value) {
        return format("%.2e", value);
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "" : Double.toString(value);
    }

    private static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
