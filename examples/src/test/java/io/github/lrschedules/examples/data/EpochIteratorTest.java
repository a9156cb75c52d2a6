package io.github.lrschedules.examples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The mini-batches hold exactly the rows of the epoch's order (gathered in one operation per array), every example
 * once per epoch, the same order for the same seed and epoch; data that is not one example per row is refused.
 */
class EpochIteratorTest {

    @Test
    void batchesHoldTheRowsOfTheEpochsOrderEachExampleOnce() {
        int n = 70;
        INDArray features = Nd4j.rand(DataType.FLOAT, n, 12);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % 10, 1.0);
        }
        DataSet data = new DataSet(features, labels);
        EpochIterator shuffled = EpochIterator.shuffled(data, 32, 5);
        shuffled.startEpoch(3);
        Set<Integer> seen = new HashSet<>();
        int batches = 0;
        int[] firstRows = new int[2];
        while (shuffled.hasNext()) {
            DataSet batch = shuffled.next();
            assertThat(batch.numExamples()).isEqualTo(batches < 2 ? 32 : 6);
            for (int r = 0; r < batch.numExamples(); r++) {
                int source = rowOf(features, batch.getFeatures().getRow(r));
                assertThat(source).as("batch %d row %d is a row of the data", batches, r).isNotNegative();
                assertThat(batch.getLabels().getRow(r)).isEqualTo(labels.getRow(source));
                assertThat(seen.add(source)).as("row %d twice", source).isTrue();
                if (r == 0 && batches < 2) {
                    firstRows[batches] = source;
                }
            }
            assertThat(batch.getFeatures().ordering()).isEqualTo('c');
            batches++;
        }
        assertThat(batches).isEqualTo(shuffled.batchesPerEpoch()).isEqualTo(3);
        assertThat(seen).hasSize(n);

        EpochIterator again = EpochIterator.shuffled(data, 32, 5);
        again.startEpoch(3);
        assertThat(again.next().getFeatures().getRow(0)).isEqualTo(features.getRow(firstRows[0]));
        assertThat(again.next().getFeatures().getRow(0)).isEqualTo(features.getRow(firstRows[1]));

        EpochIterator sequential = EpochIterator.sequential(data, 32);
        assertThat(sequential.next().getFeatures()).isEqualTo(features.get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 32), org.nd4j.linalg.indexing.NDArrayIndex.all()));
    }

    @Test
    void dataNotOneExamplePerRowIsRefused() {
        DataSet images = new DataSet(Nd4j.zeros(DataType.FLOAT, 4, 1, 28, 28), Nd4j.zeros(DataType.FLOAT, 4, 10));
        assertThatThrownBy(() -> EpochIterator.sequential(images, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one example per row").hasMessageContaining("[4, 1, 28, 28]");
    }

    private static int rowOf(INDArray features, INDArray row) {
        for (int i = 0; i < features.rows(); i++) {
            if (features.getRow(i).equals(row)) {
                return i;
            }
        }
        return -1;
    }
}
