package io.github.lrschedules.spark;

import io.github.lrschedules.spark.cluster.ApplicationJars;
import io.github.lrschedules.spark.cluster.LoopbackCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;

/**
 * The tests' Spark standalone cluster: a {@link LoopbackCluster} (one Master and {@code workers} Workers of one core,
 * separate JVMs on 127.0.0.1) started from the test class path, and the driver configuration for it.
 *
 * <p>The Workers' {@code SPARK_HOME/jars} links every jar of the test class path, so the executors have them
 * already; the classes of this module (main and test) travel to the executors as one application jar
 * ({@link #sparkConf(String)} sets it with {@code setJars}).
 */
final class StandaloneCluster implements AutoCloseable {

    private final LoopbackCluster cluster;
    private final Path appJar;

    private StandaloneCluster(LoopbackCluster cluster, Path appJar) {
        this.cluster = cluster;
        this.appJar = appJar;
    }

    /** Starts a Master and {@code workers} Workers under {@code dir} (emptied first) and waits until all are up. */
    static StandaloneCluster start(Path dir, int workers) throws IOException, InterruptedException {
        List<Path> classPath = ApplicationJars.classPath();
        LoopbackCluster cluster = LoopbackCluster.start(dir, workers, "1g", classPath);
        try {
            List<Path> jars = ApplicationJars.jars(classPath, cluster.home().resolve("app").resolve("application.jar"));
            return new StandaloneCluster(cluster, jars.get(jars.size() - 1));
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code spark://127.0.0.1:<port>}. */
    String masterUrl() {
        return cluster.masterUrl();
    }

    /** The cluster folder: logs, Spark home, the executors' work folders. */
    Path home() {
        return cluster.home();
    }

    /**
     * The driver's configuration for this cluster: loopback, no UI, the application jar, one executor of 1 GiB per
     * Worker, jobs held back until every executor has registered, no locality wait.
     */
    SparkConf sparkConf(String appName) {
        return new SparkConf()
                .setMaster(cluster.masterUrl())
                .setAppName(appName)
                .setJars(new String[] {appJar.toString()})
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false")
                .set("spark.executor.memory", "1g")
                .set("spark.cores.max", String.valueOf(cluster.workers()))
                .set("spark.executor.extraJavaOptions", cluster.executorJavaOptions())
                .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "60s")
                .set("spark.locality.wait", "0");
    }

    /** Lines of every Worker log and executor log that contain {@code text}. */
    List<String> logLines(String text) throws IOException {
        return cluster.logLines(text);
    }

    /** Kills the executors, the Workers and the Master, and waits for them to exit. */
    @Override
    public void close() {
        cluster.close();
    }
}
