package io.github.lrschedules.record;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * The CSV of recorded learning rates, {@code iteration,epoch,score,<param>...} with one row per step: what
 * {@link LearningRateRecorder} writes, and what the Spark module writes for the steps its workers ran.
 */
public final class LearningRateCsv {

    private LearningRateCsv() {
    }

    /**
     * Writes the header and the first {@code rows} rows.
     *
     * @param keys          the parameter keys ({@code 0_W}, ...), one column each
     * @param learningRates one array per key, at least {@code rows} long
     */
    public static void write(Writer out, List<String> keys, int rows, int[] iterations, int[] epochs, double[] scores,
                             double[][] learningRates) throws IOException {
        out.write("iteration,epoch,score");
        for (String key : keys) {
            out.write(',');
            out.write(key);
        }
        out.write('\n');
        for (int i = 0; i < rows; i++) {
            out.write(Integer.toString(iterations[i]));
            out.write(',');
            out.write(Integer.toString(epochs[i]));
            out.write(',');
            out.write(Double.toString(scores[i]));
            for (double[] column : learningRates) {
                out.write(',');
                out.write(Double.toString(column[i]));
            }
            out.write('\n');
        }
    }
}
