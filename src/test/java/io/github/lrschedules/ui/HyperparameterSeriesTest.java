package io.github.lrschedules.ui;

import static io.github.lrschedules.ui.StatsFixtures.floats;
import static io.github.lrschedules.ui.StatsFixtures.ints;
import static io.github.lrschedules.ui.StatsFixtures.json;
import static io.github.lrschedules.ui.StatsFixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.record.Hyperparameter;
import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.record.LearningRateTable;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import io.github.lrschedules.updater.ScheduledAdam;
import java.util.List;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Momentum and weight decay recorded beside the rate reach {@code /schedules/data} through
 * {@link LearningRateReports}: a changing one as a series aligned with the iterations, a constant one once, neither
 * listed as a parameter, and under downsampling every step of a changing one is kept.
 */
class HyperparameterSeriesTest {

    private final SchedulesModule module = new SchedulesModule();

    private JsonNode ok(String param, String maxPoints) {
        SchedulesModule.Response response = module.data(param, maxPoints);
        assertThat(response.status).as(response.body).isEqualTo(200);
        return json(response.body);
    }

    @Test
    void theCycledBeta1OfATrainingRunIsASeriesAndAConstantWeightDecayIsSentOnce() {
        int epochs = 3;
        int iterations = epochs * TestData.ITERATIONS_PER_EPOCH;
        OneCycleSchedule.Builder cycle = OneCycleSchedule.builder(ScheduleType.ITERATION, 0.01, iterations);
        MultiLayerNetwork net = TestNets.mlp(new ScheduledAdam(cycle.build(), cycle.buildMomentum(), 0.999, 1e-8,
                new FixedSchedule(0)));
        LearningRateRecorder recorder = LearningRateRecorder.builder().momentum(true).weightDecay(true).build();
        net.setListeners(recorder);
        TestNets.fitEpochs(net, TestData.blobs(), epochs);

        StatsStorage storage = new InMemoryStatsStorage();
        LearningRateReports.write(recorder, storage, "one-cycle-adam", LearningRateReports.WORKER_ID, 1_000, 0);
        // a session without hyperparameters beside it
        MultiLayerNetwork sgd = TestNets.mlp(new Sgd(0.05));
        LearningRateRecorder plain = new LearningRateRecorder();
        sgd.setListeners(plain);
        TestNets.fitEpochs(sgd, TestData.blobs(), 1);
        LearningRateReports.write(plain, storage, "sgd", LearningRateReports.WORKER_ID, 900_000, 0);
        module.onAttach(storage);

        JsonNode data = ok(null, null);
        assertThat(data.get("parameters")).extracting(JsonNode::asText).as("hyperparameter columns are no parameters")
                .containsExactly("0_W", "0_b", "1_W", "1_b", "2_W", "2_b");
        JsonNode adam = session(data, "one-cycle-adam");
        int[] sent = ints(adam.get("iterations"));
        assertThat(sent).hasSize(iterations);
        float[] beta1 = floats(adam.get("hyperparameters").get("momentum"));
        assertThat(beta1).hasSameSizeAs(sent);
        double[] recorded = recorder.hyperparameters(Hyperparameter.MOMENTUM, "0_W");
        for (int k = 0; k < sent.length; k++) {
            assertThat(beta1[k]).as("beta1 at " + sent[k]).isEqualTo((float) recorded[k])
                    .isEqualTo((float) cycle.buildMomentum().valueAt(sent[k], 0));
        }
        assertThat(adam.get("hyperparameters").has("weightDecay")).isFalse();
        assertThat(adam.get("constantHyperparameters").get("weightDecay").asDouble()).isZero();

        JsonNode plainSession = session(data, "sgd");
        assertThat(plainSession.get("hyperparameters").size()).isZero();
        assertThat(plainSession.get("constantHyperparameters").size()).isZero();

        JsonNode bias = session(ok("2_b", null), "one-cycle-adam");
        assertThat(floats(bias.get("hyperparameters").get("momentum"))).as("the chosen parameter's beta1")
                .containsExactly(floats(adam.get("hyperparameters").get("momentum")));
    }

