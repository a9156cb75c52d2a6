package io.github.lrschedules.ui;

import static io.github.lrschedules.ui.StatsFixtures.floats;
import static io.github.lrschedules.ui.StatsFixtures.ints;
import static io.github.lrschedules.ui.StatsFixtures.json;
import static io.github.lrschedules.ui.StatsFixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.schedule.CosineRestartsSchedule;
import io.github.lrschedules.schedule.CyclicSchedule;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Ten sessions of 100,000 iterations each: the response stays under 1 MB, every session is downsampled to the
 * budget, every learning-rate series stays aligned with its iterations, and no point where a learning rate
 * changes is lost: straight lines between the points sent reproduce every piecewise-constant schedule at every
 * iteration, and the warm restarts and cyclic corners of the smooth ones are there.
 */
class SchedulesJsonSizeTest {

    private static final int ITERATIONS = 100_000;
    private static final int ITERATIONS_PER_EPOCH = 1_000;
    private static final int ONE_MEGABYTE = 1_000_000;

    @Test
    void tenLongSessionsFitInOneMegabyteWithEveryLearningRateChange() throws Exception {
        Map<String, float[]> rates = new LinkedHashMap<>();
        rates.put("milestones", rates(new MilestoneStepSchedule(ScheduleType.ITERATION, 0.1, 0.1, 30_000, 60_000, 90_000)));
        rates.put("epoch-exponential", rates(new ExponentialSchedule(ScheduleType.EPOCH, 0.1, 0.97)));
        rates.put("step-every-250", rates(new StepSchedule(ScheduleType.ITERATION, 0.1, 0.99, 250)));
        rates.put("sgdr", rates(new CosineRestartsSchedule(ScheduleType.ITERATION, 0.1, 5_000, 2.0, 1e-4)));
        rates.put("warmup-cosine", rates(new WarmupCosineSchedule(ScheduleType.ITERATION, 0.1, 2_000, ITERATIONS, 1e-5, 0.0)));
        rates.put("one-cycle", rates(new OneCycleSchedule(ScheduleType.ITERATION, 0.1, ITERATIONS, 0.3, 25, 1e4,
                OneCycleSchedule.Anneal.COS, false)));
        rates.put("cyclic", rates(new CyclicSchedule(ScheduleType.ITERATION, 0.001, 0.1, 2_000, 2_000,
                CyclicSchedule.Mode.TRIANGULAR2, 1.0)));
        float[] constant = new float[ITERATIONS];
        Arrays.fill(constant, 0.01f);
        rates.put("constant", constant);
        rates.put("plateau", plateau(new Random(3)));
        rates.put("adadelta", new float[ITERATIONS]); // StatsListener reports 0 when the updater has no learning rate

        List<SessionSeries> sessions = new ArrayList<>();
        Random random = new Random(11);
        for (Map.Entry<String, float[]> e : rates.entrySet()) {
            sessions.add(series(e.getKey(), e.getValue(), random));
        }

        long start = System.nanoTime();
        String text = SchedulesJson.write(sessions, "0_W", SchedulesJson.DEFAULT_MAX_POINTS);
        long millis = (System.nanoTime() - start) / 1_000_000;
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        System.out.printf("10 sessions x %,d iterations: %,d bytes of JSON in %d ms%n", ITERATIONS, bytes, millis);
        assertThat(bytes).isLessThan(ONE_MEGABYTE);

        JsonNode data = json(text);
        assertThat(data.get("parameters")).extracting(JsonNode::asText).containsExactly("0_W", "0_b");
        for (Map.Entry<String, float[]> e : rates.entrySet()) {
            JsonNode session = session(data, e.getKey());
            int[] iterations = ints(session.get("iterations"));
            assertThat(session.get("reportedIterations").asInt()).isEqualTo(ITERATIONS);
            assertThat(session.get("downsampled").asBoolean()).isTrue();
            assertThat(iterations.length).isLessThanOrEqualTo(SchedulesJson.DEFAULT_MAX_POINTS);
            assertThat(iterations).isSorted().doesNotHaveDuplicates().startsWith(0).endsWith(ITERATIONS - 1);
            assertThat(session.get("score")).hasSize(iterations.length);
            assertThat(session.get("lr").size()).as("only the chosen parameter is sent").isLessThanOrEqualTo(1);
            if (e.getKey().equals("adadelta")) {
                assertThat(session.get("hasLearningRate").asBoolean()).isFalse();
                assertThat(session.get("lr").size()).isZero();
                continue;
            }
            float[] sent = floats(session.get("lr").get("0_W"));
            assertThat(sent).hasSameSizeAs(iterations);
            float[] all = e.getValue();
            for (int k = 0; k < iterations.length; k++) {
                assertThat(sent[k]).as(e.getKey() + " at " + iterations[k]).isEqualTo(all[iterations[k]]);
            }
        }

        for (String piecewiseConstant : List.of("milestones", "epoch-exponential", "step-every-250", "constant", "plateau")) {
            int[] iterations = ints(session(data, piecewiseConstant).get("iterations"));
            DownsamplerTest.assertLinesBetweenPointsAreExact(rates.get(piecewiseConstant), iterations);
        }
        int[] sgdr = ints(session(data, "sgdr").get("iterations"));
        for (int restart : new int[] {5_000, 15_000, 35_000, 75_000}) {
            assertThat(sgdr).as("warm restart").contains(restart - 1, restart);
        }
        assertThat(ints(session(data, "warmup-cosine").get("iterations"))).as("end of warmup").contains(2_000);
        int[] cyclic = ints(session(data, "cyclic").get("iterations"));
        for (int corner = 2_000; corner <= 24_000; corner += 2_000) {
            assertThat(cyclic).as("cyclic corner").contains(corner);
        }
    }

    private static float[] rates(ISchedule schedule) {
        float[] values = new float[ITERATIONS];
        for (int i = 0; i < ITERATIONS; i++) {
            values[i] = (float) schedule.valueAt(i, i / ITERATIONS_PER_EPOCH);
        }
        return values;
    }

    /** Halvings at eight random iterations, as a plateau listener makes them. */
    private static float[] plateau(Random random) {
        int[] reductions = random.ints(8, 1, ITERATIONS).sorted().toArray();
        float[] values = new float[ITERATIONS];
        double lr = 0.1;
        int next = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            while (next < reductions.length && reductions[next] == i) {
                lr /= 2;
                next++;
            }
            values[i] = (float) lr;
        }
        return values;
    }

    /** A session with these weight learning rates, bias learning rates twice as large, and a noisy falling score. */
    private static SessionSeries series(String id, float[] weightRates, Random random) {
        int[] iterations = new int[ITERATIONS];
        double[] scores = new double[ITERATIONS];
        float[] biasRates = new float[ITERATIONS];
        for (int i = 0; i < ITERATIONS; i++) {
            iterations[i] = i;
            scores[i] = 2.3 * Math.exp(-i / 20_000.0) + 0.2 * random.nextDouble();
            biasRates[i] = 2 * weightRates[i];
        }
        Map<String, float[]> learningRates = new LinkedHashMap<>();
        learningRates.put("0_W", weightRates);
        learningRates.put("0_b", biasRates);
        return new SessionSeries(id, id, ITERATIONS, iterations, scores, learningRates, new int[0],
                Collections.emptyMap());
    }
}
