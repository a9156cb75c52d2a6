package io.github.lrschedules.updater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.internal.Networks;
import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** fastai's fine_tune steps on DL4J networks: only the head trains while frozen; unfrozen, all layers train. */
class FineTuningTest {

    @BeforeAll
    static void precision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static boolean trains(Model net, String key) {
        for (Layer layer : Networks.layers(net)) {
            if (LearningRates.layerKey(net, layer).equals(key)) {
                return Networks.updater(layer, "W").hasLearningRate();
            }
        }
        throw new AssertionError("no layer " + key);
    }

    private static INDArray param(Model net, String key) {
        return net.getParam(key).dup();
    }

    @Test
    void freezeBodyTrainsTheHeadOnlyAndUnfreezeTrainsEverythingWithDiscriminativeRates() {
        DataSetIterator data = TestData.blobs();
        MultiLayerNetwork pretrained = TestNets.mlp(new Adam(0.01));
        TestNets.fitEpochs(pretrained, data, 1);
        LearningRateRecorder recorder = new LearningRateRecorder();
        pretrained.setListeners(recorder);

        MultiLayerNetwork frozen = FineTuning.freezeBody(pretrained);
        assertThat(frozen.params()).isEqualTo(pretrained.params());
        assertThat(trains(frozen, "0")).isFalse();
        assertThat(trains(frozen, "1")).isFalse();
        assertThat(trains(frozen, "2")).isTrue();
        assertThat(frozen.getListeners()).containsExactly(recorder);
        INDArray body = param(frozen, "1_W");
        INDArray head = param(frozen, "2_W");
        TestNets.fitEpochs(frozen, data, 1);
        assertThat(param(frozen, "1_W")).isEqualTo(body);
        assertThat(param(frozen, "2_W")).isNotEqualTo(head);

        MultiLayerNetwork all = FineTuning.unfreeze(frozen);
        assertThat(all.params()).isEqualTo(frozen.params());
        assertThat(all.getIterationCount()).isZero();
        assertThat(all.getLayerWiseConfigurations().getConfs().get(0).getLayer())
                .isEqualTo(pretrained.getLayerWiseConfigurations().getConfs().get(0).getLayer());
        LayerFactors factors = LayerwiseLearningRates.discriminative(all, 0.01, 1.0);
        assertThat(factors.factors().values()).containsExactly(0.01, 0.1, 1.0);
        recorder.clear();
        INDArray first = param(all, "0_W");
        TestNets.fitEpochs(all, data, 1);
        assertThat(param(all, "0_W")).isNotEqualTo(first);
        assertThat(recorder.learningRates("0_W")[0]).isEqualTo(0.01 * 0.01);
        assertThat(recorder.learningRates("2_b")[0]).isEqualTo(0.01);
    }

    @Test
    void freezeToCountsLayersWithParameters() {
        MultiLayerNetwork net = TestNets.mlp(new Adam(0.01));
        MultiLayerNetwork frozen = FineTuning.freezeTo(net, 1);
        assertThat(trains(frozen, "0")).isFalse();
        assertThat(trains(frozen, "1")).isTrue();
        assertThatThrownBy(() -> FineTuning.freezeTo(net, 3)).hasMessage("layers (3) must be in [1, 2]");
        assertThatThrownBy(() -> FineTuning.freezeTo(net, 0)).hasMessage("layers (0) must be in [1, 2]");
    }

    @Test
    void graphFreezesAllButTheOutputAndUnfreezes() {
        DataSetIterator data = TestData.blobs();
        ComputationGraph graph = TestNets.graph(new Adam(0.01));
        ComputationGraph frozen = FineTuning.freezeBody(graph);
        assertThat(trains(frozen, "left")).isFalse();
        assertThat(trains(frozen, "right")).isFalse();
        assertThat(trains(frozen, "out")).isTrue();
        INDArray left = param(frozen, "left_W");
        TestNets.fitEpochs(frozen, data, 1);
        assertThat(param(frozen, "left_W")).isEqualTo(left);
        ComputationGraph all = FineTuning.unfreeze(frozen);
        assertThat(all.params()).isEqualTo(frozen.params());
        assertThat(trains(all, "left")).isTrue();
        TestNets.fitEpochs(all, data, 1);
        assertThat(param(all, "left_W")).isNotEqualTo(left);
    }
}
