package io.github.lrschedules.examples.spark;

import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.spark.cluster.ApplicationJars;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * What a driver needs to run on a Spark standalone cluster ({@code spark://HOST:PORT[,HOST:PORT...]}), on one machine
 * or many: a master that answers, the application's jars on the executors, a driver address the executors can reach,
 * and the executors registered before the number of workers is read.
 */
final class StandaloneMaster {

    static final String SCHEME = "spark://";

    /** Executors counted unchanged this long after the first registered: every Worker's executor is in. */
    private static final long SETTLE_MILLIS = 3_000;

    private StandaloneMaster() {
    }

    /**
     * Sets in {@code conf}, for a master that {@link #route} reached:
     * <ul>
     *   <li>the executors' class path: for a master on loopback (the Workers share this machine and its files),
     *       {@code spark.executor.extraClassPath} with this JVM's class path as it is; otherwise the jars of this
     *       JVM's class path with {@code setJars} (every executor fetches them from the driver, on any cluster), the
     *       class folders packed into {@code classes.jar} in a new temporary folder, which this returns for the
     *       caller to remove. Class paths and jars given in {@code spark.executor.extraClassPath} or
     *       {@code spark.jars} are kept;</li>
     *   <li>the {@code --add-opens} options and ND4J's platform extension for the executors, before any
     *       {@code spark.executor.extraJavaOptions} given;</li>
     *   <li>unless {@code spark.driver.host} is set, the driver's address: {@code SPARK_LOCAL_IP} if set, 127.0.0.1
     *       (bound there too) for a master on loopback, otherwise this machine's address on the route to the
     *       master.</li>
     * </ul>
     *
     * @return the temporary folder of the packed classes, or {@code null} when nothing was packed
     */
    static Path configure(SparkConf conf, Route route) {
        if (!conf.contains("spark.driver.host")) {
            String localIp = System.getenv("SPARK_LOCAL_IP");
            if (localIp != null && !localIp.isBlank()) {
                conf.set("spark.driver.host", localIp.trim());
            } else if (route.loopback) {
                conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
            } else {
                conf.set("spark.driver.host", route.localAddress);
            }
        }
        Path applicationDirectory = null;
        try {
            List<Path> classPath = ApplicationJars.classPath();
            if (route.loopback) {
                List<String> entries = new ArrayList<>();
                for (Path entry : classPath) {
                    entries.add(entry.toString());
                }
                if (conf.contains("spark.executor.extraClassPath")) {
                    entries.add(conf.get("spark.executor.extraClassPath"));
                }
                conf.set("spark.executor.extraClassPath", String.join(File.pathSeparator, entries));
            } else {
                Set<String> jars = new LinkedHashSet<>();
                if (conf.contains("spark.jars")) {
                    for (String jar : conf.get("spark.jars").split(",")) {
                        if (!jar.isBlank()) {
                            jars.add(jar.trim());
                        }
                    }
                }
                applicationDirectory = Files.createTempDirectory("lrschedules-spark-application");
                for (Path jar : ApplicationJars.jars(classPath, applicationDirectory.resolve("classes.jar"))) {
                    jars.add(jar.toString());
                }
                conf.setJars(jars.toArray(new String[0]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give the executors the examples' class path: " + e, e);
        }
        List<String> options = new ArrayList<>(ApplicationJars.moduleOptions());
        String extension = System.getProperty("org.bytedeco.javacpp.platform.extension");
        if (extension != null) {
            options.add("-Dorg.bytedeco.javacpp.platform.extension=" + extension);
        }
        if (conf.contains("spark.executor.extraJavaOptions")) {
            options.add(conf.get("spark.executor.extraJavaOptions"));
        }
        conf.set("spark.executor.extraJavaOptions", String.join(" ", options));
        return applicationDirectory;
    }

    /**
     * Waits until at least one executor has registered and their number has not changed for a few seconds.
     *
     * @throws ExamplesException if the application ends (the master gave up on it) or no executor registers within
     *                           {@code timeoutMillis}
     */
    static void awaitExecutors(JavaSparkContext context, String master, long timeoutMillis) {
        long start = System.currentTimeMillis();
        long changed = start;
        int executors = 0;
        while (true) {
            if (context.sc().isStopped()) {
                throw new ExamplesException("the Spark master at " + master + " did not take the application (it"
                        + " stopped): see the Master's log");
            }
            // the driver is in the list too
            int now = Math.max(0, context.sc().statusTracker().getExecutorInfos().length - 1);
            long time = System.currentTimeMillis();
            if (now != executors) {
                executors = now;
                changed = time;
            }
            if (executors > 0 && time - changed >= SETTLE_MILLIS) {
                return;
            }
            if (executors == 0 && time - start >= timeoutMillis) {
                throw new ExamplesException("the Spark master at " + master + " started no executor for this run"
                        + " within " + timeoutMillis / 1000 + " s: are its Workers up, with a free core and "
                        + context.getConf().get("spark.executor.memory", "1g") + " of memory (spark.executor.memory)"
                        + " each? The Master's and the Workers' logs say why");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ExamplesException("interrupted while waiting for the executors of " + master, e);
            }
        }
    }

    /** How this machine reaches a master: whether it is on loopback, and this machine's address on the route. */
    static final class Route {
        final boolean loopback;
        final String localAddress;

        private Route(boolean loopback, String localAddress) {
            this.loopback = loopback;
            this.localAddress = localAddress;
        }
    }

    /**
     * Connects to the masters of the URL in turn, each within {@link SparkBackend#CONNECT_TIMEOUT_MILLIS}, and
     * returns the route to the first that accepts (the connection is closed again).
     *
     * @throws ExamplesException if the URL names no {@code HOST:PORT} or no master accepts a connection
     */
    static Route route(String master) {
        List<String> failures = new ArrayList<>();
        for (String hostPort : master.substring(SCHEME.length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(hostPort.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new ExamplesException("--master " + master + ": '" + hostPort + "' is not HOST:PORT (a"
                        + " standalone master's URL is spark://HOST:PORT)");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(hostPort.substring(0, colon), port),
                        SparkBackend.CONNECT_TIMEOUT_MILLIS);
                return new Route(socket.getInetAddress().isLoopbackAddress(),
                        socket.getLocalAddress().getHostAddress());
            } catch (IOException e) {
                failures.add(hostPort + ": " + e.getMessage());
            }
        }
        throw new ExamplesException("cannot reach the Spark master " + master + " within "
                + SparkBackend.CONNECT_TIMEOUT_MILLIS / 1000 + " s (" + String.join("; ", failures) + "): start it"
                + " (on this machine: examples/run spark-cluster start) or check the URL");
    }
}
