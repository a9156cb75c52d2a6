package io.github.lrschedules.ui;

import static io.github.lrschedules.ui.StatsFixtures.json;
import static io.github.lrschedules.ui.StatsFixtures.report;
import static io.github.lrschedules.ui.StatsFixtures.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.ui.api.UIServer;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * The module inside a real DL4J UI server on a free port: {@code UIServer} finds it through the service file, serves
 * the page, its assets and the data, answers errors as JSON, and the stock training pages still work beside it.
 */
class SchedulesHttpTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @AfterEach
    void stopServer() throws Exception {
        SchedulesUi.stop();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void serverServesPageAssetsDataAndJsonErrors() throws Exception {
        StatsStorage storage = new InMemoryStatsStorage();
        start(storage, "sgd", "w0", 1);
        for (int i = 0; i < 5; i++) {
            report(storage, "sgd", "w0", 10 + i, i, 1.0, Collections.singletonMap("0_W", 0.1));
        }

        String page = SchedulesUi.start(0, storage);
        int port = UIServer.getInstance().getPort();
        assertThat(port).isPositive();
        assertThat(page).isEqualTo("http://localhost:" + port + "/schedules");
        String base = "http://localhost:" + port;

        HttpResponse<String> html = get(page);
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(html.body()).contains("/assets/lrschedules/schedules.js", "/assets/lrschedules/schedules.css")
                .doesNotContain("http://", "https://"); // nothing from the internet: users train offline

        HttpResponse<String> script = get(base + "/assets/lrschedules/schedules.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("javascript"));
        assertThat(script.body()).contains("/schedules/data").doesNotContain("https://");
        assertThat(get(base + "/assets/lrschedules/schedules.css").statusCode()).isEqualTo(200);

        HttpResponse<String> data = get(base + "/schedules/data");
        assertThat(data.statusCode()).isEqualTo(200);
        assertThat(data.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        JsonNode json = json(data.body());
        assertThat(json.get("sessions")).hasSize(1);
        assertThat(json.get("sessions").get(0).get("iterations")).hasSize(5);

        HttpResponse<String> unknown = get(base + "/schedules/data?param=nope");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        assertThat(json(unknown.body()).get("error").asText()).contains("Unknown parameter 'nope'");

        HttpResponse<String> bad = get(base + "/schedules/data?maxPoints=lots");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad.body()).get("error").asText()).contains("maxPoints (lots)");

        // the stock UI is untouched beside the new page
        assertThat(get(base + "/train/overview").statusCode()).isEqualTo(200);

        // a storage attached later appears on the page too
        StatsStorage later = new InMemoryStatsStorage();
        start(later, "adam", "w0", 100);
        report(later, "adam", "w0", 101, 0, 1.0, Collections.singletonMap("0_W", 0.001));
        assertThat(SchedulesUi.start(0, later)).as("the running server is reused").isEqualTo(page);
        assertThat(json(get(base + "/schedules/data").body()).get("sessions")).hasSize(2);
        UIServer.getInstance().detach(later);
        assertThat(json(get(base + "/schedules/data").body()).get("sessions")).hasSize(1);
    }

    /** Entries of the temporary folder named like the upload folder DL4J's UI server creates at start. */
    private static Set<Path> uiUploadFolders() throws IOException {
        try (Stream<Path> entries = Files.list(Paths.get(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().matches("DL4JUI_\\d+")).collect(Collectors.toSet());
        }
    }

    @Test
    void stopRemovesTheUploadFolderTheServerCreatedInTheTemporaryFolder() throws Exception {
        Set<Path> before = uiUploadFolders();
        SchedulesUi.start(0, new InMemoryStatsStorage());
        Set<Path> created = uiUploadFolders();
        created.removeAll(before);
        assertThat(created).as("DL4J's server makes java.io.tmpdir/DL4JUI_<millis> at start").hasSize(1);
        SchedulesUi.stop();
        assertThat(created.iterator().next()).doesNotExist();
    }

    @Test
    void badPortIsRejected() {
        assertThatThrownBy(() -> SchedulesUi.start(70_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port (70000) must be in [0, 65535]");
        assertThatThrownBy(() -> SchedulesUi.start(0, (StatsStorage) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("storages[0] must not be null");
    }
}
