package io.github.lrschedules.examples.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.samediff.SameDiffLearningRates;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The SameDiff graph {@code compare --api samediff} trains against the MultiLayerNetwork it is built from: with plain
 * SGD and the network's dropout removed (SameDiff cannot draw DL4J's dropout masks), one epoch on the same batches
 * gives the same loss at every step, the same parameters and the same test predictions, within float32 tolerance.
 */
class SameDiffBackendTest {

    private static final int EXAMPLES = 96;
    private static final int BATCH = 16;

    @Test
    void firstEpochMatchesTheMultiLayerNetworkWithoutDropout() {
        MultiLayerNetwork withDropout = ModelKind.MLP.build(new Sgd(0.1), 42, DataType.FLOAT, WorkspaceMode.ENABLED,
                28, 28, 10);
        MultiLayerConfiguration conf = withDropout.getLayerWiseConfigurations().clone();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            conf.getConf(i).getLayer().setIDropout(null);
        }
        MultiLayerNetwork reference = new MultiLayerNetwork(conf);
        reference.init(withDropout.params().dup(), true);

        SameDiff sd = SameDiffBackend.graph(withDropout, new Sgd(0.1));
        SameDiffLearningRates rates = new SameDiffLearningRates();
        SameDiffBackend.Rows rows = new SameDiffBackend.Rows(rates);
        sd.addListeners(rows, rates);

        List<Double> referenceLosses = new ArrayList<>();
        reference.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                referenceLosses.add(model.score());
            }
        });
        Nd4j.getRandom().setSeed(7);
        INDArray features = Nd4j.rand(DataType.FLOAT, EXAMPLES, 784);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, EXAMPLES, 10);
        for (int i = 0; i < EXAMPLES; i++) {
            labels.putScalar(i, (i * 7) % 10, 1.0);
        }
        DataSet data = new DataSet(features, labels);
        DataSetIterator batches = new ListDataSetIterator<>(data.asList(), BATCH);
        reference.fit(batches);
        batches.reset();
        sd.fit(batches, 1);

        double[] losses = rows.scores();
        assertThat(losses).hasSize(EXAMPLES / BATCH);
        assertThat(rows.iterations()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(rows.learningRates(Trainer.LR_KEY)).containsOnly(0.1);
        double worstLoss = 0;
        for (int i = 0; i < losses.length; i++) {
            worstLoss = Math.max(worstLoss, Math.abs(losses[i] - referenceLosses.get(i)) / referenceLosses.get(i));
            assertThat(losses[i]).as("loss of step %s", i)
                    .isCloseTo(referenceLosses.get(i), org.assertj.core.data.Percentage.withPercentage(1e-3));
        }
        assertThat(losses[losses.length - 1]).isLessThan(losses[0]);

        MultiLayerNetwork copy = withDropout.clone();
        SameDiffBackend.copyInto(sd, copy, false);
        assertThat(copy.getIterationCount()).isEqualTo(EXAMPLES / BATCH);
        assertThat(copy.getEpochCount()).isEqualTo(1);
        double worst = copy.params().sub(reference.params()).amaxNumber().doubleValue();
        assertThat(worst).as("largest parameter difference after the epoch").isLessThan(1e-6);
        INDArray expected = reference.output(features, false);
        INDArray actual = copy.output(features, false);
        assertThat(actual.argMax(1)).isEqualTo(expected.argMax(1));
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-6);
        System.out.printf("SameDiff vs MultiLayerNetwork, one epoch: loss relative difference %.2g, parameters %.2g,"
                + " probabilities %.2g%n", worstLoss, worst, actual.sub(expected).amaxNumber().doubleValue());
    }
}
