package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.examples.report.Charts;
import io.github.lrschedules.examples.report.Reports;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The {@code --out} directory: new, empty, or (with {@code --force}) cleared of a previous run's outputs. */
final class OutputDirectory {

    static final String STATS_FILE = "stats.dl4j";

    /** Everything a run writes; --force deletes these and nothing else. */
    static final List<String> OUTPUTS = List.of(STATS_FILE, Reports.METRICS_CSV, Reports.EPOCHS_CSV,
            Reports.SUMMARY_CSV, Reports.SUMMARY_MD, Reports.REPORT_HTML, Charts.LR_PNG, Charts.LOSS_PNG,
            Charts.ACCURACY_PNG, Charts.OVERVIEW_PNG);

    private OutputDirectory() {
    }

    /** {@code runs/<command>-<yyyyMMdd-HHmmss>} under the working directory. */
    static Path defaultFor(String command) {
        return Path.of("runs", command + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /**
     * Checks, before anything slow happens, that {@link #prepare} will accept {@code dir}.
     *
     * @throws ExamplesException if it is a file, or a non-empty directory without {@code force}
     */
    static void check(Path dir, boolean force) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ExamplesException("--out " + dir + " is a file, not a directory");
        }
        if (!force && Files.isDirectory(dir) && !isEmpty(dir)) {
            throw new ExamplesException("--out " + dir + " is not empty; choose another directory, or add --force to"
                    + " replace the outputs of the run that is there");
        }
    }

    /**
     * Makes {@code dir} ready for a run: creates it, or (with {@code force}) deletes the outputs of an earlier run.
     *
     * @throws ExamplesException if it is a file, or a non-empty directory without {@code force}
     */
    static Path prepare(Path dir, boolean force) throws IOException {
        check(dir, force);
        if (Files.isDirectory(dir) && !isEmpty(dir)) {
            for (String name : OUTPUTS) {
                Files.deleteIfExists(dir.resolve(name));
            }
            // MapDB's write-ahead logs beside stats.dl4j, if a run was interrupted
            try (DirectoryStream<Path> logs = Files.newDirectoryStream(dir, STATS_FILE + ".*")) {
                for (Path log : logs) {
                    Files.deleteIfExists(log);
                }
            }
        }
        Files.createDirectories(dir);
        return dir;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }
}
