package io.github.lrschedules.examples.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.examples.model.ModelKind;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The epoch's evaluation on two threads (a copy of the network measuring half the mini-batches) gives the same bits
 * as on one, and the same as counting by hand; a network that diverged counts every example wrong with a NaN loss.
 */
class EvaluatorTest {

    private static final int CLASSES = 10;

    @Test
    void twoThreadsGiveTheBitsOfOne() {
        MultiLayerNetwork net = ModelKind.MLP.build(new Sgd(0.1), 42, DataType.FLOAT, WorkspaceMode.ENABLED, 28, 28,
                CLASSES);
        Nd4j.getRandom().setSeed(3);
        DataSetIterator heldOut = batches(130, 50, 1);
        DataSetIterator test = batches(410, 50, 2);
        Evaluator.Measured[] one;
        Evaluator.Measured[] two;
        double[] byHand;
        try (Evaluator sequential = new Evaluator(net, false);
             Evaluator parallel = new Evaluator(net, true)) {
            one = sequential.measure(net, heldOut, test);
            assertThat(sequential.lastParallel()).isFalse();
            two = parallel.measure(net, heldOut, test);
            assertThat(parallel.lastParallel()).isTrue();
            byHand = byHand(net, test);
            // again: the copy gets the parameters of the network now
            net.params().muli(1.5);
            Evaluator.Measured[] scaled = parallel.measure(net, test);
            assertThat(scaled[0].loss).isEqualTo(sequential.measure(net, test)[0].loss).isNotEqualTo(one[1].loss);
        }
        assertThat(two).hasSize(2);
        for (int s = 0; s < 2; s++) {
            assertThat(Double.doubleToRawLongBits(two[s].loss)).isEqualTo(Double.doubleToRawLongBits(one[s].loss));
            assertThat(two[s].accuracy).isEqualTo(one[s].accuracy);
        }
        // one forward pass over the whole set rounds differently in float32 from passes of 50
        assertThat(one[1].loss).isCloseTo(byHand[0], org.assertj.core.data.Offset.offset(1e-6));
        assertThat(one[1].accuracy).isEqualTo(byHand[1]);
        assertThat(one[0].accuracy).isNotEqualTo(one[1].accuracy);
    }

    @Test
    void speedsTryBothWaysInTurnThenKeepTheFaster() {
        Evaluator.Speeds twoFaster = new Evaluator.Speeds();
        Evaluator.Speeds oneFaster = new Evaluator.Speeds();
        List<Boolean> ways = new ArrayList<>();
        for (int i = 0; i < 2 * Evaluator.Speeds.TRIES; i++) {
            boolean two = twoFaster.twoThreadsNext();
            ways.add(two);
            // the first try of each way is slow (a cold start); the best try counts
            twoFaster.record(two, (two ? 1e-5 : 2e-5) * (i < 2 ? 10 : 1));
            oneFaster.record(two, (two ? 3e-5 : 2e-5) * (i < 2 ? 10 : 1));
        }
        assertThat(ways).containsExactly(false, true, false, true);
        assertThat(twoFaster.twoThreadsNext()).isTrue();
        assertThat(oneFaster.twoThreadsNext()).isFalse();
    }

    @Test
    void theCopyDrawsNoRandomNumbers() {
        MultiLayerNetwork net = ModelKind.MLP.build(new Sgd(0.1), 42, DataType.FLOAT, WorkspaceMode.ENABLED, 28, 28,
                CLASSES);
        DataSetIterator test = batches(200, 50, 5);
        Nd4j.getRandom().setSeed(11);
        double expected = Nd4j.getRandom().nextDouble();
        Nd4j.getRandom().setSeed(11);
        try (Evaluator parallel = new Evaluator(net, true)) {
            parallel.measure(net, test);
        }
        // dropout draws from this generator: a resumed run must find it as an uninterrupted one does
        assertThat(Nd4j.getRandom().nextDouble()).isEqualTo(expected);
    }

    @Test
    void aDivergedNetworkCountsEveryExampleWrong() {
        MultiLayerNetwork net = ModelKind.MLP.build(new Sgd(0.1), 42, DataType.FLOAT, WorkspaceMode.ENABLED, 28, 28,
                CLASSES);
        net.params().assign(Double.NaN);
        try (Evaluator parallel = new Evaluator(net, true)) {
            Evaluator.Measured m = parallel.measure(net, batches(120, 50, 4))[0];
            assertThat(m.accuracy).isZero();
            assertThat(m.loss).isNaN();
        }
    }

    private static DataSetIterator batches(int examples, int batch, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray features = Nd4j.rand(DataType.FLOAT, examples, 784);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, examples, CLASSES);
        for (int i = 0; i < examples; i++) {
            labels.putScalar(i, (i * 7 + seed) % CLASSES, 1.0);
        }
        List<DataSet> list = new ArrayList<>(new DataSet(features, labels).asList());
        return new ListDataSetIterator<>(list, batch);
    }

    /** Mean cross-entropy and accuracy over the whole set in one forward pass. */
    private static double[] byHand(MultiLayerNetwork net, DataSetIterator data) {
        data.reset();
        List<DataSet> all = new ArrayList<>();
        while (data.hasNext()) {
            all.add(data.next());
        }
        data.reset();
        DataSet merged = DataSet.merge(all);
        INDArray out = net.output(merged.getFeatures(), false);
        INDArray labels = merged.getLabels();
        long n = labels.rows();
        double loss = 0;
        long correct = 0;
        for (int i = 0; i < n; i++) {
            int label = labels.getRow(i).argMax().getInt(0);
            loss -= Math.log(Math.max(out.getDouble(i, label), 1e-12));
            if (out.getRow(i).argMax().getInt(0) == label) {
                correct++;
            }
        }
        return new double[] {loss / n, (double) correct / n};
    }
}
