package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.ui.SchedulesUi;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;

/**
 * The DL4J UI server with the Schedules page, as {@code ui} and {@code --ui} start it. DL4J's server makes an upload
 * folder {@code DL4JUI_<millis>} in {@code java.io.tmpdir} (and Vert.x a {@code vertx-cache} folder) and leaves
 * them behind; the folders that appear while the server starts are removed when the JVM ends (Ctrl+C included).
 */
final class UiServer {

    /** The temporary folders DL4J's UI server and Vert.x leave in {@code java.io.tmpdir}. */
    static final List<String> TEMP_PREFIXES = List.of("DL4JUI_", "vertx-cache");

    private UiServer() {
    }

    /** Starts the UI server with {@code storage} attached and returns the Schedules page's URL. */
    static String serve(int port, FileStatsStorage storage) {
        if (port < 0 || port > 0xFFFF) {
            throw new ExamplesException("--ui-port " + port + ": must be from 0 to 65535 (0: any free port)");
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Set<Path> before = new HashSet<>(tempFolders(tmp));
        try {
            return SchedulesUi.start(port, storage);
        } catch (RuntimeException e) {
            throw new ExamplesException("--ui-port " + port + ": the DL4J UI server cannot start (" + e.getMessage()
                    + "); is the port in use? Try another --ui-port, or 0 for any free one", e);
        } finally {
            List<Path> made = new ArrayList<>(tempFolders(tmp));
            made.removeAll(before);
            if (!made.isEmpty()) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> made.forEach(UiServer::deleteTree),
                        "remove DL4J UI temp folders"));
            }
        }
    }

    /** Keeps the JVM serving until it is stopped (Ctrl+C). */
    static void waitForever(String message, Consumer<String> say) throws InterruptedException {
        say.accept(message);
        new CountDownLatch(1).await();
    }

    static List<Path> tempFolders(Path tmp) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (TEMP_PREFIXES.stream().anyMatch(name::startsWith) && Files.isDirectory(entry)) {
                    found.add(entry);
                }
            }
        } catch (IOException e) {
            // an unreadable temp folder: nothing of ours to remove there
        }
        return found;
    }

    static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // already gone, or not ours to delete
        }
    }
}
