package io.github.lrschedules.lrfree;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;

/** The recorder records what a learning-rate-free updater applied: its estimate times the schedule, not the schedule. */
class EffectiveRateRecordTest {

    @Test
    void recordedRateIsTheEstimateTimesTheScheduleAtEveryStep() {
        MultiLayerNetwork net = TestNets.mlp(Prodigy.builder().build());
        LearningRateRecorder recorder = new LearningRateRecorder();
        List<Double> estimates = new ArrayList<>();
        net.setListeners(recorder, new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                estimates.add(LearningRateFree.estimatedStepSize(model));
            }
        });
        LearningRateFree.attach(net);
        TestNets.fitEpochs(net, TestData.blobs(), 2);

        double[] recorded = recorder.learningRates("1_W");
        assertThat(recorded).hasSize(2 * TestData.ITERATIONS_PER_EPOCH).hasSameSizeAs(estimates.toArray());
        for (int i = 0; i < recorded.length; i++) {
            // Prodigy's default learning rate is 1: the applied rate is the estimate d itself
            assertThat(recorded[i]).as("step %s", i).isEqualTo(estimates.get(i));
        }
        assertThat(recorded[0]).as("optax's estim_lr0").isEqualTo(1e-6);
        assertThat(recorded[recorded.length - 1]).as("d grows").isGreaterThan(1e-5);
        assertThat(recorder.learningRates("0_b")).containsExactly(recorded);
    }
}
