package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.lrschedules.schedule.ScheduleCatalog.BadInput;
import io.github.lrschedules.schedule.ScheduleCatalog.Entry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/** JSON, Java serialization, clone, equality, toString and argument validation for every schedule class. */
class ScheduleContractTest {

    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();

    static Stream<Entry> entries() {
        return ScheduleCatalog.all().stream();
    }

    static Stream<Object[]> badInputs() {
        return ScheduleCatalog.all().stream()
                .flatMap(e -> e.badInputs.stream().map(b -> new Object[] {e, b}));
    }

    /** The bad inputs that JSON can carry (a constructor argument such as a division factor is not stored). */
    static Stream<Object[]> badJsonInputs() {
        return badInputs().filter(pair -> ((BadInput) pair[1]).jsonField != null);
    }

    /**
     * Properties added after 1.0.0, with the JSON value they take when absent (the one that reproduces 1.0): a
     * configuration saved by 1.0 has none of them and must still load. Every other property is required.
     */
    static final Map<String, Map<String, Object>> OPTIONAL = Map.of(
            "CosineDecaySchedule", Map.of("exponent", 1.0),
            "WarmupSchedule", Map.of("ramp", "LINEAR"),
            "WarmupStableDecaySchedule", Map.of("warmupShape", "LINEAR", "numCycles", 0.5),
            "PolynomialDecaySchedule", Map.of("cycle", false));

    private static boolean optional(Entry e, String property) {
        return OPTIONAL.getOrDefault(e.sample.getClass().getSimpleName(), Map.of()).containsKey(property);
    }

    private static Stream<Object[]> properties(Entry e) {
        List<String> names = new ArrayList<>();
        MAPPER.valueToTree(e.sample).fieldNames().forEachRemaining(names::add);
        return names.stream().filter(n -> !n.equals("@class")).map(n -> new Object[] {e, n});
    }

    /** Every schedule with each of its required JSON properties in turn. */
    static Stream<Object[]> jsonProperties() {
        return ScheduleCatalog.all().stream().flatMap(ScheduleContractTest::properties)
                .filter(pair -> !optional((Entry) pair[0], (String) pair[1]));
    }

    /** Every schedule with each of its optional JSON properties in turn. */
    static Stream<Object[]> optionalJsonProperties() {
        return ScheduleCatalog.all().stream().flatMap(ScheduleContractTest::properties)
                .filter(pair -> optional((Entry) pair[0], (String) pair[1]));
    }

    private static void assertSameValues(ISchedule expected, ISchedule actual) {
        for (int k = 0; k <= 200; k++) {
            assertThat(actual.valueAt(k, k / 10)).as("valueAt(%s, %s)", k, k / 10)
                    .isEqualTo(expected.valueAt(k, k / 10));
        }
    }

