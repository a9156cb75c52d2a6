package io.github.lrschedules.ui;

import static io.github.lrschedules.ui.StatsFixtures.floats;
import static io.github.lrschedules.ui.StatsFixtures.ints;
import static io.github.lrschedules.ui.StatsFixtures.json;
import static io.github.lrschedules.ui.StatsFixtures.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.lrschedules.samediff.SameDiffStatsListener;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.testing.TestData;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerResponse;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.listeners.records.LossCurve;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * A SameDiff run written by {@link SameDiffStatsListener} as the Schedules page reads it ({@code /schedules/data}):
 * the learning rate of every iteration, the training loss the listener captured (equal to the loss of the step's
 * batch before the step, where SameDiff reports 0) and the test accuracy of every epoch.
 */
class SameDiffSessionTest {

    private static final int BATCHES = 4;

    /** The blobs MLP {@code 20 -> 8 (tanh) -> 3 (softmax)}; variables named like DL4J's layers. */
    private static SameDiff mlp(double lr) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.DOUBLE, -1, TestData.FEATURES);
        SDVariable label = sd.placeHolder("label", DataType.DOUBLE, -1, TestData.CLASSES);
        Nd4j.getRandom().setSeed(3);
        SDVariable w0 = sd.var("0_W", Nd4j.randn(DataType.DOUBLE, TestData.FEATURES, 8).muli(0.2));
        SDVariable b0 = sd.var("0_b", Nd4j.zeros(DataType.DOUBLE, 1, 8));
        SDVariable w1 = sd.var("1_W", Nd4j.randn(DataType.DOUBLE, 8, TestData.CLASSES).muli(0.2));
        SDVariable b1 = sd.var("1_b", Nd4j.zeros(DataType.DOUBLE, 1, TestData.CLASSES));
        SDVariable logits = sd.math.tanh(in.mmul(w0).add(b0)).mmul(w1).add(b1);
        sd.nn.softmax("probabilities", logits);
        sd.loss.softmaxCrossEntropy("loss", label, logits, null);
        sd.setTrainingConfig(TrainingConfig.builder()
                .updater(new Sgd(new MilestoneStepSchedule(ScheduleType.ITERATION, lr, 0.5, 5)))
                .dataSetFeatureMapping("in").dataSetLabelMapping("label").build());
        return sd;
    }

    @Test
    void aSameDiffRunShowsItsLearningRateLossAndTestAccuracy() {
        DataSetIterator train = new ListDataSetIterator<>(TestData.blobs(TestData.FEATURES, 12345L).asList(),
                TestData.EXAMPLES / BATCHES);
        DataSetIterator test = new ListDataSetIterator<>(TestData.blobs(TestData.FEATURES, 777L).asList(), 128);
        SameDiff sd = mlp(0.2);
        List<Double> lossBeforeStep = new ArrayList<>();
        List<Double> accuracy = new ArrayList<>();
        sd.addListeners(new BaseListener() {
            @Override
            public boolean isActive(Operation operation) {
                return operation == Operation.TRAINING;
            }

            @Override
            public void iterationStart(SameDiff graph, At at, MultiDataSet data, long etlMs) {
                DataSet batch = new DataSet(data.getFeatures(0), data.getLabels(0));
                lossBeforeStep.add(graph.output(batch, "loss").get("loss").getDouble(0));
            }

            @Override
            public ListenerResponse epochEnd(SameDiff graph, At at, LossCurve lossCurve, long epochTimeMillis) {
                Evaluation evaluation = new Evaluation();
                test.reset();
                graph.evaluate(test, "probabilities", evaluation);
                accuracy.add(evaluation.accuracy());
                return ListenerResponse.CONTINUE;
            }
        });
        StatsStorage storage = new InMemoryStatsStorage();
        sd.addListeners(new SameDiffStatsListener(storage, "samediff-steps", test, "probabilities"));
        sd.fit(train, 2);

        SchedulesModule module = new SchedulesModule();
        module.onAttach(storage);
        SchedulesModule.Response response = module.data("0_W", null);
        assertThat(response.status).as(response.body).isEqualTo(200);
        JsonNode data = json(response.body);
        assertThat(data.get("parameters")).extracting(JsonNode::asText).containsExactly("0_W", "0_b", "1_W", "1_b");
        JsonNode run = session(data, "samediff-steps");
        int iterations = 2 * BATCHES;
        assertThat(ints(run.get("iterations"))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        float[] lr = floats(run.get("lr").get("0_W"));
        for (int i = 0; i < iterations; i++) {
            assertThat(lr[i]).isEqualTo(i < 5 ? 0.2f : 0.1f);
        }
        float[] score = floats(run.get("score"));
        assertThat(lossBeforeStep).hasSize(iterations);
        for (int i = 0; i < iterations; i++) {
            assertThat((double) score[i]).as("loss of iteration %s", i)
                    .isCloseTo(lossBeforeStep.get(i), within(1e-6 * lossBeforeStep.get(i)));
        }
        assertThat(score[iterations - 1]).isLessThan(score[0]);
        assertThat(ints(run.get("epochs"))).containsExactly(0, 1);
        float[] testAccuracy = floats(run.get("epochMetrics").get("testAccuracy"));
        assertThat(testAccuracy).containsExactly((float) (double) accuracy.get(0), (float) (double) accuracy.get(1));
    }
}
