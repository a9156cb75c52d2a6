package io.github.lrschedules.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.record.Hyperparameter;
import io.github.lrschedules.record.LearningRateRows;
import io.github.lrschedules.record.LearningRateTable;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LearningRateBlock}: the rows it holds come back bit for bit through its encoding and through DL4J's
 * {@code FileStatsStorage} (float64, NaN scores, hyperparameter columns, columns shared and parted), it is compact for
 * what does not change, and {@link LearningRateReports#write} cuts a run into blocks keyed by their first row.
 */
class LearningRateBlockTest {

    /**
     * 0_W and 0_b share their rate until row 150, where 0_b alone is reduced; 1_W is its own schedule; the momentum
     * of 0_W changes at every row, the weight decay never; values float32 cannot hold; a NaN score every 7th row.
     */
    static LearningRateTable table(int rows) {
        LearningRateTable table = new LearningRateTable();
        table.keys(List.of("0_W", "0_b", "1_W"),
                List.of(Hyperparameter.MOMENTUM.key("0_W"), Hyperparameter.WEIGHT_DECAY.key("0_W")));
        for (int i = 0; i < rows; i++) {
            double rate = 0.1 / 3 * (1 + Math.cos(Math.PI * i / rows)) / 2;
            double bias = i < 150 ? rate : rate / 7;
            double second = i < rows / 2 ? 0.01 : 0.001;
            double momentum = 0.85 + 0.1 * i / rows;
            double score = i % 7 == 3 ? Double.NaN : 2.0 / (1 + i) + 1e-9;
            table.append(10 + 2 * i, i / 40, score, new double[] {rate, bias, second},
                    new double[] {momentum, 1e-4 / 3});
        }
        return table;
    }

    static void assertSameRows(LearningRateRows actual, LearningRateRows expected, int from) {
        assertThat(actual.parameterKeys()).isEqualTo(expected.parameterKeys());
        assertThat(actual.hyperparameterKeys()).isEqualTo(expected.hyperparameterKeys());
        assertThat(actual.size()).isEqualTo(expected.size() - from);
        for (int r = 0; r < actual.size(); r++) {
            assertThat(actual.iteration(r)).isEqualTo(expected.iteration(from + r));
            assertThat(actual.epoch(r)).isEqualTo(expected.epoch(from + r));
            assertThat(Double.doubleToLongBits(actual.score(r))).as("score %d", r)
                    .isEqualTo(Double.doubleToLongBits(expected.score(from + r)));
            for (int p = 0; p < expected.parameterKeys().size(); p++) {
                assertThat(Double.doubleToLongBits(actual.learningRate(p, r))).as("rate %d of %d", r, p)
                        .isEqualTo(Double.doubleToLongBits(expected.learningRate(p, from + r)));
            }
            for (int h = 0; h < expected.hyperparameterKeys().size(); h++) {
                assertThat(Double.doubleToLongBits(actual.hyperparameter(h, r))).as("column %d of %d", r, h)
                        .isEqualTo(Double.doubleToLongBits(expected.hyperparameter(h, from + r)));
            }
        }
    }

    @Test
    void aBlockRoundTripsThroughItsEncodingBitForBit() throws Exception {
        LearningRateTable table = table(300);
        LearningRateBlock block = new LearningRateBlock("run", "w", 1_234, table, 20, 300);
        assertSameRows(block, table, 20);
        assertThat(block.learningRates("0_b")).hasSize(280);
        assertThat(block.hyperparameters(Hyperparameter.MOMENTUM.key("0_W"))[0])
                .isEqualTo(table.hyperparameter(0, 20));

        byte[] bytes = block.encode();
        assertThat(block.encodingLengthBytes()).isEqualTo(bytes.length);
        LearningRateBlock decoded = new LearningRateBlock();
        decoded.decode(bytes);
        assertThat(decoded).isEqualTo(block).hasSameHashCodeAs(block);
        assertThat(decoded.getSessionID()).isEqualTo("run");
        assertThat(decoded.getWorkerID()).isEqualTo("w");
        assertThat(decoded.getTimeStamp()).isEqualTo(1_234);
        assertThat(decoded.getTypeID()).isEqualTo(LearningRateBlock.TYPE_ID);
        assertSameRows(decoded, table, 20);

        LearningRateBlock fromBuffer = new LearningRateBlock();
        ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 8);
        block.encode(buffer);
        buffer.flip();
        fromBuffer.decode(buffer);
        assertThat(fromBuffer).isEqualTo(block);
        LearningRateBlock fromStream = new LearningRateBlock();
        fromStream.decode(new ByteArrayInputStream(bytes));
        assertThat(fromStream).isEqualTo(block);

        LearningRateBlock overview = LearningRateReports.overview(block);
        assertThat(overview.isOverview()).isTrue();
        assertThat(overview.getTypeID()).isEqualTo(LearningRateBlock.OVERVIEW_TYPE_ID);
        assertThat(overview.representedRows()).isEqualTo(280);
        assertThat(overview.size()).isBetween(2, 280 / 16 + 1);
        LearningRateBlock overviewBack = new LearningRateBlock();
        overviewBack.decode(overview.encode());
        assertThat(overviewBack).isEqualTo(overview);
        assertThat(overviewBack.isOverview()).isTrue();
        assertThat(overviewBack.representedRows()).isEqualTo(280);
        assertThat(overviewBack.iteration(0)).isEqualTo(block.iteration(0));
        assertThat(overviewBack.iteration(overviewBack.size() - 1)).isEqualTo(block.iteration(279));
        for (int r = 0; r < overviewBack.size(); r++) {
            int row = (overviewBack.iteration(r) - 10) / 2;
            assertThat(overviewBack.hyperparameter(0, r)).isEqualTo(table.hyperparameter(0, row));
        }
        assertThat(block.isOverview()).isFalse();
        assertThat(block.representedRows()).isEqualTo(280);

        LearningRateBlock empty = new LearningRateBlock();
        empty.decode(new LearningRateBlock("run", "w", 5, table, 300, 300).encode());
        assertThat(empty.size()).isZero();
        assertThat(empty.parameterKeys()).containsExactly("0_W", "0_b", "1_W");
    }

    @Test
    void whatDoesNotChangeCostsAlmostNothing() {
        LearningRateTable table = new LearningRateTable();
        table.keys(List.of("0_W", "0_b", "1_W", "1_b"), List.of(Hyperparameter.MOMENTUM.key("0_W")));
        int rows = LearningRateReports.BLOCK_ROWS;
        for (int i = 0; i < rows; i++) {
            double cosine = 0.05 * (1 + Math.cos(Math.PI * i / rows)) / 2;
            table.append(i, i / 1_000, 1.5, new double[] {cosine, cosine, cosine, cosine}, new double[] {0.9});
        }
        int bytes = new LearningRateBlock("run", LearningRateReports.WORKER_ID, 0, table, 0, rows).encode().length;
        // the one changing column at 8 bytes a row; iterations, epochs, score, momentum and the three copies in runs
        assertThat(bytes).isBetween(8 * rows, 8 * rows + 300);
    }

    @Test
    void aBlockRejectsWhatIsNotOne() {
        LearningRateBlock block = new LearningRateBlock();
        assertThatThrownBy(() -> block.decode(new byte[] {0, 0, 0, 9, 1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format version 9");
        byte[] truncated = new LearningRateBlock("run", "w", 0, table(50), 0, 50).encode();
        assertThatThrownBy(() -> block.decode(Arrays.copyOf(truncated, truncated.length - 9)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Not a LearningRateBlock");
        assertThatThrownBy(() -> new LearningRateBlock("run", "w", 0, table(50), 10, 51))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("toRow (51)");
        assertThatThrownBy(() -> new LearningRateBlock("", "w", 0, table(5), 0, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionId");
    }

    @Test
    void writeCutsARunIntoBlocksKeyedByTheirFirstRowAndReadGivesItBack(@TempDir Path dir) {
        LearningRateTable table = table(10_000);
        File file = dir.resolve("stats.dl4j").toFile();
        FileStatsStorage storage = new FileStatsStorage(file);
        try {
            // as a run writes: epoch by epoch, then a long stretch in one call
            LearningRateReports.write(copyOf(table, 113), storage, "run", LearningRateReports.WORKER_ID, 5_000, 0);
            LearningRateReports.write(copyOf(table, 226), storage, "run", LearningRateReports.WORKER_ID, 5_000, 113);
            LearningRateReports.write(table, storage, "run", LearningRateReports.WORKER_ID, 5_000, 226);
        } finally {
            storage.close();
        }
        FileStatsStorage reading = new FileStatsStorage(file);
        try {
            assertThat(reading.listWorkerIDsForSessionAndType("run", LearningRateBlock.TYPE_ID))
                    .containsExactly(LearningRateReports.WORKER_ID);
            List<Long> timestamps = new ArrayList<>();
            for (Persistable p : reading.getAllUpdatesAfter("run", LearningRateBlock.TYPE_ID,
                    LearningRateReports.WORKER_ID, 0)) {
                timestamps.add(p.getTimeStamp());
            }
            // 9,774 rows in the last call: two full blocks and the rest
            assertThat(timestamps).containsExactlyInAnyOrder(5_000L, 5_113L, 5_226L, 5_226L + 4_096,
                    5_226L + 8_192);
            assertSameRows(LearningRateReports.read(reading, "run", LearningRateReports.WORKER_ID), table, 0);
            assertThat(LearningRateReports.read(reading, "other", LearningRateReports.WORKER_ID).size()).isZero();
        } finally {
            reading.close();
        }
    }

    @Test
    void aThinnedWriteIsReadBackAsTheChosenRows() {
        LearningRateTable table = table(3_000);
        InMemoryStatsStorage storage = new InMemoryStatsStorage();
        int written = LearningRateReports.writeThinned(table, storage, "thin", "w", 1_000, 500);
        LearningRateTable back = LearningRateReports.read(storage, "thin", "w");
        assertThat(back.size()).isEqualTo(written).isLessThanOrEqualTo(500);
        int[] iterations = back.iterations();
        assertThat(iterations[0]).isEqualTo(table.iteration(0));
        assertThat(iterations[written - 1]).isEqualTo(table.iteration(2_999));
        for (int r = 0; r < written; r++) {
            int row = (iterations[r] - 10) / 2;
            assertThat(back.learningRate(1, r)).isEqualTo(table.learningRate(1, row));
        }
        // both sides of 0_b's reduction and of 1_W's step
        assertThat(iterations).contains(10 + 2 * 149, 10 + 2 * 150, 10 + 2 * 1_499, 10 + 2 * 1_500);
    }

    /** The first {@code rows} rows of {@code table}, as a run that has recorded that far holds them. */
    private static LearningRateTable copyOf(LearningRateTable table, int rows) {
        LearningRateTable copy = new LearningRateTable();
        copy.keys(table.parameterKeys(), table.hyperparameterKeys());
        double[] rates = new double[table.parameterKeys().size()];
        double[] hyperparameters = new double[table.hyperparameterKeys().size()];
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < rates.length; p++) {
                rates[p] = table.learningRate(p, r);
            }
            for (int h = 0; h < hyperparameters.length; h++) {
                hyperparameters[h] = table.hyperparameter(h, r);
            }
            copy.append(table.iteration(r), table.epoch(r), table.score(r), rates, hyperparameters);
        }
        return copy;
    }
}