    @Test
    void catalogCoversEveryPublicScheduleClass() throws URISyntaxException {
        File dir = new File(MilestoneStepSchedule.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toPath().resolve("io/github/lrschedules/schedule").toFile();
        Set<String> published = new TreeSet<>();
        for (String name : dir.list()) {
            if (!name.endsWith(".class") || name.contains("$")) {
                continue;
            }
            String className = "io.github.lrschedules.schedule." + name.substring(0, name.length() - 6);
            try {
                Class<?> c = Class.forName(className);
                if (ISchedule.class.isAssignableFrom(c) && Modifier.isPublic(c.getModifiers())) {
                    published.add(c.getSimpleName());
                }
            } catch (ClassNotFoundException e) {
                fail("cannot load " + className, e);
            }
        }
        Set<String> catalogued = ScheduleCatalog.all().stream()
                .map(e -> e.sample.getClass().getSimpleName()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(published).hasSizeGreaterThanOrEqualTo(11);
        assertThat(catalogued).isEqualTo(published);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void everyScheduleIsAFinalClass(Entry entry) {
        assertThat(Modifier.isFinal(entry.sample.getClass().getModifiers())).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void jsonRoundTripThroughDl4jMapperKeepsValueAndValues(Entry entry) throws IOException {
        String json = MAPPER.writeValueAsString(entry.sample);
        assertThat(json).contains("\"@class\"").contains(entry.sample.getClass().getName());
        ISchedule restored = MAPPER.readValue(json, ISchedule.class);
        assertThat(restored).isInstanceOf(entry.sample.getClass()).isEqualTo(entry.sample)
                .hasSameHashCodeAs(entry.sample);
        assertSameValues(entry.sample, restored);
        // Writing again gives the same text: nothing derived leaks into the JSON.
        assertThat(MAPPER.writeValueAsString(restored)).isEqualTo(json);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void javaSerializationKeepsValueAndValues(Entry entry) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(entry.sample);
        }
        Object restored;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            restored = in.readObject();
        }
        assertThat(restored).isEqualTo(entry.sample);
        assertSameValues(entry.sample, (ISchedule) restored);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void cloneIsEqualAndGivesTheSameValues(Entry entry) {
        ISchedule clone = entry.sample.clone();
        assertThat(clone).isEqualTo(entry.sample).hasSameHashCodeAs(entry.sample);
        assertSameValues(entry.sample, clone);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void equalityIsByValue(Entry entry) throws IOException {
        ISchedule copy = MAPPER.readValue(MAPPER.writeValueAsString(entry.sample), ISchedule.class);
        assertThat(copy).isNotSameAs(entry.sample).isEqualTo(entry.sample);
        assertThat(entry.sample).isNotEqualTo(entry.different).isNotEqualTo(null).isNotEqualTo("a string");
        assertThat(entry.different).isNotEqualTo(entry.sample);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void toStringNamesTheClassAndItsValues(Entry entry) {
        String text = entry.sample.toString();
        assertThat(text).startsWith(entry.sample.getClass().getSimpleName() + "{").doesNotContain("@");
        assertThat(text).isNotEqualTo(entry.different.toString());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badInputs")
    void badInputFromCodeIsRejectedWithTheArgumentNamed(Entry entry, BadInput bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad.fromCode);
        assertThat(e.getMessage()).contains(bad.argument);
        if (bad.jsonValue instanceof Number) {
            assertThat(e.getMessage()).contains("(" + bad.jsonValue + ")");
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badJsonInputs")
    void badInputFromJsonIsRejectedWithTheArgumentNamed(Entry entry, BadInput bad) {
        ObjectNode node = MAPPER.valueToTree(entry.sample);
        assertThat(node.has(bad.jsonField)).as("JSON field %s exists", bad.jsonField).isTrue();
        node.set(bad.jsonField, MAPPER.valueToTree(bad.jsonValue));
        String json = node.toString();
        assertThatThrownBy(() -> MAPPER.readValue(json, ISchedule.class))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessageContaining(bad.argument);
    }

    @ParameterizedTest(name = "{0} without {1}")
    @MethodSource("jsonProperties")
    void jsonWithoutAPropertyIsRefusedWithThePropertyNamed(Entry entry, String property) {
        ObjectNode node = MAPPER.valueToTree(entry.sample);
        node.remove(property);
        assertThatThrownBy(() -> MAPPER.treeToValue(node, ISchedule.class))
                .hasMessageContaining("'" + property + "'");
    }

    @Test
    void everyOptionalPropertyIsWrittenByItsClass() {
        Set<String> found = optionalJsonProperties()
                .map(pair -> ((Entry) pair[0]).sample.getClass().getSimpleName() + "." + pair[1])
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> declared = OPTIONAL.entrySet().stream()
                .flatMap(c -> c.getValue().keySet().stream().map(p -> c.getKey() + "." + p))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(found).isEqualTo(declared);
    }

    @ParameterizedTest(name = "{0} without {1}")
    @MethodSource("optionalJsonProperties")
    void jsonWithoutAnOptionalPropertyLoadsWithTheValueThatReproduces10(Entry entry, String property)
            throws IOException {
        ObjectNode without = MAPPER.valueToTree(entry.sample);
        without.remove(property);
        ISchedule loaded = MAPPER.treeToValue(without, ISchedule.class);
        ObjectNode expected = MAPPER.valueToTree(entry.sample);
        expected.set(property, MAPPER.valueToTree(OPTIONAL.get(entry.sample.getClass().getSimpleName()).get(property)));
        assertThat((Object) MAPPER.valueToTree(loaded)).isEqualTo(expected);
        assertThat(loaded).isEqualTo(MAPPER.treeToValue(expected, ISchedule.class));
    }

    @ParameterizedTest(name = "{0} without {1}")
    @MethodSource("jsonProperties")
    void networkConfigurationWithoutAPropertyIsRefusedWithThePropertyNamed(Entry entry, String property) {
        String json = StrictJson.withoutProperty(StrictJson.configuration(entry.sample).toJson(), entry.sample, property);
        assertThatThrownBy(() -> MultiLayerConfiguration.fromJson(json))
                .satisfies(e -> assertThat(StrictJson.messages(e)).contains("'" + property + "'"));
    }

    @Test
    void savedModelWithoutAPropertyIsRefusedWithThePropertyNamed(@TempDir Path dir) throws IOException {
        ISchedule schedule = new WarmupCosineSchedule(org.nd4j.linalg.schedule.ScheduleType.ITERATION, 0.1, 5, 30, 0.001, 0.01);
        MultiLayerNetwork net = new MultiLayerNetwork(StrictJson.configuration(schedule));
        net.init();
        File model = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(net, model, true);
        File broken = dir.resolve("broken.zip").toFile();
        StrictJson.rewriteConfiguration(model, broken, json -> StrictJson.withoutProperty(json, schedule, "totalSteps"));

        assertThatThrownBy(() -> ModelSerializer.restoreMultiLayerNetwork(broken, true))
                .satisfies(e -> assertThat(StrictJson.messages(e)).contains("'totalSteps'"));
        // The untouched file still loads, with the schedule intact.
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(model, true);
        assertThat(((Sgd) restored.getLayer(0).conf().getLayer().getUpdaterByParam("W")).getLearningRateSchedule())
                .isEqualTo(schedule);
    }

    @Test
    void valueAtAllocatesNothing() {
        List<ISchedule> samples = ScheduleCatalog.all().stream().map(e -> e.sample).collect(Collectors.toList());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        double sink = 0;
        for (int round = 0; round < 3; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (ISchedule s : samples) {
                for (int k = 0; k < 20_000; k++) {
                    sink += s.valueAt(k, k / 100);
                }
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            // 220,000 calls; one allocation per call would be megabytes. The bound leaves room for the
            // measurement itself.
            if (allocated < 4096) {
                assertThat(sink).isFinite();
                return;
            }
        }
        fail("valueAt allocated memory in every one of three rounds of 220,000 calls");
    }
}
