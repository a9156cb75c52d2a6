package io.github.lrschedules.benchmarks;

import io.github.lrschedules.record.LearningRateTable;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Heap of the applied-rate table after a long run: {@code ROWS} iterations of a network with {@code ARRAYS} parameter
 * arrays that all follow one cosine schedule, then the same with every parameter array on its own rate (the worst
 * case: a layer-wise rate per array). Prints the heap measured after a full GC, and the bytes the old layout (a double
 * per parameter array per iteration, plus iteration, epoch and score) would take.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.lrschedules.benchmarks.RateTableHeap 1000000 160</pre>
 */
public final class RateTableHeap {

    private RateTableHeap() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int arrays = args.length > 1 ? Integer.parseInt(args[1]) : 160;
        for (boolean distinct : new boolean[] {false, true}) {
            long before = usedAfterGc();
            LearningRateTable table = fill(rows, arrays, distinct);
            long after = usedAfterGc();
            System.out.printf("%,d rows x %d arrays, %s: %d columns, heap %.1f MB (%.1f bytes/row), "
                            + "a double per array would be %.1f MB%n", rows, arrays,
                    distinct ? "a rate per array" : "one shared schedule", table.columnCount(),
                    (after - before) / 1e6, (after - before) / (double) rows,
                    rows * (16.0 + 8.0 * arrays) / 1e6);
            if (table.size() != rows) {
                throw new AssertionError(table.size());
            }
        }
    }

    private static LearningRateTable fill(int rows, int arrays, boolean distinct) {
        LearningRateTable table = new LearningRateTable();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < arrays; i++) {
            keys.add(i + "_W");
        }
        table.keys(keys);
        double[] rates = new double[arrays];
        for (int r = 0; r < rows; r++) {
            double rate = 0.05 * (1 + Math.cos(Math.PI * r / rows));
            Arrays.fill(rates, rate);
            if (distinct) {
                for (int p = 0; p < arrays; p++) {
                    rates[p] = rate * (p + 1);
                }
            }
            table.append(r, r / 1000, 1.0, rates);
        }
        return table;
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
