package io.github.lrschedules.ui;

import io.github.lrschedules.util.Args;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.VertxUIServer;
import org.deeplearning4j.ui.api.UIServer;

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
        UIServer server = running != null && !running.isStopped() ? running
                : VertxUIServer.getInstance(port, false, null);
        for (StatsStorage storage : storages) {
            server.attach(storage);
        }
        return pageUrl(server);
    }

    /** The URL of the Schedules page of a running UI server. */
    public static String pageUrl(UIServer server) {
        return server.getAddress() + SchedulesModule.PAGE_PATH;
    }

    /** Stops the UI server if it runs (DL4J's {@code UIServer.stopInstance()}). */
    public static void stop() throws Exception {
        UIServer.stopInstance();
    }
}
