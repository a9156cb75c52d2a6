package io.github.lrschedules.spark.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * The class path of this JVM as jars a Spark driver can ship to its executors with {@code SparkConf.setJars}: the
 * jars as they are, the class folders (a build's {@code target/classes}) packed into one jar.
 *
 * <p>Shipping the driver's jars is what makes a driver work against any standalone cluster, on one machine or many:
 * every executor fetches them from the driver and loads them after the cluster's own Spark jars (Spark's classes come
 * from the cluster, everything else from the driver). Without them the executors cannot load the application's
 * classes (a lambda fails with "cannot assign instance of java.lang.invoke.SerializedLambda").
 */
public final class ApplicationJars {

    private ApplicationJars() {
    }

    /**
     * The entries of this JVM's class path ({@code java.class.path}); the jar of Maven Surefire's booter, which only
     * names the test class path in its manifest, is replaced by those entries.
     *
     * @throws IOException if the booter jar cannot be read
     */
    public static List<Path> classPath() throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
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
        return new ArrayList<>(out);
    }

    /**
     * The jars of {@code classPath} that exist, in order, followed by {@code packed}: a jar written here with the
     * files of every class folder of {@code classPath} (the first folder wins where two hold the same name). Without
     * class folders nothing is written and the list holds the jars only.
     *
     * @param classPath class path entries (jars and folders); entries that do not exist are skipped
     * @param packed    the jar to write the class folders into (replaced if it exists; its folder is created)
     * @throws IOException if a folder cannot be read or the jar written
     */
    public static List<Path> jars(List<Path> classPath, Path packed) throws IOException {
        List<Path> jars = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        for (Path entry : classPath) {
            if (Files.isDirectory(entry)) {
                folders.add(entry.toAbsolutePath());
            } else if (Files.isRegularFile(entry) && entry.getFileName().toString().endsWith(".jar")) {
                jars.add(entry.toAbsolutePath());
            }
        }
        if (!folders.isEmpty()) {
            Path target = packed.toAbsolutePath();
            Files.createDirectories(target.getParent());
            pack(folders, target);
            jars.add(target);
        }
        return jars;
    }

    /**
     * The {@code --add-opens} options this JVM was started with: Spark 3.1 on Java 17 needs them in every JVM of the
     * cluster (Master, Workers, executors), and the driver has them already.
     */
    public static List<String> moduleOptions() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens")).collect(Collectors.toList());
    }

    private static void pack(List<Path> folders, Path target) throws IOException {
        Set<String> written = new LinkedHashSet<>();
        try (OutputStream file = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(file)) {
            for (Path dir : folders) {
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
}
