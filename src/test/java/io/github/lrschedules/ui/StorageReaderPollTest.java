package io.github.lrschedules.ui;

import static io.github.lrschedules.ui.StatsFixtures.json;
import static io.github.lrschedules.ui.StatsFixtures.report;
import static io.github.lrschedules.ui.StatsFixtures.session;
import static io.github.lrschedules.ui.StatsFixtures.start;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * What keeps polls of a long finished run cheap: the page reads a storage again only after the storage announced a
 * write (DL4J's storages scan every report of a worker on each {@code getAllUpdatesAfter}, from disk for a file), and
 * a write, also one made after the page first read the storage, shows in the next answer; a write to one session makes
 * the page read that session alone.
 */
class StorageReaderPollTest {

    /** Counts the scans the page asks of the storage, in all and per session. */
    static final class CountingStorage extends InMemoryStatsStorage {
        int scans;
        final Map<String, Integer> scansOf = new HashMap<>();

        @Override
        public List<Persistable> getAllUpdatesAfter(String sessionId, String typeId, String workerId, long timestamp) {
            scans++;
            scansOf.merge(sessionId, 1, Integer::sum);
            return super.getAllUpdatesAfter(sessionId, typeId, workerId, timestamp);
        }
    }

    @Test
    void aStorageWithoutNewWritesIsNotScannedAgainAndANewWriteShowsInTheNextAnswer() {
        CountingStorage storage = new CountingStorage();
        start(storage, "run", "w0", 1_000);
        for (int i = 0; i < 5; i++) {
            report(storage, "run", "w0", 1_000 + i, i, 1.0, Map.of("0_W", 0.1));
        }
        SchedulesModule module = new SchedulesModule();
        module.onAttach(storage);
        assertThat(json(module.data(null, null).body).get("sessions").get(0).get("iterations")).hasSize(5);
        assertThat(storage.scans).isPositive();

        storage.scans = 0;
        for (int poll = 0; poll < 3; poll++) {
            assertThat(json(module.data(null, null).body).get("sessions").get(0).get("iterations")).hasSize(5);
            assertThat(json(module.data("0_W", "100").body).get("sessions")).hasSize(1);
        }
        assertThat(storage.scans).as("nothing written since the first read").isZero();

        report(storage, "run", "w0", 1_005, 5, 0.5, Map.of("0_W", 0.05));
        report(storage, "other", "w0", 2_000, 0, 2.0, Map.of("0_W", 0.2)); // no static info yet: not listed
        start(storage, "other", "w0", 1_999);
        assertIterations(json(module.data(null, null).body), "run", 6);
        assertIterations(json(module.data(null, null).body), "other", 1);
        assertThat(storage.scans).isPositive();

        module.onDetach(storage);
        storage.scans = 0;
        report(storage, "run", "w0", 1_006, 6, 0.5, Map.of("0_W", 0.05));
        assertThat(json(module.data(null, null).body).get("sessions")).isEmpty();
        assertThat(storage.scans).as("a detached storage is not read").isZero();
    }

    @Test
    void aWriteToOneSessionScansThatSessionAloneAndShowsInTheNextAnswer() {
        CountingStorage storage = new CountingStorage();
        for (String id : List.of("live", "finished-1", "finished-2")) {
            start(storage, id, "w0", 1_000);
            for (int i = 0; i < 5; i++) {
                report(storage, id, "w0", 1_000 + i, i, 1.0, Map.of("0_W", 0.1));
            }
        }
        SchedulesModule module = new SchedulesModule();
        module.onAttach(storage);
        assertThat(json(module.data(null, null).body).get("sessions")).hasSize(3);
        assertThat(storage.scansOf).containsOnlyKeys("live", "finished-1", "finished-2");

        storage.scansOf.clear();
        report(storage, "live", "w0", 1_005, 5, 0.5, Map.of("0_W", 0.05));
        JsonNode data = json(module.data(null, null).body);
        assertIterations(data, "live", 6);
        assertIterations(data, "finished-1", 5);
        assertIterations(data, "finished-2", 5);
        assertThat(storage.scansOf).containsOnlyKeys("live");

        // a new session is read on the first poll after it appears, the others are not scanned again
        storage.scansOf.clear();
        start(storage, "new", "w0", 3_000);
        report(storage, "new", "w0", 3_001, 0, 2.0, Map.of("0_W", 0.2));
        data = json(module.data(null, null).body);
        assertIterations(data, "new", 1);
        assertIterations(data, "live", 6);
        assertThat(storage.scansOf).containsOnlyKeys("new");
    }

    private static void assertIterations(JsonNode data, String id, int count) {
        assertThat(session(data, id).get("iterations")).as(id).hasSize(count);
    }
}
