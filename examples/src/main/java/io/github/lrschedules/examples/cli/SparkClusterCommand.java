package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.spark.cluster.ApplicationJars;
import io.github.lrschedules.spark.cluster.LoopbackCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code examples/run spark-cluster start|stop|status}: a Spark standalone cluster on this machine, bound to 127.0.0.1,
 * run from the examples' own jars ({@link LoopbackCluster}), for {@code compare --master spark://127.0.0.1:PORT}.
 */
@Command(name = "spark-cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A Spark standalone cluster on this machine for compare --master: one Master and N Workers"
                + " (one core each) as JVMs run from the examples' jars (no Spark download), bound to 127.0.0.1 on"
                + " free ports. start prints the master URL and returns; the cluster runs until stop.", ""},
        footer = {"", "Example:", "  examples/run spark-cluster start --workers 2",
                "  examples/run compare --master spark://127.0.0.1:PORT --averaging-frequency 2",
                "  examples/run spark-cluster stop"})
public final class SparkClusterCommand {

    private static final String DEFAULT_DIR = "spark-cluster";

    @Spec
    CommandSpec spec;

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Starts the Master and the Workers, waits until the Workers have registered, prints the"
                    + " master URL. Logs, pid files and the Workers' work folders are in DIR (emptied first).")
    int start(@Option(names = "--workers", defaultValue = "2", paramLabel = "N",
                      description = "Workers, one core each (one executor each). Default: ${DEFAULT-VALUE}.")
              int workers,
              @Option(names = "--worker-memory", defaultValue = "1g", paramLabel = "SIZE",
                      description = "Memory each Worker offers its executor (Spark's executors ask for 1g unless"
                              + " spark.executor.memory says otherwise). Default: ${DEFAULT-VALUE}.")
              String workerMemory,
              @Option(names = "--dir", defaultValue = DEFAULT_DIR, paramLabel = "DIR",
                      description = "The cluster's folder. Default: ${DEFAULT-VALUE} (in the current folder).")
              Path dir) throws IOException, InterruptedException {
        if (workers < 1) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--workers': " + workers
                    + " (must be >= 1)");
        }
        if (!workerMemory.matches("[1-9][0-9]*[kmgtKMGT]")) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--worker-memory': '"
                    + workerMemory + "' (a number and k, m, g or t, e.g. 1g)");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path home = dir.toAbsolutePath().normalize();
        Optional<String> running = LoopbackCluster.running(home);
        if (running.isPresent()) {
            throw new ExamplesException("a cluster already runs from " + home + " (" + running.get() + "): stop it"
                    + " with examples/run spark-cluster stop" + dirOption(dir) + ", or start one with another --dir");
        }
        long started = System.nanoTime();
        LoopbackCluster cluster;
        try {
            cluster = LoopbackCluster.start(home, workers, workerMemory, ApplicationJars.classPath());
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new ExamplesException("the cluster did not start: " + e.getMessage());
        }
        cluster.detach();
        out.printf(Locale.ROOT, "Spark standalone cluster up in %.1f s: a Master and %d Worker%s (one core, %s each)"
                        + " on 127.0.0.1; logs in %s%n", (System.nanoTime() - started) / 1e9, workers,
                workers == 1 ? "" : "s", workerMemory, home.resolve("logs"));
        out.println(cluster.masterUrl());
        out.println("Run: examples/run compare --master " + cluster.masterUrl());
        out.println("Stop: examples/run spark-cluster stop" + dirOption(dir));
        return 0;
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Kills the Master, the Workers and their executors started from DIR.")
    int stop(@Option(names = "--dir", defaultValue = DEFAULT_DIR, paramLabel = "DIR",
                     description = "The cluster's folder. Default: ${DEFAULT-VALUE} (in the current folder).")
             Path dir) throws IOException {
        Path home = dir.toAbsolutePath().normalize();
        int stopped = LoopbackCluster.stop(home);
        spec.commandLine().getOut().println(stopped == 0 ? "no cluster runs from " + home
                : "stopped " + stopped + " Spark process" + (stopped == 1 ? "" : "es") + " (Master and Workers, with"
                + " their executors) of " + home);
        return 0;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Prints the master URL of the cluster started from DIR, or says that none runs (exit 1).")
    int status(@Option(names = "--dir", defaultValue = DEFAULT_DIR, paramLabel = "DIR",
                       description = "The cluster's folder. Default: ${DEFAULT-VALUE} (in the current folder).")
               Path dir) throws IOException {
        Path home = dir.toAbsolutePath().normalize();
        Optional<String> running = LoopbackCluster.running(home);
        if (running.isEmpty()) {
            spec.commandLine().getOut().println("no cluster runs from " + home);
            return ExamplesException.EXIT_CODE;
        }
        spec.commandLine().getOut().println(running.get());
        return 0;
    }

    private static String dirOption(Path dir) {
        return dir.equals(Paths.get(DEFAULT_DIR)) ? "" : " --dir " + dir;
    }
}