    @Test
    void downsamplingKeepsBothSidesOfEveryStepOfAChangingHyperparameter() {
        int rows = 20_000;
        LearningRateTable table = new LearningRateTable();
        table.keys(List.of("0_W"), List.of(Hyperparameter.MOMENTUM.key("0_W"), Hyperparameter.L2.key("0_W")));
        float[] momentum = new float[rows];
        for (int i = 0; i < rows; i++) {
            double rate = 0.05 * (1 + Math.cos(Math.PI * i / rows)) / 2 + 1e-4;
            double m = i < 6_001 ? 0.9 : i < 13_777 ? 0.95 : 0.9501; // steps too small to see next to the rate
            momentum[i] = (float) m;
            table.append(i, i / 1_000, 1.0, new double[] {rate}, new double[] {m, 1e-4});
        }
        StatsStorage storage = new InMemoryStatsStorage();
        LearningRateReports.write(table, storage, "long", LearningRateReports.WORKER_ID, 1_000, 0);
        module.onAttach(storage);

        JsonNode session = session(ok("0_W", "300"), "long");
        assertThat(session.get("downsampled").asBoolean()).isTrue();
        int[] kept = ints(session.get("iterations"));
        assertThat(kept.length).isLessThanOrEqualTo(300);
        assertThat(kept).contains(6_000, 6_001, 13_776, 13_777);
        float[] sent = floats(session.get("hyperparameters").get("momentum"));
        for (int k = 0; k < kept.length; k++) {
            assertThat(sent[k]).isEqualTo(momentum[kept[k]]);
        }
        DownsamplerTest.assertLinesBetweenPointsAreExact(momentum, kept);
        assertThat(session.get("constantHyperparameters").get("l2").floatValue()).isEqualTo(1e-4f);
    }

    @Test
    void aThinnedWriteKeepsTheFirstAndLastRowsAndBothSidesOfEveryStepInAtMostMaxRowsReports() {
        int rows = 30_000;
        LearningRateTable table = new LearningRateTable();
        table.keys(List.of("0_W", "0_b"), List.of(Hyperparameter.MOMENTUM.key("0_W")));
        float[] rate = new float[rows];
        for (int i = 0; i < rows; i++) {
            double lr = i < 10_000 ? 0.1 : i < 25_000 ? 0.01 : 0.001;
            double m = i < 17_321 ? 0.9 : 0.95;
            rate[i] = (float) lr;
            table.append(i, i / 1_000, 2.0 - i / (double) rows, new double[] {lr, 2 * lr}, new double[] {m});
        }
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        int written = LearningRateReports.writeThinned(table, storage, "thin", LearningRateReports.WORKER_ID, 1_000,
                400);
        assertThat(written).isLessThanOrEqualTo(400);
        assertThat(LearningRateReports.read(storage, "thin", LearningRateReports.WORKER_ID).size()).isEqualTo(written);
        assertThat(storage.getNumUpdateRecordsFor("thin")).as("one block").isEqualTo(1);
        module.onAttach(storage);

        JsonNode session = session(ok("0_W", "100000"), "thin");
        int[] kept = ints(session.get("iterations"));
        assertThat(kept).hasSize(written).startsWith(0).endsWith(rows - 1)
                .contains(9_999, 10_000, 24_999, 25_000, 17_320, 17_321);
        DownsamplerTest.assertLinesBetweenPointsAreExact(rate, kept);
        float[] sent = floats(session.get("lr").get("0_W"));
        for (int k = 0; k < kept.length; k++) {
            assertThat(sent[k]).isEqualTo(rate[kept[k]]);
        }

        InMemoryStatsStorage small = new InMemoryStatsStorage();
        assertThat(LearningRateReports.writeThinned(table, small, "all", LearningRateReports.WORKER_ID, 1_000,
                rows)).as("a run within maxRows is written whole").isEqualTo(rows);
    }
}
