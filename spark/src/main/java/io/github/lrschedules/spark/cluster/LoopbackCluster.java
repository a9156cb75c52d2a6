package io.github.lrschedules.spark.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on one machine, bound to 127.0.0.1: one Master and {@code workers} Workers, each a JVM
 * started from the jars of a class path (no Spark download), for trying a Spark job on one machine and for tests
 * that need executors in JVMs of their own (an executor or a Worker can be killed without killing the driver).
 *
 * <p>The Workers build their executors' command lines from {@code SPARK_HOME}, which here is the folder
 * {@code spark-home} under the cluster folder, whose {@code jars/} holds links to the jars of the class path. The
 * Master listens on a free port of 127.0.0.1 ({@link #masterUrl()}); the web UIs of the Master and the Workers take
 * free ports of 127.0.0.1 ({@code SPARK_LOCAL_IP}); nothing binds to another address. The cluster folder holds
 * {@code logs/master.log}, {@code logs/worker-<n>.log}, the executors' logs {@code work-<n>/<app>/<executor>/stderr},
 * {@code master-url} and one pid file per process under {@code pids/}.
 *
 * <p>{@link #close()} kills every process it started, executors included, and a shutdown hook does the same if this
 * JVM exits first, unless {@link #detach()} was called: then the cluster runs on until
 * {@link #stop(Path)} kills the processes its pid files name.
 *
 * <p>Not for production: one core and {@code workerMemory} per Worker, no authentication, no recovery.
 */
public final class LoopbackCluster implements AutoCloseable {

    /** How long {@code start} waits for each process to come up, in milliseconds. */
    public static final long START_TIMEOUT_MILLIS = 90_000;

    private static final String DEPLOY_PACKAGE = "org.apache.spark.deploy.";

    private final Path home;
    private final Path logs;
    private final Path pids;
    private final List<String> javaOptions;
    private final String masterUrl;
    private final int workers;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> workerLogs = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::killAll);
    private boolean detached;

    private LoopbackCluster(Path dir, int workers, List<Path> classPath) throws IOException {
        this.home = dir.toAbsolutePath();
        this.workers = workers;
        Optional<String> running = running(home);
        if (running.isPresent()) {
            throw new IllegalStateException("a cluster started from " + home + " is running (" + running.get()
                    + "): stop it first");
        }
        if (isForeignFolder(home)) {
            throw new IllegalArgumentException("dir (" + home + ") is neither empty nor a cluster folder: the"
                    + " cluster empties its folder, so name a new one");
        }
        deleteRecursively(home);
        this.logs = Files.createDirectories(home.resolve("logs"));
        this.pids = Files.createDirectories(home.resolve("pids"));
        Files.createDirectories(home.resolve("tmp"));
        Path jars = Files.createDirectories(home.resolve("spark-home").resolve("jars"));
        for (Path entry : classPath) {
            if (entry.getFileName().toString().endsWith(".jar") && Files.isRegularFile(entry)) {
                Path target = entry.toAbsolutePath();
                try {
                    Files.createSymbolicLink(jars.resolve(entry.getFileName()), target);
                } catch (FileAlreadyExistsException sameName) {
                    Files.createSymbolicLink(jars.resolve(target.getParent().getFileName() + "-"
                            + entry.getFileName()), target);
                }
            }
        }
        this.javaOptions = ApplicationJars.moduleOptions();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.masterUrl = "spark://127.0.0.1:" + freePort();
    }

    /**
     * Starts a Master and {@code workers} Workers of one core and {@code workerMemory} each under {@code dir}
     * (emptied first) from the jars of {@code classPath}, and waits until every Worker has registered with the Master.
     *
     * @param dir          the cluster folder
     * @param workers      number of Workers, {@code >= 1}
     * @param workerMemory memory each Worker offers its executors, in Spark's notation ({@code 1g}, {@code 512m})
     * @param classPath    the class path whose jars the Master, the Workers and the executors run from: it must hold
     *                     {@code spark-core} and its dependencies (e.g. {@link ApplicationJars#classPath()})
     * @throws IllegalArgumentException if {@code workers < 1}, {@code workerMemory} is not of the form
     *                                  {@code <number>[kmgt]}, or {@code dir} holds files but is not a cluster
     *                                  folder
     * @throws IllegalStateException    if a cluster started from {@code dir} still runs, or a process exits or does
     *                                  not come up within {@link #START_TIMEOUT_MILLIS} (its log is named)
     * @throws IOException              if the cluster folder cannot be written
     */
    public static LoopbackCluster start(Path dir, int workers, String workerMemory, List<Path> classPath)
            throws IOException, InterruptedException {
        if (workers < 1) {
            throw new IllegalArgumentException("workers (" + workers + ") must be >= 1");
        }
        if (workerMemory == null || !workerMemory.matches("[1-9][0-9]*[kmgtKMGT]")) {
            throw new IllegalArgumentException("workerMemory (" + workerMemory
                    + ") must be a number followed by k, m, g or t, e.g. 1g");
        }
        LoopbackCluster cluster = new LoopbackCluster(dir, workers, classPath);
        try {
            cluster.launch(workerMemory);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void launch(String workerMemory) throws IOException, InterruptedException {
        String port = masterUrl.substring(masterUrl.lastIndexOf(':') + 1);
        Path masterLog = logs.resolve("master.log");
        start("master", masterLog, DEPLOY_PACKAGE + "master.Master", "--host", "127.0.0.1", "--port", port,
                "--webui-port", "0");
        awaitLine(masterLog, "I have been elected leader");
        for (int w = 0; w < workers; w++) {
            Path log = logs.resolve("worker-" + w + ".log");
            workerLogs.add(log);
            start("worker-" + w, log, DEPLOY_PACKAGE + "worker.Worker", "--host", "127.0.0.1", "--cores", "1",
                    "--memory", workerMemory, "--webui-port", "0", "--work-dir", home.resolve("work-" + w).toString(),
                    masterUrl);
        }
        for (Path log : workerLogs) {
            awaitLine(log, "Successfully registered with master");
        }
        Files.writeString(home.resolve("master-url"), masterUrl + "\n", StandardCharsets.UTF_8);
    }

    /** {@code spark://127.0.0.1:<port>}. */
    public String masterUrl() {
        return masterUrl;
    }

    /** The cluster folder: logs, pid files, Spark home, the executors' work folders. */
    public Path home() {
        return home;
    }

    /** Number of Workers, one core each. */
    public int workers() {
        return workers;
    }

    /**
     * Options every executor JVM needs ({@code --add-opens} of this JVM, temporary files in the cluster folder), for
     * {@code spark.executor.extraJavaOptions}.
     */
    public String executorJavaOptions() {
        List<String> options = new ArrayList<>(javaOptions);
        options.add("-Djava.io.tmpdir=" + home.resolve("tmp"));
        return String.join(" ", options);
    }

    /** Lines of every Master, Worker and executor log that contain {@code text}, each prefixed with its file. */
    public List<String> logLines(String text) throws IOException {
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

    /** Leaves the cluster running when this JVM exits; {@link #stop(Path)} on its folder ends it. */
    public synchronized void detach() {
        detached = true;
        removeShutdownHook();
    }

    /** Kills the executors, the Workers and the Master and waits for them to exit, unless {@link #detach()}ed. */
    @Override
    public synchronized void close() {
        if (detached) {
            return;
        }
        killAll();
        removeShutdownHook();
    }

    /**
     * The master URL of the cluster started from {@code dir}, if its Master still runs (its pid file names a live
     * Spark Master process).
     */
    public static Optional<String> running(Path dir) throws IOException {
        Path home = dir.toAbsolutePath();
        Optional<ProcessHandle> master = sparkProcess(home.resolve("pids").resolve("master.pid"));
        Path url = home.resolve("master-url");
        if (master.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Files.exists(url) ? Files.readString(url, StandardCharsets.UTF_8).trim()
                : "Master pid " + master.get().pid());
    }

    /**
     * Kills the processes of the cluster started from {@code dir} (the executors, the Workers, the Master: every
     * live Spark process its pid files name, and their child processes), waits for them to exit and removes the pid
     * files. A pid whose process is gone, or is no longer a Spark Master or Worker, is skipped.
     *
     * @return the number of Master and Worker processes killed (0 if none ran)
     */
    public static int stop(Path dir) throws IOException {
        Path pids = dir.toAbsolutePath().resolve("pids");
        if (!Files.isDirectory(pids)) {
            return 0;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(pids)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".pid"))
                    .sorted(Comparator.reverseOrder()).collect(Collectors.toList());
        }
        List<ProcessHandle> roots = new ArrayList<>();
        for (Path f : files) {
            sparkProcess(f).ifPresent(roots::add);
        }
        kill(roots);
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
        return roots.size();
    }

    private static Optional<ProcessHandle> sparkProcess(Path pidFile) throws IOException {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException notAPid) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(c -> c.contains(DEPLOY_PACKAGE)).orElse(false));
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or has run
        }
    }

    private synchronized void killAll() {
        List<ProcessHandle> roots = new ArrayList<>();
        for (int i = processes.size() - 1; i >= 0; i--) {
            roots.add(processes.get(i).toHandle());
        }
        kill(roots);
        processes.clear();
    }

    /** SIGKILL to every process of {@code roots} and its descendants (a Worker's executors), then waits. */
    private static void kill(List<ProcessHandle> roots) {
        List<ProcessHandle> all = new ArrayList<>();
        for (ProcessHandle root : roots) {
            root.descendants().forEach(all::add);
            all.add(root);
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
    }

    private void start(String name, Path log, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // The Master and the Workers only schedule: a small heap, the serial collector and C1 keep them light.
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(javaOptions);
        command.add("-Djava.io.tmpdir=" + home.resolve("tmp"));
        // with slf4j-simple on the class path: the INFO lines that say the Master and the Workers are up
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        command.add("-cp");
        command.add(home.resolve("spark-home").resolve("jars") + File.separator + "*");
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("SPARK_HOME", home.resolve("spark-home").toString());
        builder.environment().put("SPARK_SCALA_VERSION", "2.12");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("SPARK_LOCAL_HOSTNAME", "127.0.0.1");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("SPARK_CONF_DIR");
        Process process = builder.start();
        processes.add(process);
        Files.writeString(pids.resolve(name + ".pid"), process.pid() + "\n", StandardCharsets.UTF_8);
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

    /** A folder that holds files but no {@code spark-home}: not one a cluster made, so not to be emptied. */
    private static boolean isForeignFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir) || Files.isDirectory(dir.resolve("spark-home"))) {
            return false;
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.findAny().isPresent();
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
