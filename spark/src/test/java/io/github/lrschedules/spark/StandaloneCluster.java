package io.github.lrschedules.spark;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.apache.spark.SparkConf;

/**
 * A Spark standalone cluster on loopback for tests: one Master and {@code workers} Workers (one core each), each a
 * separate JVM started from the jars of this JVM's class path, so that an executor or a Worker can be killed without
 * killing the test.
 *
 * <p>The Workers build their executors' command lines from {@code SPARK_HOME}, which here is a folder under
 * {@code target/} whose {@code jars/} holds links to the jars of the test class path; the classes of this module
 * (main and test) travel to the executors as an application jar ({@link #sparkConf(String)} sets it with
 * {@code setJars}). Everything binds to 127.0.0.1 ({@code SPARK_LOCAL_IP}), the web UIs take free ports, the Master
 * a free port found here; the logs of the Master and Workers are {@code logs/*.log} and those of the executors
 * {@code work-<n>/<app>/<executor>/stderr} under the cluster folder. {@link #close()} kills every process it
 * started, executors included, and a shutdown hook does the same if the test JVM exits first.
 */
final class StandaloneCluster implements AutoCloseable {

    private static final long START_TIMEOUT_MILLIS = 90_000;

    private final Path home;
    private final Path logs;
    private final Path appJar;
    private final List<String> javaOptions;
    private final String masterUrl;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> workerLogs = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::killAll);

    private StandaloneCluster(Path dir) throws IOException {
        this.home = dir.toAbsolutePath();
        deleteRecursively(home);
        this.logs = Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("tmp"));
        Path jars = Files.createDirectories(home.resolve("spark-home").resolve("jars"));
        Path classes = Files.createDirectories(home.resolve("app"));
        List<Path> directories = new ArrayList<>();
        for (Path entry : testClassPath()) {
            if (Files.isDirectory(entry)) {
                directories.add(entry);
            } else if (entry.getFileName().toString().endsWith(".jar") && Files.isRegularFile(entry)) {
                Path link = jars.resolve(entry.getFileName());
                try {
                    Files.createSymbolicLink(link, entry);
                } catch (FileAlreadyExistsException sameName) {
                    Files.createSymbolicLink(jars.resolve(entry.getParent().getFileName() + "-" + entry.getFileName()),
                            entry);
                }
            }
        }
        this.appJar = classes.resolve("application.jar");
        jar(directories, appJar);
        this.javaOptions = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens")).collect(Collectors.toList());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.masterUrl = "spark://127.0.0.1:" + freePort();
    }

    private void launch(int workers) throws IOException, InterruptedException {
        String port = masterUrl.substring(masterUrl.lastIndexOf(':') + 1);
        Path masterLog = logs.resolve("master.log");
        start(masterLog, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", port,
                "--webui-port", "0");
        awaitLine(masterLog, "I have been elected leader");
        for (int w = 0; w < workers; w++) {
            Path log = logs.resolve("worker-" + w + ".log");
            workerLogs.add(log);
            start(log, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1", "--memory",
                    "1g", "--webui-port", "0", "--work-dir", home.resolve("work-" + w).toString(), masterUrl);
        }
        for (Path log : workerLogs) {
            awaitLine(log, "Successfully registered with master");
        }
    }

    /** Starts a Master and {@code workers} Workers under {@code dir} (emptied first) and waits until all are up. */
    static StandaloneCluster start(Path dir, int workers) throws IOException, InterruptedException {
        StandaloneCluster cluster = new StandaloneCluster(dir);
        try {
            cluster.launch(workers);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code spark://127.0.0.1:<port>}. */
    String masterUrl() {
        return masterUrl;
    }

    /** The cluster folder: logs, Spark home, the executors' work folders. */
    Path home() {
        return home;
    }

    /**
     * The driver's configuration for this cluster: loopback, no UI, the application jar, one executor of 1 GiB per
     * Worker, jobs held back until every executor has registered, no locality wait.
     */
    SparkConf sparkConf(String appName) {
        String executorOptions = String.join(" ", javaOptions) + " -Djava.io.tmpdir=" + home.resolve("tmp");
        return new SparkConf()
                .setMaster(masterUrl)
                .setAppName(appName)
                .setJars(new String[] {appJar.toString()})
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false")
                .set("spark.executor.memory", "1g")
                .set("spark.cores.max", String.valueOf(workerLogs.size()))
                .set("spark.executor.extraJavaOptions", executorOptions)
                .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "60s")
                .set("spark.locality.wait", "0");
    }

    /** Lines of every Worker log and executor log that contain {@code text}. */
    List<String> logLines(String text) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(home)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".log")
                    || p.getFileName().toString().equals("stderr")).sorted().collect(Collectors.toList());
        }
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (line.contains(text)) {
                    out.add(home.relativize(f) + ": " + line);
                }
            }
        }
        return out;
    }

    /** Kills the executors, the Workers and the Master, and waits for them to exit. */
    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or has run
        }
    }

    private synchronized void killAll() {
        List<ProcessHandle> all = new ArrayList<>();
        for (int i = processes.size() - 1; i >= 0; i--) {
            ProcessHandle handle = processes.get(i).toHandle();
            handle.descendants().forEach(all::add);
            all.add(handle);
        }
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception notYet) {
                // destroyForcibly is SIGKILL; a process that outlives 10 s is left to the OS
            }
        }
        processes.clear();
    }

    private void start(Path log, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // The Master and the Workers only schedule: a small heap, the serial collector and C1 keep them light.
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(javaOptions);
        command.add("-Djava.io.tmpdir=" + home.resolve("tmp"));
        command.add("-cp");
        command.add(home.resolve("spark-home").resolve("jars") + File.separator + "*");
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("SPARK_HOME", home.resolve("spark-home").toString());
        builder.environment().put("SPARK_SCALA_VERSION", "2.12");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("SPARK_LOCAL_HOSTNAME", "127.0.0.1");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("SPARK_CONF_DIR");
        processes.add(builder.start());
    }

    private void awaitLine(Path log, String text) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a cluster process exited with " + p.exitValue() + "; see "
                            + logs);
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no \"" + text + "\" in " + log + " after " + START_TIMEOUT_MILLIS + " ms");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /**
     * The test class path: surefire's booter jar names it in its manifest, otherwise {@code java.class.path}.
     */
    private static Set<Path> testClassPath() throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Paths.get(entry).toAbsolutePath();
            if (path.getFileName().toString().startsWith("surefirebooter") && Files.isRegularFile(path)) {
                try (JarFile jar = new JarFile(path.toFile())) {
                    Manifest manifest = jar.getManifest();
                    String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                    if (classPath != null) {
                        for (String url : classPath.trim().split(" +")) {
                            out.add(Paths.get(URI.create(url)));
                        }
                    }
                }
            } else {
                out.add(path);
            }
        }
        return out;
    }

    private static void jar(List<Path> directories, Path target) throws IOException {
        Set<String> written = new LinkedHashSet<>();
        try (OutputStream file = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(file)) {
            for (Path dir : directories) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(dir)) {
                    files = walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
                }
                for (Path f : files) {
                    String name = dir.relativize(f).toString().replace(File.separatorChar, '/');
                    if (!written.add(name)) {
                        continue;
                    }
                    out.putNextEntry(new ZipEntry(name));
                    try (InputStream in = Files.newInputStream(f)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot empty " + dir, e);
                }
            }
        }
    }
}
