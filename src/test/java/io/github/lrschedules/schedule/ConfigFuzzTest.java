package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.schedulefree.ScheduleFree;
import io.github.lrschedules.schedulefree.ScheduleFreeContractTest;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.JsonNodeFactory;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Corrupt configurations of every catalog schedule and every schedule-free updater: seeded random mutations of their
 * valid JSON (a property removed, a value of the wrong type, NaN or an infinity, a huge, tiny or negative number, an
 * unknown or wrong {@code @class}), read through {@code NeuralNetConfiguration.mapper()}, through
 * {@code MultiLayerConfiguration.fromJson} (the object as a layer's updater or its schedule) and through a
 * {@code ModelSerializer} zip whose configuration was rewritten.
 *
 * <p>Every outcome must be either a valid object or an exception whose messages name a mutated property (or the
 * {@code @class} that was changed), or quote another property with the value the corrupt JSON gives it (a schedule
 * removed from an updater whose stored rate is 0: {@code "learningRate (0.0) must be > 0 and finite"}). A valid object must never give a learning rate that is NaN, infinite or negative,
 * at any step or epoch probed (0 to {@code Integer.MAX_VALUE}), and a network built from a valid configuration must
 * train a step without an exception. Bounded by a case count and by time; the counts are printed (BENCHMARKS.md).
 */
class ConfigFuzzTest {

    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();
    /** The seed; {@code -Dlrschedules.fuzz.seed=N} explores others. */
    private static final long SEED = Long.getLong("lrschedules.fuzz.seed", 20261206L);
    private static final int MAX_CASES = Integer.getInteger("lrschedules.fuzz.cases", 4000);
    /** Stops after this time even before {@link #MAX_CASES}; {@code -Dlrschedules.fuzz.millis=N} for longer runs. */
    private static final long TIME_LIMIT_MILLIS = Long.getLong("lrschedules.fuzz.millis", 25_000L);
    /** One case in this many also goes through a ModelSerializer zip (the slowest path). */
    private static final int ZIP_EVERY = 8;
    private static final int[] STEPS = {0, 1, 2, 3, 5, 7, 10, 29, 30, 31, 59, 60, 61, 99, 100, 1_000, 65_536,
            1_000_000, 1 << 30, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
    private static final String[] UNKNOWN_CLASSES = {"io.github.lrschedules.schedule.NoSuchSchedule",
            "java.lang.String", "org.nd4j.linalg.learning.config.NoSuchUpdater", ""};

    enum Route { MAPPER, CONFIGURATION, MODEL_ZIP }

    enum Outcome {
        VALID, REFUSED_NAMING_THE_PROPERTY, REFUSED_NAMING_ANOTHER_PROPERTY_AND_ITS_VALUE, REFUSED_WITHOUT_NAMING_IT,
        BAD_RATE, TRAINING_FAILED
    }

    /** A thing that was fuzzed: its valid JSON, and the type to read it as. */
    private static final class Subject {
        final String name;
        final Object value;
        final Class<?> type;
        final ObjectNode json;

        Subject(Object value, Class<?> type) {
            this.name = value.getClass().getSimpleName();
            this.value = value;
            this.type = type;
            this.json = MAPPER.valueToTree(value);
        }

        MultiLayerConfiguration configuration() {
            IUpdater updater = value instanceof ISchedule ? new org.nd4j.linalg.learning.config.Sgd((ISchedule) value)
                    : (IUpdater) value;
            return new NeuralNetConfiguration.Builder().updater(updater).list()
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2)
                            .activation(Activation.IDENTITY).build())
                    .build();
        }
    }

    /** One mutation: where, what, and the names an exception may use to point at it. */
    private static final class Mutation {
        final String description;
        final Set<String> names;

        Mutation(String description, Set<String> names) {
            this.description = description;
            this.names = names;
        }
    }

    private final Random random = new Random(SEED);
    private final Map<Route, Map<Outcome, Integer>> counts = new EnumMap<>(Route.class);
    private final List<String> failures = new ArrayList<>();

    @Test
    void corruptConfigurationsGiveAValidScheduleOrAnExceptionNamingTheProperty(@TempDir Path dir) throws IOException {
        List<Subject> subjects = new ArrayList<>();
        for (ScheduleCatalog.Entry entry : ScheduleCatalog.all()) {
            subjects.add(new Subject(entry.sample, ISchedule.class));
            subjects.add(new Subject(entry.different, ISchedule.class));
        }
        ScheduleFreeContractTest.samples().forEach(u -> subjects.add(new Subject(u, IUpdater.class)));
        List<File> zips = new ArrayList<>();
        List<String> configurations = new ArrayList<>();
        for (int s = 0; s < subjects.size(); s++) {
            configurations.add(subjects.get(s).configuration().toJson());
            File zip = dir.resolve("subject-" + s + ".zip").toFile();
            ModelSerializer.writeModel(network(subjects.get(s).configuration()), zip, true);
            zips.add(zip);
        }
        for (Route p : Route.values()) {
            counts.put(p, new EnumMap<>(Outcome.class));
        }

        long start = System.currentTimeMillis();
        int cases = 0;
        while (cases < MAX_CASES && System.currentTimeMillis() - start < TIME_LIMIT_MILLIS) {
            int s = cases % subjects.size();
            Subject subject = subjects.get(s);
            ObjectNode mutated = subject.json.deepCopy();
            List<Mutation> mutations = new ArrayList<>();
            int n = 1 + (random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0);
            for (int m = 0; m < n; m++) {
                mutations.add(mutate(mutated));
            }
            String label = "#" + cases + " " + subject.name + " " + mutations.stream().map(m -> m.description)
                    .collect(Collectors.joining("; "));
            Set<String> names = new LinkedHashSet<>();
            mutations.forEach(m -> names.addAll(m.names));

            viaMapper(subject, mutated, names, label);
            String configuration = replaced(configurations.get(s), subject.json, mutated);
            viaConfiguration(configuration, names, mutated, label);
            if (cases % ZIP_EVERY == 0) {
                File zip = dir.resolve("mutated.zip").toFile();
                StrictJson.rewriteConfiguration(zips.get(s), zip, json -> configuration);
                viaModelZip(zip, names, mutated, label);
            }
            cases++;
        }
        long millis = System.currentTimeMillis() - start;
        System.out.printf("ConfigFuzzTest: seed %d, %d subjects, %d cases in %d ms%n", SEED, subjects.size(), cases,
                millis);
        for (Map.Entry<Route, Map<Outcome, Integer>> e : counts.entrySet()) {
            System.out.printf("  %-13s %s%n", e.getKey(), e.getValue());
        }
        assertThat(cases).as("cases tried within the time limit").isGreaterThanOrEqualTo(subjects.size() * 5);
        assertThat(failures).as("outcomes that are neither a valid object nor an exception naming the property")
                .isEmpty();
    }

    private void viaMapper(Subject subject, ObjectNode mutated, Set<String> names, String label) {
        Object value;
        try {
            value = MAPPER.treeToValue(mutated, subject.type);
        } catch (Exception e) {
            refused(Route.MAPPER, e, names, mutated, label);
            return;
        }
        if (value == null) {
            count(Route.MAPPER, Outcome.VALID);
            return;
        }
        String bad = value instanceof ISchedule ? badRate((ISchedule) value) : badRate((IUpdater) value);
        outcome(Route.MAPPER, bad, label + " -> " + value);
    }

    private void viaConfiguration(String json, Set<String> names, JsonNode mutated, String label) {
        MultiLayerConfiguration conf;
        try {
            conf = MultiLayerConfiguration.fromJson(json);
        } catch (Exception e) {
            refused(Route.CONFIGURATION, e, names, mutated, label);
            return;
        }
        checkNetwork(Route.CONFIGURATION, () -> network(conf), label);
    }

    private void viaModelZip(File zip, Set<String> names, JsonNode mutated, String label) {
        MultiLayerNetwork restored;
        try {
            restored = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        } catch (Exception e) {
            refused(Route.MODEL_ZIP, e, names, mutated, label);
            return;
        }
        checkNetwork(Route.MODEL_ZIP, () -> restored, label);
    }

    /** The rates of every updater of the network, then one training step at a probed iteration. */
    private void checkNetwork(Route path, java.util.function.Supplier<MultiLayerNetwork> build, String label) {
        MultiLayerNetwork net;
        try {
            net = build.get();
        } catch (Exception e) {
            count(path, Outcome.TRAINING_FAILED);
            fail(path, label + " -> a valid configuration, but the network cannot be built: " + StrictJson.messages(e));
            return;
        }
        for (Layer layer : net.getLayers()) {
            for (String param : layer.paramTable().keySet()) {
                IUpdater updater = layer.conf().getLayer().getUpdaterByParam(param);
                String bad = badRate(updater);
                if (bad != null) {
                    outcome(path, bad, label + " -> " + param + " " + updater);
                    return;
                }
            }
        }
        try {
            // What the schedule-free updaters with weight decay ask for (harmless for every other updater).
            ScheduleFree.attach(net);
            net.setIterationCount(STEPS[random.nextInt(STEPS.length - 2)]);
            net.fit(new DataSet(Nd4j.rand(4, 3), Nd4j.rand(4, 2)));
        } catch (Exception e) {
            count(path, Outcome.TRAINING_FAILED);
            fail(path, label + " -> a valid configuration whose training throws: " + StrictJson.messages(e));
            return;
        }
        count(path, Outcome.VALID);
    }

    private void outcome(Route path, String badRate, String label) {
        if (badRate == null) {
            count(path, Outcome.VALID);
        } else {
            count(path, Outcome.BAD_RATE);
            fail(path, label + ": " + badRate);
        }
    }

    private void refused(Route path, Exception e, Set<String> names, JsonNode mutated, String label) {
        String messages = StrictJson.messages(e);
        for (String name : names) {
            if (messages.contains(name)) {
                count(path, Outcome.REFUSED_NAMING_THE_PROPERTY);
                return;
            }
        }
        if (namesAPropertyWithItsValue(messages, mutated)) {
            count(path, Outcome.REFUSED_NAMING_ANOTHER_PROPERTY_AND_ITS_VALUE);
            return;
        }
        count(path, Outcome.REFUSED_WITHOUT_NAMING_IT);
        fail(path, label + " -> " + e.getClass().getSimpleName() + " naming none of " + names + ": " + messages);
    }

    /**
     * True if {@code messages} quote a property of {@code node} with the value it has there, as in
     * {@code "learningRate (0.0) must be > 0"} after the schedule that made a rate of 0 valid was removed.
     */
    private static boolean namesAPropertyWithItsValue(String messages, JsonNode node) {
        if (node instanceof ObjectNode) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode v = f.getValue();
                if (v.isNumber() && (messages.contains(f.getKey() + " (" + v.asText() + ")")
                        || messages.contains(f.getKey() + " (" + v.asDouble() + ")"))) {
                    return true;
                }
                if (namesAPropertyWithItsValue(messages, v)) {
                    return true;
                }
            }
        } else if (node instanceof ArrayNode) {
            for (JsonNode child : node) {
                if (namesAPropertyWithItsValue(messages, child)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void count(Route path, Outcome outcome) {
        counts.get(path).merge(outcome, 1, Integer::sum);
    }

    private void fail(Route path, String text) {
        if (failures.size() < 30) {
            failures.add(path + " " + text);
        }
    }

    /** Null if every probed rate is finite and >= 0, else the first bad one. */
    private static String badRate(ISchedule schedule) {
        for (int k : STEPS) {
            for (int epoch : new int[] {0, 1, 3, 100, k}) {
                double v = schedule.valueAt(k, epoch);
                if (!(v >= 0) || Double.isInfinite(v)) {
                    return "valueAt(" + k + ", " + epoch + ") = " + v;
                }
            }
        }
        return null;
    }

    private static String badRate(IUpdater updater) {
        if (updater == null || !updater.hasLearningRate()) {
            return null;
        }
        for (int k : STEPS) {
            for (int epoch : new int[] {0, 1, 3, 100, k}) {
                double v = updater.getLearningRate(k, epoch);
                if (!(v >= 0) || Double.isInfinite(v)) {
                    return "getLearningRate(" + k + ", " + epoch + ") = " + v;
                }
            }
        }
        return null;
    }

    private static MultiLayerNetwork network(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** {@code json} with every object equal to {@code original} replaced by {@code mutated}. */
    private static String replaced(String json, JsonNode original, JsonNode mutated) {
        try {
            JsonNode root = MAPPER.readTree(json);
            int[] replaced = {0};
            replace(root, original, mutated, replaced);
            assertThat(replaced[0]).as("the fuzzed object is in the configuration").isPositive();
            return MAPPER.writeValueAsString(root);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void replace(JsonNode node, JsonNode original, JsonNode mutated, int[] replaced) {
        if (node instanceof ObjectNode) {
            ObjectNode object = (ObjectNode) node;
            List<String> fields = new ArrayList<>();
            object.fieldNames().forEachRemaining(fields::add);
            for (String f : fields) {
                if (object.get(f).equals(original)) {
                    object.set(f, mutated.deepCopy());
                    replaced[0]++;
                } else {
                    replace(object.get(f), original, mutated, replaced);
                }
            }
        } else if (node instanceof ArrayNode) {
            for (JsonNode child : node) {
                replace(child, original, mutated, replaced);
            }
        }
    }

    /** Applies one random mutation somewhere in {@code root} and says what it did. */
    private Mutation mutate(ObjectNode root) {
        List<Object[]> places = new ArrayList<>();
        collect(root, null, places);
        Object[] place = places.get(random.nextInt(places.size()));
        JsonNode parent = (JsonNode) place[0];
        Object key = place[1];
        String owner = (String) place[2];
        String field = key instanceof String ? (String) key : owner;
        JsonNode current = key instanceof String ? parent.get((String) key) : parent.get((Integer) key);
        Set<String> names = new LinkedHashSet<>();
        names.add(field);
        if ("@class".equals(field)) {
            String name = random.nextInt(3) == 0 ? otherClass(current.asText())
                    : UNKNOWN_CLASSES[random.nextInt(UNKNOWN_CLASSES.length)];
            if (!name.isEmpty()) {
                names.add(name);
            }
            // A class of the library given another's properties: it refuses the first of its own that is missing.
            names.add("Missing required creator property");
            names.add("type id");
            set(parent, key, JsonNodeFactory.instance.textNode(name));
            return new Mutation(field + " = \"" + name + "\"", names);
        }
        if (key instanceof String && random.nextInt(5) == 0) {
            ((ObjectNode) parent).remove((String) key);
            return new Mutation("without " + field, names);
        }
        JsonNode value = randomValue();
        set(parent, key, value);
        return new Mutation(field + (key instanceof Integer ? "[" + key + "]" : "") + " = " + value, names);
    }

    /** Another schedule class of the library, or an updater for an updater. */
    private String otherClass(String current) {
        List<String> classes = ScheduleCatalog.all().stream().map(e -> e.sample.getClass().getName()).distinct()
                .filter(c -> !c.equals(current)).collect(Collectors.toList());
        if (current.contains("ScheduleFree")) {
            classes = List.of(current.contains("Sgd") ? "io.github.lrschedules.schedulefree.AdamWScheduleFree"
                    : "io.github.lrschedules.schedulefree.SgdScheduleFree");
        }
        return classes.get(random.nextInt(classes.size()));
    }

    private JsonNode randomValue() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (random.nextInt(22)) {
            case 0: return f.textNode("NaN");
            case 1: return f.textNode("Infinity");
            case 2: return f.textNode("-Infinity");
            case 3: return f.numberNode(1e308);
            case 4: return f.numberNode(-1e308);
            case 5: return f.numberNode(Double.MIN_VALUE);
            case 6: return f.numberNode(-1);
            case 7: return f.numberNode(-0.5);
            case 8: return f.numberNode(0);
            case 9: return f.numberNode(-0.0);
            case 10: return f.numberNode(Integer.MAX_VALUE);
            case 11: return f.numberNode(Integer.MIN_VALUE);
            case 12: return f.numberNode(1L << 40);
            case 13: return f.numberNode(Long.MAX_VALUE);
            case 14: return f.numberNode(1e9);
            case 15: return f.numberNode(0.5);
            case 16: return f.textNode("not a number");
            case 17: return f.booleanNode(true);
            case 18: return f.objectNode();
            case 19: return f.arrayNode().add(1).add(2);
            case 20: return f.nullNode();
            default: return f.numberNode(random.nextInt(200) - 20);
        }
    }

    private static void set(JsonNode parent, Object key, JsonNode value) {
        if (key instanceof String) {
            ((ObjectNode) parent).set((String) key, value);
        } else {
            ((ArrayNode) parent).set((Integer) key, value);
        }
    }

    /**
     * Every (container, field name or index, owning field name) in the tree, without the inside of objects of other
     * libraries (a DL4J schedule inside a schedule-free updater): their validation is not this library's.
     */
    private static void collect(JsonNode node, String owner, List<Object[]> places) {
        JsonNode type = node.get("@class");
        if (owner != null && node instanceof ObjectNode && type != null
                && !type.asText().startsWith("io.github.lrschedules.")) {
            return;
        }
        if (node instanceof ObjectNode) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                places.add(new Object[] {node, f, f});
                collect(node.get(f), f, places);
            }
        } else if (node instanceof ArrayNode) {
            for (int i = 0; i < node.size(); i++) {
                places.add(new Object[] {node, i, owner});
                collect(node.get(i), owner, places);
            }
        }
    }
}
