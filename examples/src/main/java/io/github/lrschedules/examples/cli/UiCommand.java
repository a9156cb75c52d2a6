package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.ExamplesException;
import java.io.File;
import java.util.concurrent.Callable;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code examples/run ui --stats FILE}: reopens a finished comparison in the DL4J UI's Schedules page. */
@Command(name = "ui", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves the DL4J training UI for a finished comparison: its Schedules page overlays every"
                + " schedule of a stats.dl4j (learning rate, score, test accuracy). Stop with Ctrl+C.", ""},
        footer = {"", "Example: examples/run ui --stats runs/compare-20261122-1200/stats.dl4j"})
public final class UiCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--stats", required = true, paramLabel = "FILE",
            description = "The stats.dl4j that compare or train wrote (in its --out directory).")
    File stats;

    @Option(names = "--ui-port", defaultValue = "9000", paramLabel = "PORT",
            description = "Port of the UI server (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Override
    public Integer call() throws Exception {
        if (!stats.isFile()) {
            throw new ExamplesException("--stats " + stats + ": no such file (compare and train write stats.dl4j in"
                    + " their --out directory)");
        }
        String url = UiServer.serve(port, new FileStatsStorage(stats));
        spec.commandLine().getOut().println("Schedules page of the DL4J UI: " + url);
        UiServer.waitForever("Serving " + stats + ". Stop with Ctrl+C.", line -> spec.commandLine().getOut().println(line));
        return 0;
    }
}
