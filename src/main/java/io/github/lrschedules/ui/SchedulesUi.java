package io.github.lrschedules.ui;

import io.github.lrschedules.internal.Args;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.api.UIServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the DL4J training UI with the Schedules page and returns the page's address:
 *
 * <pre>{@code
 * StatsStorage storage = new FileStatsStorage(new File("compare.dl4j"));
 * String url = SchedulesUi.start(9000, storage);   // http://localhost:9000/schedules
 * }</pre>
 *
 * Needs {@code deeplearning4j-ui} on the classpath (an optional dependency of this library). The UI server of DL4J is
 * one per JVM: if it already runs, it is reused with its port and mode (the page works in both), and the storages are
 * attached to it.
 */
public final class SchedulesUi {

    private static final Logger log = LoggerFactory.getLogger(SchedulesUi.class);

    private SchedulesUi() {
    }

    /**
     * Starts the UI server (single-session mode) unless it already runs (in either mode: then {@code port} is not
     * used), attaches {@code storages}, and returns the URL of the Schedules page. The server keeps the JVM alive
     * until {@link #stop()} or exit.
     *
     * @param port TCP port; 0 picks a free one. The system property {@code org.deeplearning4j.ui.port} overrides it
     *             (DL4J's rule); the URL returned has the port really used.
     * @throws IllegalArgumentException if the port is out of range or a storage is null
     * @throws org.deeplearning4j.exception.DL4JException if the server cannot start (port in use)
     */
    public static String start(int port, StatsStorage... storages) {
        Args.inRange("port", port, 0, 0xFFFF);
        Args.noNulls("storages", storages);
        VertxUIServer running = VertxUIServer.getInstance();
        UIServer server;
        if (running != null && !running.isStopped()) {
            server = running;
        } else {
            Set<Path> before = uiTemporaryFiles();
            server = VertxUIServer.getInstance(port, false, null);
            rememberForRemoval(uiTemporaryFiles(), before);
        }
        for (StatsStorage storage : storages) {
            server.attach(storage);
        }
        return pageUrl(server);
    }

    /** The URL of the Schedules page of a running UI server. */
    public static String pageUrl(UIServer server) {
        return server.getAddress() + SchedulesModule.PAGE_PATH;
    }

    /**
     * Stops the UI server if it runs (DL4J's {@code UIServer.stopInstance()}) and removes the folder that a server
     * started by {@link #start} left in the temporary folder ({@code DL4JUI_<millis>}, Vert.x's upload folder, which
     * DL4J never removes, and Vert.x's {@code vertx-cache} if the server made it).
     */
    public static void stop() throws Exception {
        UIServer.stopInstance();
        removeTemporaryFiles();
    }

    /** What DL4J's UI server and Vert.x write into {@code java.io.tmpdir} when the server starts. */
    private static final Pattern UI_TEMPORARY = Pattern.compile("DL4JUI_\\d+|vertx-cache");
    /** Left by servers that {@link #start} started; removed by {@link #stop} or at exit. */
    private static final Set<Path> created = new LinkedHashSet<>();
    private static boolean hookInstalled;

    private static Set<Path> uiTemporaryFiles() {
        Set<Path> found = new HashSet<>();
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir,
                entry -> UI_TEMPORARY.matcher(entry.getFileName().toString()).matches())) {
            entries.forEach(found::add);
        } catch (IOException e) {
            log.debug("Cannot list {}: {}", dir, e.toString());
        }
        return found;
    }

    private static synchronized void rememberForRemoval(Set<Path> after, Set<Path> before) {
        after.removeAll(before);
        created.addAll(after);
        if (!hookInstalled && !after.isEmpty()) {
            Runtime.getRuntime().addShutdownHook(new Thread(SchedulesUi::removeTemporaryFiles,
                    "lrschedules-ui-cleanup"));
            hookInstalled = true;
        }
    }

    private static synchronized void removeTemporaryFiles() {
        for (Path path : created) {
            try (DirectoryStream<Path> uploads = Files.newDirectoryStream(path)) {
                for (Path upload : uploads) {
                    Files.deleteIfExists(upload);
                }
            } catch (IOException e) {
                log.debug("Cannot empty {}: {}", path, e.toString());
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                log.debug("Cannot remove {}: {}", path, e.toString());
            }
        }
        created.clear();
    }
}
