package io.github.lrschedules.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearningRateTableTest {

    private static List<String> keys(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(i / 2 + (i % 2 == 0 ? "_W" : "_b"));
        }
        return keys;
    }

    /** A cosine-like rate that changes every row, the same for every parameter except where {@code split} says. */
    private static double rate(int row) {
        return 0.1 * (1 + Math.cos(Math.PI * row / 10_000.0)) / 2;
    }

    @Test
    void parametersSharingOneScheduleShareOneColumnAcrossChunks() {
        LearningRateTable table = new LearningRateTable();
        table.keys(keys(160));
        double[] rates = new double[160];
        int rows = 3 * LearningRateTable.CHUNK + 17;
        for (int r = 0; r < rows; r++) {
            Arrays.fill(rates, rate(r));
            table.append(r, r / 100, 1.0 / (r + 1), rates);
        }
        assertThat(table.size()).isEqualTo(rows);
        assertThat(table.columnCount()).isEqualTo(1);
        assertThat(table.storedBytes()).isEqualTo((long) rows * 24);
        double[] w = table.learningRates("79_b");
        for (int r = 0; r < rows; r++) {
            assertThat(w[r]).isEqualTo(rate(r));
        }
        assertThat(table.iterations()[rows - 1]).isEqualTo(rows - 1);
        assertThat(table.epochs()[rows - 1]).isEqualTo((rows - 1) / 100);
        assertThat(table.scores()[5000]).isEqualTo(1.0 / 5001);
    }

    @Test
    void aColumnSplitsAtTheFirstRowWhereItsParametersDifferAndKeepsBothHistoriesExact() {
        LearningRateTable table = new LearningRateTable();
        table.keys(keys(6));
        int rows = LearningRateTable.CHUNK + 100;
        int splitAt = LearningRateTable.CHUNK + 3;
        double[] rates = new double[6];
        for (int r = 0; r < rows; r++) {
            Arrays.fill(rates, rate(r));
            if (r >= splitAt) {
                // layers 1 and 2 (keys 2..5) halved from here on, as a per-layer plateau reduction would
                for (int p = 2; p < 6; p++) {
                    rates[p] = rate(r) / 2;
                }
            }
            if (r == rows - 1) {
                rates[5] = Double.NaN;
            }
            table.append(r, 0, 0.0, rates);
        }
        assertThat(table.columnCount()).isEqualTo(3);
        double[] first = table.learningRates("0_W");
        double[] third = table.learningRates("2_W");
        double[] last = table.learningRates("2_b");
        for (int r = 0; r < rows; r++) {
            assertThat(first[r]).isEqualTo(rate(r));
            assertThat(third[r]).isEqualTo(r < splitAt ? rate(r) : rate(r) / 2);
            if (r < rows - 1) {
                assertThat(last[r]).isEqualTo(third[r]);
            }
        }
        assertThat(last[rows - 1]).isNaN();
        assertThat(table.learningRate(3, splitAt)).isEqualTo(rate(splitAt) / 2);
    }

    @Test
    void csvStreamedRowByRowEqualsTheCsvOfTheSameRowsInMemory(@TempDir Path dir) throws Exception {
        LearningRateTable memory = new LearningRateTable();
        LearningRateTable streamed = new LearningRateTable();
        memory.keys(keys(4));
        streamed.keys(keys(4));
        double[] rates = new double[4];
        for (int r = 0; r < 50; r++) {
            Arrays.fill(rates, rate(r));
            rates[3] = r;
            memory.append(r, r / 10, r * 0.5, rates);
            streamed.append(r, r / 10, r * 0.5, rates);
            if (r == 19) {
                streamed.streamTo(dir.resolve("rows.csv"));
            }
        }
        streamed.close();
        StringWriter expected = new StringWriter();
        memory.writeCsv(expected);
        assertThat(Files.readString(dir.resolve("rows.csv"))).isEqualTo(expected.toString());
        assertThat(streamed.size()).isEqualTo(50);
        assertThat(streamed.storedBytes()).isZero();
        assertThatThrownBy(streamed::iterations).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rows.csv");
    }

    @Test
    void javaSerializationKeepsEveryRowAndGoesOnSplitting() throws Exception {
        LearningRateTable table = new LearningRateTable();
        table.keys(keys(2));
        table.append(0, 0, 1.0, new double[] {0.1, 0.1});
        table.append(1, 0, 0.9, new double[] {0.1, 0.05});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(table);
        }
        LearningRateTable back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (LearningRateTable) in.readObject();
        }
        back.append(2, 1, 0.8, new double[] {0.2, 0.3});
        assertThat(back.learningRates("0_W")).containsExactly(0.1, 0.1, 0.2);
        assertThat(back.learningRates("0_b")).containsExactly(0.1, 0.05, 0.3);
        assertThat(back.scores()).containsExactly(1.0, 0.9, 0.8);
    }

    @Test
    void refusesRowsOfTheWrongWidthAndOtherKeysAfterTheFirstRow() {
        LearningRateTable table = new LearningRateTable();
        table.keys(keys(2));
        assertThatThrownBy(() -> table.append(0, 0, 0, new double[3])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 values for 2 parameters");
        table.append(0, 0, 0, new double[2]);
        assertThatThrownBy(() -> table.keys(keys(4))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[0_W, 0_b]");
        assertThatThrownBy(() -> table.learningRates("9_W")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameterKey (9_W)");
        assertThatThrownBy(() -> table.iteration(1)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("row (1)");
    }
}
