package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** Worked examples, DL4J's MapSchedule and a linear scan as references, Keras' convention, copies. */
class PiecewiseConstantScheduleTest {

    private static double at(ISchedule s, int k) {
        return s.valueAt(k, 0);
    }

    @Test
    void javadocExample() {
        ISchedule lr = new PiecewiseConstantSchedule(EPOCH, new int[] {30, 60}, new double[] {0.1, 0.01, 0.001});
        assertThat(new double[] {lr.valueAt(0, 29), lr.valueAt(0, 30), lr.valueAt(0, 60)})
                .containsExactly(0.1, 0.01, 0.001);
        assertThat(lr.valueAt(0, Integer.MAX_VALUE)).isEqualTo(0.001);
        assertThat(lr.valueAt(45, -3)).isEqualTo(0.1);
    }

    private static int[] randomBoundaries(Random random, int count, int firstAtLeast) {
        int[] b = new int[count];
        int next = firstAtLeast + random.nextInt(5);
        for (int i = 0; i < count; i++) {
            b[i] = next;
            next += 1 + random.nextInt(20);
        }
        return b;
    }

    @Test
    void equalsDl4jsMapScheduleAtEveryStep() {
        Random random = new Random(11);
        for (int trial = 0; trial < 100; trial++) {
            int[] boundaries = randomBoundaries(random, random.nextInt(12), 1);
            double[] values = random.doubles(boundaries.length + 1, 0, 1).toArray();
            ScheduleType type = random.nextBoolean() ? ITERATION : EPOCH;
            Map<Integer, Double> map = new HashMap<>();
            map.put(0, values[0]);
            for (int i = 0; i < boundaries.length; i++) {
                map.put(boundaries[i], values[i + 1]);
            }
            ISchedule dl4j = new MapSchedule(type, map);
            ISchedule lr = new PiecewiseConstantSchedule(type, boundaries, values);
            int end = boundaries.length == 0 ? 10 : boundaries[boundaries.length - 1] + 10;
            for (int k = 0; k <= end; k++) {
                assertThat(lr.valueAt(k, k)).as("%s step %s", lr, k).isEqualTo(dl4j.valueAt(k, k));
                int other = k + 1 + random.nextInt(100);
                double byType = type == ITERATION ? lr.valueAt(k, other) : lr.valueAt(other, k);
                assertThat(byType).isEqualTo(dl4j.valueAt(k, k));
            }
        }
    }

    @Test
    void binarySearchAgreesWithALinearScanIncludingBoundaryZeroAndHugeSteps() {
        Random random = new Random(5);
        for (int trial = 0; trial < 300; trial++) {
            int[] boundaries = randomBoundaries(random, random.nextInt(40), 0);
            if (trial % 7 == 0 && boundaries.length > 0) {
                boundaries[boundaries.length - 1] = Integer.MAX_VALUE;
            }
            double[] values = new double[boundaries.length + 1];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            ISchedule lr = new PiecewiseConstantSchedule(ITERATION, boundaries, values);
            for (int probe = 0; probe < 200; probe++) {
                int k = probe < 100 ? probe * 10 : random.nextInt(Integer.MAX_VALUE);
                if (probe == 199) {
                    k = Integer.MAX_VALUE;
                }
                int count = 0;
                for (int b : boundaries) {
                    if (b <= k) {
                        count++;
                    }
                }
                assertThat(at(lr, k)).as("%s step %s", lr, k).isEqualTo(count);
            }
        }
        ISchedule fromZero = new PiecewiseConstantSchedule(ITERATION, new int[] {0, 5}, new double[] {9, 1, 2});
        assertThat(new double[] {at(fromZero, 0), at(fromZero, 4), at(fromZero, 5)}).containsExactly(1, 1, 2);
        ISchedule constant = new PiecewiseConstantSchedule(EPOCH, new int[0], new double[] {0.3});
        assertThat(constant.valueAt(3, 0)).isEqualTo(0.3);
        assertThat(constant.valueAt(3, 1_000_000)).isEqualTo(0.3);
    }

    /** Keras' PiecewiseConstantDecay keeps values[i] while k <= boundaries[i]: its boundaries plus one. */
    @Test
    void kerasBoundariesPlusOneGiveKerasCurve() {
        int[] keras = {10, 20, 35};
        double[] values = {1.0, 0.5, 0.1, 0.01};
        ISchedule lr = new PiecewiseConstantSchedule(ITERATION, new int[] {11, 21, 36}, values);
        for (int k = 0; k < 50; k++) {
            // keras_ops.where chain: x <= b[0] -> v[0]; b[i] < x <= b[i+1] -> v[i+1]; x > b[-1] -> v[-1]
            double expected = k <= keras[0] ? values[0] : k <= keras[1] ? values[1] : k <= keras[2] ? values[2] : values[3];
            assertThat(at(lr, k)).as("step %s", k).isEqualTo(expected);
        }
    }

    @Test
    void multipliesLikeMilestonesWhenTheValuesAreAGeometricSequence() {
        ISchedule milestones = new MilestoneStepSchedule(EPOCH, 0.1, 0.2, 3, 8, 30);
        ISchedule lr = new PiecewiseConstantSchedule(EPOCH, new int[] {3, 8, 30},
                new double[] {0.1, 0.1 * Math.pow(0.2, 1), 0.1 * Math.pow(0.2, 2), 0.1 * Math.pow(0.2, 3)});
        for (int e = 0; e < 40; e++) {
            assertThat(lr.valueAt(0, e)).isEqualTo(milestones.valueAt(0, e));
        }
    }

    @Test
    void theArraysAreCopiedInAndOut() throws IOException {
        int[] boundaries = {2, 4};
        double[] values = {3, 2, 1};
        PiecewiseConstantSchedule lr = new PiecewiseConstantSchedule(ITERATION, boundaries, values);
        boundaries[0] = 100;
        values[0] = -1;
        lr.getBoundaries()[1] = 0;
        lr.getValues()[2] = 7;
        assertThat(new double[] {at(lr, 0), at(lr, 2), at(lr, 4)}).containsExactly(3, 2, 1);
        assertThat(lr.getBoundaries()).containsExactly(2, 4);
        assertThat(lr).isEqualTo(new PiecewiseConstantSchedule(ITERATION, new int[] {2, 4}, new double[] {3, 2, 1}));
        ObjectMapper mapper = NeuralNetConfiguration.mapper();
        JsonNode json = mapper.valueToTree(lr);
        assertThat(json.get("boundaries").toString()).isEqualTo("[2,4]");
        assertThat(json.get("values").toString()).isEqualTo("[3.0,2.0,1.0]");
        ISchedule empty = new PiecewiseConstantSchedule(EPOCH, new int[0], new double[] {0.5});
        assertThat(mapper.readValue(mapper.writeValueAsString(empty), ISchedule.class)).isEqualTo(empty);
    }

    @Test
    void badArraysAreRejectedNamingTheIndex() {
        assertThatThrownBy(() -> new PiecewiseConstantSchedule(EPOCH, new int[] {5, 3}, new double[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("boundaries[1] (3) must be > boundaries[0] (5)");
        assertThatThrownBy(() -> new PiecewiseConstantSchedule(EPOCH, new int[] {5}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("values.length (1) must be boundaries.length + 1 (2)");
        assertThatThrownBy(() -> new PiecewiseConstantSchedule(EPOCH, new int[] {5}, new double[] {1, Double.POSITIVE_INFINITY}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("values[1] (Infinity) must be in [0, 3.4028234663852886E38]: a schedule's values are rates and momenta");
    }
}
