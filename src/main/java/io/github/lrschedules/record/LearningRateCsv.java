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
        header(out, keys);
        double[] rates = new double[learningRates.length];
        for (int i = 0; i < rows; i++) {
            for (int p = 0; p < rates.length; p++) {
                rates[p] = learningRates[p][i];
            }
            row(out, iterations[i], epochs[i], scores[i], rates);
        }
    }

    /** Writes the header line {@code iteration,epoch,score,<key>...}. */
    public static void header(Writer out, List<String> keys) throws IOException {
        header(out, keys, List.of());
    }

    /**
     * Writes the header line {@code iteration,epoch,score,<key>...,<hyperparameter key>...}: the rates' columns, then
     * the hyperparameters' ({@code momentum:0_W}, ...).
     */
    public static void header(Writer out, List<String> keys, List<String> hyperparameterKeys) throws IOException {
        out.write("iteration,epoch,score");
        for (String key : keys) {
            out.write(',');
            out.write(key);
        }
        for (String key : hyperparameterKeys) {
            out.write(',');
            out.write(key);
        }
        out.write('\n');
    }

    /** Writes one row, a rate per key in the header's order. */
    public static void row(Writer out, int iteration, int epoch, double score, double[] rates) throws IOException {
        row(out, iteration, epoch, score, rates, new double[0]);
    }

    /** Writes one row: a rate per key, then a value per hyperparameter key, in the header's order. */
    public static void row(Writer out, int iteration, int epoch, double score, double[] rates, double[] hyperparameters)
            throws IOException {
        out.write(Integer.toString(iteration));
        out.write(',');
        out.write(Integer.toString(epoch));
        out.write(',');
        out.write(Double.toString(score));
        for (double rate : rates) {
            out.write(',');
            out.write(Double.toString(rate));
        }
        for (double value : hyperparameters) {
            out.write(',');
            out.write(Double.toString(value));
        }
        out.write('\n');
    }
}
