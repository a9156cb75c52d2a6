package io.github.lrschedules.examples.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Medians and the Markdown table the benchmark commands print. */
final class Stats {

    private Stats() {
    }

    /**
     * Measures every variant once per round, in an order rotated per round, after one warm-up measurement of the
     * first variant (JIT, native libraries); returns examples/s per variant, one value per round in round order.
     *
     * @param seconds  trains {@code examples} examples under a variant and returns the seconds it took
     */
    static Map<String, List<Double>> interleave(List<String> variants, int rounds, int examples,
                                                ToDoubleFunction<String> seconds, PrintWriter out) {
        Map<String, List<Double>> throughput = new LinkedHashMap<>();
        for (String v : variants) {
            throughput.put(v, new ArrayList<>());
        }
        seconds.applyAsDouble(variants.get(0));
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < variants.size(); i++) {
                String variant = variants.get((i + round) % variants.size());
                throughput.get(variant).add(examples / seconds.applyAsDouble(variant));
            }
            out.printf(Locale.ROOT, "round %d/%d done%n", round + 1, rounds);
            out.flush();
        }
        return throughput;
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * One row per variant: median, min and max examples/s; the ratio of its median to the reference's; and the median
     * of the per-round ratios (each variant against the reference measured in the same round, which cancels the
     * machine's slow drifts). Every list holds one value per round, in round order.
     */
    static String table(Map<String, List<Double>> throughput, String reference) {
        List<Double> base = throughput.get(reference);
        StringBuilder table = new StringBuilder();
        table.append("| variant | median examples/s | min | max | ratio of medians | median of per-round ratios |\n");
        table.append("|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<Double>> e : throughput.entrySet()) {
            List<Double> values = e.getValue();
            List<Double> paired = new ArrayList<>();
            for (int round = 0; round < values.size(); round++) {
                paired.add(values.get(round) / base.get(round));
            }
            table.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.3f | %.3f |%n", e.getKey(),
                    median(values), values.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                    values.stream().mapToDouble(Double::doubleValue).max().orElse(0), median(values) / median(base),
                    median(paired)));
        }
        return table.toString();
    }
}
