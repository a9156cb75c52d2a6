package io.github.lrschedules.ui;

import io.github.lrschedules.record.EpochMetricsReport;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.core.storage.StatsStorageEvent;
import org.deeplearning4j.ui.api.HttpMethod;
import org.deeplearning4j.ui.api.Route;
import org.deeplearning4j.ui.api.UIModule;
import org.deeplearning4j.ui.i18n.I18NResource;

/**
 * The Schedules page of the DL4J training UI: every training session of every attached {@code StatsStorage} on
 * one set of charts (learning rate per iteration on a log scale, score per iteration, test accuracy per epoch where
 * {@link EpochMetricsReport}s were recorded), one colour and legend entry per session.
 *
 * <p>Registered in {@code META-INF/services/org.deeplearning4j.ui.api.UIModule}, so {@code UIServer} loads it
 * whenever this library is on the classpath; {@link SchedulesUi#start} is a shortcut that also returns the URL.
 * Routes:
 * <ul>
 *   <li>{@value #PAGE_PATH}: the page (plain JavaScript and SVG served from this jar, no CDN); it polls the data
 *       every few seconds, so a live run grows on screen.</li>
 *   <li>{@value #DATA_PATH}{@code ?param=0_W&maxPoints=2000}: the JSON described in {@link SchedulesJson}; both
 *       query parameters are optional. An unknown parameter answers 404 and a bad {@code maxPoints} 400, with
 *       {@code {"error": "..."}}.</li>
 *   <li>{@code /assets/lrschedules/*}: the page's script and style sheet.</li>
 * </ul>
 * The paths stay off {@code /train}, which the UI's multi-session router captures. The stock UI's navigation is
 * fixed in its templates, so the page links to the training UI, not the other way round.
 */
public final class SchedulesModule implements UIModule {

    public static final String PAGE_PATH = "/schedules";
    public static final String DATA_PATH = "/schedules/data";
    static final int MAX_POINTS_LIMIT = 100_000;

    private static final String PAGE_RESOURCE = "deeplearning4jUiAssets/lrschedules/schedules.html";

    private final List<StorageReader> readers = new ArrayList<>();
    /** Responses for the data as it was at {@link #cachedState}: a page polling a finished run costs nothing. */
    private final Map<String, Response> cache = new HashMap<>();
    private List<Long> cachedState = Collections.emptyList();
    private long attachments;
    private volatile String page;

    @Override
    public List<String> getCallbackTypeIDs() {
        // The page polls; reading the storages on request needs no event routing.
        return Collections.emptyList();
    }

    @Override
    public List<Route> getRoutes() {
        return Arrays.asList(
                new Route(PAGE_PATH, HttpMethod.GET, (args, ctx) -> servePage(ctx)),
                new Route(DATA_PATH, HttpMethod.GET, (args, ctx) -> serveData(ctx)));
    }

    @Override
    public void reportStorageEvents(Collection<StatsStorageEvent> events) {
        // Nothing to do: see getCallbackTypeIDs.
    }

    @Override
    public synchronized void onAttach(StatsStorage statsStorage) {
        for (StorageReader reader : readers) {
            if (reader.storage() == statsStorage) {
                return;
            }
        }
        readers.add(new StorageReader(statsStorage));
        attachments++;
    }

    @Override
    public synchronized void onDetach(StatsStorage statsStorage) {
        for (StorageReader reader : readers) {
            if (reader.storage() == statsStorage) {
                reader.close();
            }
        }
        if (readers.removeIf(reader -> reader.storage() == statsStorage)) {
            attachments++;
        }
    }

    @Override
    public List<I18NResource> getInternationalizationResources() {
        return Collections.emptyList();
    }

    /** A response: status and JSON body. */
    static final class Response {
        final int status;
        final String body;

        Response(int status, String body) {
            this.status = status;
            this.body = body;
        }
    }

    /**
     * The answer to {@value #DATA_PATH} for the given query parameters (each may be null), after reading what the
     * storages received since the last call.
     */
    synchronized Response data(String param, String maxPointsParam) {
        int maxPoints = SchedulesJson.DEFAULT_MAX_POINTS;
        if (maxPointsParam != null) {
            try {
                maxPoints = Integer.parseInt(maxPointsParam.trim());
            } catch (NumberFormatException e) {
                maxPoints = -1;
            }
            if (maxPoints < 2 || maxPoints > MAX_POINTS_LIMIT) {
                return new Response(400, SchedulesJson.error("maxPoints (" + maxPointsParam
                        + ") must be an integer from 2 to " + MAX_POINTS_LIMIT));
            }
        }
        String parameter = param == null || param.isEmpty() ? null : param;
        List<SessionSeries> sessions = sessions();
        List<Long> state = new ArrayList<>();
        state.add(attachments);
        for (StorageReader reader : readers) {
            state.add(reader.version());
        }
        if (!state.equals(cachedState)) {
            cache.clear();
            cachedState = state;
        }
        String key = (parameter == null ? "default" : "param=" + parameter) + "&maxPoints=" + maxPoints;
        Response cached = cache.get(key);
        if (cached == null) {
            try {
                cached = new Response(200, SchedulesJson.write(sessions, parameter, maxPoints));
            } catch (SchedulesJson.UnknownParameterException e) {
                cached = new Response(404, SchedulesJson.error(e.getMessage()));
            }
            if (cache.size() > 16) {
                cache.clear(); // many parameters asked for: keep memory bounded
            }
            cache.put(key, cached);
        }
        return cached;
    }

    /** Sessions of all storages, in attach order; equal ids of different storages are labelled "id (2)", ... */
    private List<SessionSeries> sessions() {
        List<SessionSeries> all = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (StorageReader reader : readers) {
            for (SessionSeries session : reader.refresh()) {
                int n = seen.merge(session.id(), 1, Integer::sum);
                all.add(n == 1 ? session : session.withLabel(session.id() + " (" + n + ")"));
            }
        }
        return all;
    }

    private void serveData(RoutingContext ctx) {
        String param = ctx.request().getParam("param");
        String maxPoints = ctx.request().getParam("maxPoints");
        // Reading a large file storage can take a while: keep it off the event loop.
        ctx.vertx().<Response>executeBlocking(promise -> promise.complete(data(param, maxPoints)), false, result -> {
            HttpServerResponse response = ctx.response()
                    .putHeader("content-type", "application/json; charset=utf-8")
                    .putHeader("cache-control", "no-store");
            if (result.succeeded()) {
                response.setStatusCode(result.result().status).end(result.result().body);
            } else {
                response.setStatusCode(500).end(SchedulesJson.error("Reading the StatsStorage failed: "
                        + result.cause()));
            }
        });
    }

    private void servePage(RoutingContext ctx) {
        ctx.response()
                .putHeader("content-type", "text/html; charset=utf-8")
                .putHeader("cache-control", "no-store")
                .end(page());
    }

    private String page() {
        String html = page;
        if (html == null) {
            try (InputStream in = SchedulesModule.class.getClassLoader().getResourceAsStream(PAGE_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(PAGE_RESOURCE + " is missing from the classpath");
                }
                html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            page = html;
        }
        return html;
    }
}
