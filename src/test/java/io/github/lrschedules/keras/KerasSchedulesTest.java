package io.github.lrschedules.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import io.github.lrschedules.schedule.CosineDecayRestartsSchedule;
import io.github.lrschedules.schedule.CosineDecaySchedule;
import io.github.lrschedules.schedule.CosineRestartsSchedule;
import io.github.lrschedules.schedule.ExponentialDecaySchedule;
import io.github.lrschedules.schedule.InverseTimeDecaySchedule;
import io.github.lrschedules.schedule.PiecewiseConstantSchedule;
import io.github.lrschedules.schedule.PolynomialDecaySchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * {@link KerasSchedules} against values computed by Keras 3 itself ({@code scripts/keras_schedule_reference.py},
 * files under {@code src/test/resources/io/github/lrschedules/keras}): every class and option, steps 0..160 and far
 * past every boundary and horizon, read from the Keras 3 form and from the Keras 2 form. Keras computes in float32,
 * so the bound is a relative error of 2e-6 plus 1e-7 times the schedule's peak.
 */
class KerasSchedulesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String DIR = "/io/github/lrschedules/keras/";
    private static final Map<String, JsonNode> CONFIGS = configs();
    private static final Map<String, List<double[]>> VALUES = values();
    private static double worstRelative;
    private static double worstOfBound;

    static Stream<String> cases() {
        return CONFIGS.keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keras3FormEqualsKeras(String name) {
        assertMatchesKeras(name, KerasSchedules.fromConfig(CONFIGS.get(name).toString()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keras2FormEqualsKeras(String name) {
        ObjectNode keras2 = CONFIGS.get(name).deepCopy();
        keras2.remove("module");
        keras2.remove("registered_name");
        ISchedule schedule = KerasSchedules.fromConfig(keras2.toString());
        assertThat(schedule).isEqualTo(KerasSchedules.fromConfig(CONFIGS.get(name).toString()));
        assertMatchesKeras(name, schedule);
    }

    /** What {@code toConfig} writes reads back to the same curve (and Keras 3 deserializes this form). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void toConfigRoundTripsKerasCurve(String name) {
        ISchedule schedule = KerasSchedules.fromConfig(CONFIGS.get(name).toString());
        JsonNode written = tree(KerasSchedules.toConfig(schedule));
        assertThat(written.get("class_name").asText()).isEqualTo(CONFIGS.get(name).get("class_name").asText());
        assertThat(written.get("module").asText()).isEqualTo("keras.optimizers.schedules");
        assertThat(written.has("registered_name")).isTrue();
        assertMatchesKeras(name, KerasSchedules.fromConfig(written.toString()));
        for (Iterator<String> it = written.get("config").fieldNames(); it.hasNext(); ) {
            String key = it.next();
            assertThat(CONFIGS.get(name).get("config").has(key)).as("Keras 3 writes %s too", key).isTrue();
        }
    }

    private static void assertMatchesKeras(String name, ISchedule schedule) {
        List<double[]> rows = VALUES.get(name);
        assertThat(rows).as(name).hasSizeGreaterThan(150);
        double peak = rows.stream().mapToDouble(r -> Math.abs(r[1])).max().orElseThrow();
        for (double[] row : rows) {
            int step = (int) row[0];
            double keras = row[1];
            double actual = schedule.valueAt(step, 0);
            double error = Math.abs(actual - keras);
            assertThat(error).as("%s at step %d: %s vs Keras %s", name, step, actual, keras)
                    .isLessThanOrEqualTo(2e-6 * Math.abs(keras) + 1e-7 * peak);
            if (Math.abs(keras) >= 1e-3 * peak) {
                worstRelative = Math.max(worstRelative, error / Math.abs(keras));
            }
            worstOfBound = Math.max(worstOfBound, error / (2e-6 * Math.abs(keras) + 1e-7 * peak));
            assertThat(schedule.valueAt(step, 12345)).as("ITERATION: the epoch does not matter").isEqualTo(actual);
        }
    }

    @AfterAll
    static void report() {
        System.out.println("KerasSchedulesTest: worst relative error against Keras 3 (float32) where the value is at "
                + "least 1e-3 of the peak: " + worstRelative + "; worst error as a fraction of the bound: " + worstOfBound);
    }

    @Test
    void mapsToTheReadableClasses() {
        assertThat(KerasSchedules.fromConfig(CONFIGS.get("exponential_staircase").toString()))
                .isEqualTo(ExponentialDecaySchedule.builder(ITERATION, 0.1, 0.5, 30).staircase(true).build());
        assertThat(KerasSchedules.fromConfig(CONFIGS.get("inverse_time").toString()))
                .isEqualTo(new InverseTimeDecaySchedule(ITERATION, 0.1, 0.5, 10, false));
        assertThat(KerasSchedules.fromConfig(CONFIGS.get("polynomial_cycle").toString()))
                .isEqualTo(PolynomialDecaySchedule.builder(ITERATION, 0.1, 20).minValue(0.01).power(0.5).cycle(true).build());
        assertThat(KerasSchedules.fromConfig(CONFIGS.get("piecewise").toString()))
                .isEqualTo(new PiecewiseConstantSchedule(ITERATION, new int[] {11, 26, 41}, new double[] {0.1, 0.05, 0.01, 0.001}));
        assertThat(KerasSchedules.fromConfig(CONFIGS.get("cosine_defaults").toString()))
                .isEqualTo(new CosineDecaySchedule(ITERATION, 0.1, 50, 0.0));
        assertThat(KerasSchedules.fromConfig(CONFIGS.get("cosine_warmup").toString()))
                .isEqualTo(new WarmupCosineSchedule(ITERATION, 0.2, 10, 50, 0.05 * 0.2, 0.0));
        assertThat(KerasSchedules.fromConfig(CONFIGS.get("restarts_fractional").toString()))
                .isEqualTo(CosineDecayRestartsSchedule.builder(ITERATION, 0.1, 8).tMul(1.5).mMul(0.7).alpha(0.05).build());
    }

    /** The README's example. */
    @Test
    void readmeExample() {
        ISchedule s = KerasSchedules.fromConfig(
                "{\"class_name\": \"CosineDecay\", \"config\": {\"initial_learning_rate\": 0.0, \"decay_steps\": 900,"
                        + " \"warmup_target\": 0.1, \"warmup_steps\": 100, \"alpha\": 0.01}}");
        WarmupCosineSchedule expected = new WarmupCosineSchedule(ITERATION, 0.1, 100, 1000, 0.001, 0.0);
        for (int k = 0; k <= 1100; k++) {
            assertThat(s.valueAt(k, 0)).as("step %d", k).isCloseTo(expected.valueAt(k, 0), org.assertj.core.data.Offset.offset(1e-17));
        }
        assertThat(s).isInstanceOf(WarmupCosineSchedule.class);
    }

    /** tf.keras 2.12 and older: CosineDecay without the warmup keys, {@code "name": null}, no module. */
    @Test
    void readsTheOldTfKerasForms() {
        ISchedule old = KerasSchedules.fromConfig("{\"class_name\": \"CosineDecay\", \"config\": {\"initial_learning_rate\": 0.1,"
                + " \"decay_steps\": 60, \"alpha\": 0.1, \"name\": null}}");
        assertMatchesKeras("cosine_alpha", old);
        ISchedule restarts = KerasSchedules.fromConfig("{\"class_name\": \"CosineDecayRestarts\", \"config\": "
                + "{\"initial_learning_rate\": 0.1, \"first_decay_steps\": 10, \"name\": null}}");
        assertMatchesKeras("restarts_defaults", restarts);
        ISchedule poly = KerasSchedules.fromConfig("{\"class_name\": \"PolynomialDecay\", \"config\": "
                + "{\"initial_learning_rate\": 0.1, \"decay_steps\": 50.0}}");
        assertMatchesKeras("polynomial_defaults", poly);
    }

    @Test
    void unknownClassNamesItAndListsTheSix() {
        assertThatThrownBy(() -> KerasSchedules.fromConfig("{\"class_name\": \"WarmUp\", \"config\": {}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"WarmUp\"")
                .hasMessageContaining("ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, "
                        + "CosineDecay, CosineDecayRestarts");
    }

    @Test
    void missingRequiredArgumentIsNamed() {
        assertThatThrownBy(() -> KerasSchedules.fromConfig("{\"class_name\": \"ExponentialDecay\", \"config\": "
                + "{\"initial_learning_rate\": 0.1, \"decay_steps\": 10}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ExponentialDecay: required argument \"decay_rate\" is missing");
        assertThatThrownBy(() -> KerasSchedules.fromConfig("{\"class_name\": \"CosineDecayRestarts\", \"config\": "
                + "{\"initial_learning_rate\": 0.1}}"))
                .hasMessage("CosineDecayRestarts: required argument \"first_decay_steps\" is missing");
        assertThatThrownBy(() -> KerasSchedules.fromConfig("{\"class_name\": \"PiecewiseConstantDecay\", \"config\": "
                + "{\"boundaries\": [3]}}"))
                .hasMessage("PiecewiseConstantDecay: required argument \"values\" is missing");
    }

    @Test
    void badArgumentsAreNamedWithTheirValue() {
        assertThatThrownBy(() -> KerasSchedules.fromConfig("{\"class_name\": \"CosineDecay\", \"config\": "
                + "{\"initial_learning_rate\": 0.1, \"decay_steps\": 10, \"warmup\": 3}}"))
                .hasMessageContaining("unknown argument \"warmup\"");
        assertThatThrownBy(() -> KerasSchedules.fromConfig("{\"class_name\": \"ExponentialDecay\", \"config\": "
                + "{\"initial_learning_rate\": 0.1, \"decay_steps\": 0, \"decay_rate\": 0.5}}"))
                .hasMessage("decaySteps (0.0) must be > 0 and finite");
        assertThatThrownBy(() -> KerasSchedules.fromConfig("{\"class_name\": \"CosineDecay\", \"config\": "
                + "{\"initial_learning_rate\": 0.1, \"decay_steps\": 10.5}}"))
                .hasMessage("CosineDecay: decay_steps (10.5) must be a whole number of steps");
        assertThatThrownBy(() -> KerasSchedules.fromConfig("{\"class_name\": \"CosineDecayRestarts\", \"config\": "
                + "{\"initial_learning_rate\": 0.1, \"first_decay_steps\": 10, \"t_mul\": 0.5}}"))
                .hasMessage("tMul (0.5) must be >= 1 and finite");
        assertThatThrownBy(() -> KerasSchedules.fromConfig("{\"class_name\": \"PiecewiseConstantDecay\", \"config\": "
                + "{\"boundaries\": [3, 5], \"values\": [0.1, 0.01]}}"))
                .hasMessage("PiecewiseConstantDecay: values.length (2) must be boundaries.length + 1 (3)");
        assertThatThrownBy(() -> KerasSchedules.fromConfig("{\"class_name\": \"ExponentialDecay\", \"config\": "
                + "{\"initial_learning_rate\": \"0.1\", \"decay_steps\": 10, \"decay_rate\": 0.5}}"))
                .hasMessage("ExponentialDecay: initial_learning_rate (\"0.1\") must be a number");
        assertThatThrownBy(() -> KerasSchedules.fromConfig("[1, 2]"))
                .hasMessageContaining("\"class_name\"");
        assertThatThrownBy(() -> KerasSchedules.fromConfig("{\"class_name\": "))
                .hasMessageStartingWith("json is not valid JSON");
    }

    @Test
    void toConfigOfTheLibrarysOwnSchedules() {
        JsonNode restarts = tree(KerasSchedules.toConfig(CosineRestartsSchedule.builder(ITERATION, 0.1, 10)
                .cycleMultiplier(2.0).peakDecay(0.5).build()));
        assertThat(restarts.get("class_name").asText()).isEqualTo("CosineDecayRestarts");
        assertThat(restarts.get("config").get("m_mul").asDouble()).isEqualTo(0.5);
        assertThat(restarts.get("config").get("name").asText()).isEqualTo("SGDRDecay");
        ISchedule fromKeras = KerasSchedules.fromConfig(restarts.toString());
        ISchedule original = CosineRestartsSchedule.builder(ITERATION, 0.1, 10).cycleMultiplier(2.0).peakDecay(0.5).build();
        for (int k = 0; k < 200; k++) {
            assertThat(fromKeras.valueAt(k, 0)).as("step %d", k).isCloseTo(original.valueAt(k, 0),
                    org.assertj.core.data.Offset.offset(1e-15));
        }
        JsonNode piecewise = tree(KerasSchedules.toConfig(new PiecewiseConstantSchedule(ITERATION, new int[] {0, 30},
                new double[] {1, 0.5, 0.1})));
        assertThat(piecewise.get("config").get("boundaries").toString()).isEqualTo("[-1,29]");
        assertThat(tree(KerasSchedules.toConfig(ExponentialDecaySchedule.builder(ITERATION, 0.1, 0.5, 10).build()))
                .get("config").get("decay_steps").isInt()).isTrue();
    }

    @Test
    void toConfigRefusesWhatKerasCannotExpress() {
        assertThatThrownBy(() -> KerasSchedules.toConfig(new CosineDecaySchedule(EPOCH, 0.1, 10, 0.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ITERATION");
        assertThatThrownBy(() -> KerasSchedules.toConfig(CosineDecaySchedule.builder(ITERATION, 0.1, 10).kDecay(2.0).build()))
                .hasMessageContaining("kDecay must be 1");
        assertThatThrownBy(() -> KerasSchedules.toConfig(new CosineRestartsSchedule(ITERATION, 0.1, 10, 2.0, 0.01, 0.5)))
                .hasMessageContaining("minValue must be 0");
        assertThatThrownBy(() -> KerasSchedules.toConfig(new org.nd4j.linalg.schedule.FixedSchedule(0.1)))
                .hasMessageContaining("FixedSchedule has no Keras twin");
    }

    /** The examples of the new classes' Javadoc. */
    @Test
    void javadocExamples() {
        ISchedule exp = ExponentialDecaySchedule.builder(ITERATION, 0.1, 0.5, 10).build();
        assertThat(new double[] {exp.valueAt(0, 0), exp.valueAt(10, 0), exp.valueAt(15, 0)})
                .containsExactly(new double[] {0.1, 0.05, 0.0353553}, org.assertj.core.data.Offset.offset(1e-7));
        assertThat(ExponentialDecaySchedule.builder(ITERATION, 0.1, 0.5, 10).staircase(true).build().valueAt(15, 0))
                .isEqualTo(0.05);
        ISchedule inv = InverseTimeDecaySchedule.builder(ITERATION, 0.1, 0.5, 10).build();
        assertThat(new double[] {inv.valueAt(0, 0), inv.valueAt(10, 0), inv.valueAt(15, 0)})
                .containsExactly(new double[] {0.1, 0.0666667, 0.0571429}, org.assertj.core.data.Offset.offset(1e-7));
        assertThat(InverseTimeDecaySchedule.builder(ITERATION, 0.1, 0.5, 10).staircase(true).build().valueAt(15, 0))
                .isCloseTo(0.0666667, org.assertj.core.data.Offset.offset(1e-7));
        ISchedule restarts = CosineDecayRestartsSchedule.builder(ITERATION, 0.1, 10).mMul(0.5).alpha(0.2).build();
        assertThat(new double[] {restarts.valueAt(0, 0), restarts.valueAt(5, 0), restarts.valueAt(10, 0), restarts.valueAt(20, 0)})
                .containsExactly(new double[] {0.1, 0.06, 0.06, 0.04}, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(PolynomialDecaySchedule.builder(ITERATION, 0.1, 10).power(2.0).cycle(true).build().valueAt(15, 0))
                .isCloseTo(0.00625, org.assertj.core.data.Offset.offset(1e-12));
    }

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, JsonNode> configs() {
        try (InputStream in = KerasSchedulesTest.class.getResourceAsStream(DIR + "schedule_configs.json")) {
            JsonNode root = MAPPER.readTree(in);
            Map<String, JsonNode> out = new LinkedHashMap<>();
            root.fieldNames().forEachRemaining(name -> out.put(name, root.get(name)));
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, List<double[]>> values() {
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        try (InputStream in = KerasSchedulesTest.class.getResourceAsStream(DIR + "schedule_values.csv")) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            assertThat(reader.readLine()).isEqualTo("case,step,value");
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] f = line.split(",");
                out.computeIfAbsent(f[0], k -> new ArrayList<>())
                        .add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
