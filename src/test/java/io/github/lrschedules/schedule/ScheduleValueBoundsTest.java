package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * The values a schedule gives (and the factors of them) are in {@code [0, Float.MAX_VALUE]} for every catalog
 * schedule, from code and from JSON, so that no configuration gives a negative, infinite or NaN learning rate; the
 * growth factors that apply without limit ({@code peakDecay}, {@code EXP_RANGE}'s {@code gamma}) are at most 1, and a
 * milestone {@code gamma} above 1 may not grow the value past {@code Float.MAX_VALUE}. Found by {@link ConfigFuzzTest}.
 */
class ScheduleValueBoundsTest {

    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();
    private static final Set<String> VALUE_PROPERTIES = Set.of("initialValue", "peakValue", "minValue",
            "warmupStartValue", "startFactor", "endFactor");
    private static final int[] STEPS = {0, 1, 5, 10, 30, 100, 1_000_000, Integer.MAX_VALUE};

    /** Every catalog schedule with each of its value properties, and {@code values[0]} of the piecewise one. */
    static Stream<Object[]> valueProperties() {
        List<Object[]> out = new ArrayList<>();
        for (ScheduleCatalog.Entry entry : ScheduleCatalog.all()) {
            ObjectNode json = MAPPER.valueToTree(entry.sample);
            json.fieldNames().forEachRemaining(name -> {
                if (VALUE_PROPERTIES.contains(name) || name.equals("values")) {
                    out.add(new Object[] {entry, name});
                }
            });
        }
        return out.stream();
    }

    private static ObjectNode withValue(ScheduleCatalog.Entry entry, String property, double value) {
        ObjectNode json = MAPPER.valueToTree(entry.sample);
        if (property.equals("values")) {
            ((ArrayNode) json.get("values")).set(0, MAPPER.getNodeFactory().numberNode(value));
        } else {
            json.put(property, value);
        }
        return json;
    }

    @ParameterizedTest(name = "{0}.{1}")
    @MethodSource("valueProperties")
    void aNegativeOrOversizedValueIsRefusedFromJsonWithThePropertyNamed(ScheduleCatalog.Entry entry, String property) {
        String name = property.equals("values") ? "values[0]" : property;
        for (double bad : new double[] {-0.5, -1e-300, 1e39, 1e308}) {
            JsonNode json = withValue(entry, property, bad);
            assertThatThrownBy(() -> MAPPER.treeToValue(json, ISchedule.class))
                    .hasRootCauseInstanceOf(IllegalArgumentException.class)
                    .rootCause().hasMessageStartingWith(name + " (" + bad + ") must be in [0, 3.4028234663852886E38]");
        }
    }

    @ParameterizedTest(name = "{0}.{1}")
    @MethodSource("valueProperties")
    void theBoundsThemselvesAreAcceptedAndGiveFiniteNonNegativeValues(ScheduleCatalog.Entry entry, String property)
            throws Exception {
        for (double edge : new double[] {0.0, Float.MAX_VALUE}) {
            ISchedule schedule = MAPPER.treeToValue(withValue(entry, property, edge), ISchedule.class);
            for (int k : STEPS) {
                for (int epoch : new int[] {0, 3, k}) {
                    double v = schedule.valueAt(k, epoch);
                    assertThat(v).as("%s with %s = %s at (%s, %s)", entry, property, edge, k, epoch)
                            .isFinite().isGreaterThanOrEqualTo(0.0);
                }
            }
        }
    }

    @Test
    void fromCodeTheValueIsNamedToo() {
        assertThatThrownBy(() -> new CosineDecaySchedule(EPOCH, 0.1, 50, -0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minValue (-0.5) must be in [0, 3.4028234663852886E38]: a schedule's values are rates and "
                        + "momenta");
        assertThatThrownBy(() -> new LinearSchedule(ITERATION, 0.1, 1.0, -1.0, 7))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("endFactor (-1.0) must be in [0, ");
        assertThatThrownBy(() -> new InverseSqrtSchedule(ITERATION, 1e308, 8, 12))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("peakValue (1.0E308) must be in [0, ");
        assertThatThrownBy(() -> LinearSchedule.decay(ITERATION, 0.1, -0.01, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("minValue (-0.01) must be in [0, ");
    }

    @Test
    void growthFactorsThatApplyWithoutLimitAreAtMostOne() {
        assertThatThrownBy(() -> new CosineRestartsSchedule(EPOCH, 0.1, 10, 2.0, 0.001, 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("peakDecay (1.5) must be in (0, 1]: the peak is multiplied by it at every restart");
        assertThat(new CosineRestartsSchedule(EPOCH, 0.1, 10, 2.0, 0.001, 1.0).valueAt(0, 10)).isEqualTo(0.1);
        assertThatThrownBy(() -> new CyclicSchedule(ITERATION, 0.001, 0.1, 5, 3, CyclicSchedule.Mode.EXP_RANGE, 1.01))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gamma (1.01) must be in (0, 1] in EXP_RANGE mode");
        // The other modes ignore gamma: a configuration of 1.0 with another gamma still loads.
        assertThat(new CyclicSchedule(ITERATION, 0.001, 0.1, 5, 3, CyclicSchedule.Mode.TRIANGULAR, 2.0).valueAt(5, 0))
                .isEqualTo(0.1);
    }

    @Test
    void aMilestoneGammaAboveOneMayNotGrowTheValuePastTheLargestFloat() {
        MilestoneStepSchedule up = new MilestoneStepSchedule(ITERATION, 0.1, 10, 5, 10);
        assertThat(up.valueAt(10, 0)).isCloseTo(10.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThatThrownBy(() -> new MilestoneStepSchedule(ITERATION, 0.1, 1e20, 5, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gamma (1.0E20) to the power of the 2 milestones times initialValue (0.1) must be <= "
                        + "3.4028234663852886E38");
    }
}
