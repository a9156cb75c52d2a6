package io.github.lrschedules.ui;

import io.github.lrschedules.internal.Args;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Chooses which points of a long run the Schedules page gets: at most {@code maxPoints} indices, always the first
 * and the last, then the points where a learning-rate series changes its course, then a uniform grid over the rest.
 *
 * <p>The change points of a series {@code s}:
 * <ul>
 *   <li>steps: {@code s[i] != s[i-1]} at the edge of a flat stretch ({@code s[i-2] == s[i-1]} or
 *       {@code s[i] == s[i+1]}), however small: both {@code i-1} and {@code i} are kept, so that straight lines
 *       between the points kept give back every value of a piecewise-constant schedule (milestones, epoch-wise decay,
 *       plateau reductions) exactly;</li>
 *   <li>bends: {@code |(s[i+1]-s[i]) - (s[i]-s[i-1])| > }{@value #BEND_TOLERANCE}
 *       {@code * max(|s[i-1]|, |s[i]|, |s[i+1]|)}: warm restarts, the end of a warmup, the corners of a cyclic
 *       schedule, the phases of one-cycle. A smooth curve (cosine, exponential) bends less than that from one
 *       iteration to the next over any practical horizon and is thinned uniformly;</li>
 *   <li>a value appearing or disappearing (NaN next to a number): both sides.</li>
 * </ul>
 * All of them are kept as long as they fit in three quarters of the budget; the last quarter always goes to the
 * uniform grid, so that every stretch of the run keeps some points. Past that (an epoch-wise decay with a few
 * iterations per epoch over a very long run, or float rounding turning a very slow curve into tiny steps) the
 * relatively largest changes win, so the response size stays bounded.
 */
final class Downsampler {

    /** Relative change of slope between consecutive iterations that counts as a bend. */
    static final double BEND_TOLERANCE = 1e-4;

    /** Above every relative change (those are at most 1). */
    private static final double PRIORITY_NAN_EDGE = 2;

    private Downsampler() {
    }

    /**
     * Sorted indices into {@code [0, n)}; all of them when {@code n <= maxPoints}.
     *
     * @param series learning-rate series, each of length at least {@code n}; NaN where a value is missing
     * @throws IllegalArgumentException if {@code maxPoints < 2}
     */
    static int[] select(int n, List<float[]> series, int maxPoints) {
        Args.atLeast("maxPoints", maxPoints, 2);
        if (n <= maxPoints) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        BitSet keep = endsAndChangePoints(n, series, maxPoints);
        int remaining = maxPoints - keep.cardinality();
        for (int k = 1; k <= remaining; k++) {
            keep.set((int) Math.round((double) k * (n - 1) / (remaining + 1)));
        }
        return keep.stream().toArray();
    }

    /**
     * The first and the last of {@code n} rows and the change points of {@code series}, the largest first, within
     * three quarters of {@code maxPoints}: what {@link #select} and {@link #thin} keep before their grids.
     */
    private static BitSet endsAndChangePoints(int n, List<float[]> series, int maxPoints) {
        double[] priority = new double[n];
        for (float[] s : series) {
            markChangePoints(s, n, priority);
        }
        BitSet keep = new BitSet(n);
        keep.set(0);
        keep.set(n - 1);
        keepHighest(priority, n, maxPoints - 2 - maxPoints / 4, keep);
        return keep;
    }

    /**
     * Sorted indices into {@code [0, n)}, at most {@code maxPoints}, chosen so that what was kept can be thinned
     * again with more rows appended (a long run read block by block, a live run polled): the first and the last,
     * the change points of {@link #select} (within three quarters of the budget, the largest first), then a grid
     * that is uniform in iterations rather than in indices: the first row of every stretch of {@code stride}
     * iterations, {@code stride} the smallest power of two whose grid fits in the rest of the budget. A row on the
     * grid of {@code 2 * stride} is on the grid of {@code stride}, so the grid survives any number of passes and
     * early iterations are not thinned more than late ones.
     *
     * @param iterations ascending, at least {@code n} of them
     * @param series     learning-rate series, each of length at least {@code n}; NaN where a value is missing
     * @throws IllegalArgumentException if {@code maxPoints < 2}
     */
    static int[] thin(int n, int[] iterations, List<float[]> series, int maxPoints) {
        Args.atLeast("maxPoints", maxPoints, 2);
        if (n <= maxPoints) {
            return select(n, series, maxPoints);
        }
        BitSet keep = endsAndChangePoints(n, series, maxPoints);
        int remaining = maxPoints - keep.cardinality();
        long span = (long) iterations[n - 1] - iterations[0];
        // start near the answer (a dense run has a row in about span / stride stretches), then find the smallest
        long stride = Long.highestOneBit(Math.max(1, span / Math.max(1, remaining)));
        while (gridSize(n, iterations, stride) > remaining) {
            stride *= 2;
            if (stride > 2 * span + 2) {
                return keep.stream().toArray();
            }
        }
        while (stride > 1 && gridSize(n, iterations, stride / 2) <= remaining) {
            stride /= 2;
        }
        int shift = Long.numberOfTrailingZeros(stride);
        for (int i = 1; i < n; i++) {
            if ((long) iterations[i] >> shift != (long) iterations[i - 1] >> shift) {
                keep.set(i);
            }
        }
        return keep.stream().toArray();
    }

    /** The number of stretches of {@code stride} (a power of two) iterations, after the first, that hold a row. */
    private static int gridSize(int n, int[] iterations, long stride) {
        int shift = Long.numberOfTrailingZeros(stride);
        int count = 0;
        for (int i = 1; i < n; i++) {
            if ((long) iterations[i] >> shift != (long) iterations[i - 1] >> shift) {
                count++;
            }
        }
        return count;
    }

    private static void markChangePoints(float[] s, int n, double[] priority) {
        for (int i = 1; i < n; i++) {
            float a = s[i - 1];
            float b = s[i];
            if (same(a, b)) {
                continue;
            }
            if (Float.isNaN(a) || Float.isNaN(b)) {
                raise(priority, i - 1, PRIORITY_NAN_EDGE);
                raise(priority, i, PRIORITY_NAN_EDGE);
                continue;
            }
            boolean flatBefore = i == 1 || same(s[i - 2], a);
            boolean flatAfter = i == n - 1 || same(b, s[i + 1]);
            if (flatBefore || flatAfter) {
                double change = relativeChange(a, b);
                raise(priority, i - 1, change);
                raise(priority, i, change);
            }
        }
        for (int i = 1; i < n - 1; i++) {
            float a = s[i - 1];
            float b = s[i];
            float c = s[i + 1];
            if (Float.isNaN(a) || Float.isNaN(b) || Float.isNaN(c)) {
                continue;
            }
            double scale = Math.max(Math.abs(a), Math.max(Math.abs(b), Math.abs(c)));
            double bend = Math.abs(((double) c - b) - ((double) b - a));
            if (bend > BEND_TOLERANCE * scale) {
                raise(priority, i, Math.min(1, bend / scale));
            }
        }
    }

    private static boolean same(float a, float b) {
        return a == b || (Float.isNaN(a) && Float.isNaN(b));
    }

    /** In (0, 1] for {@code a != b}. */
    private static double relativeChange(float a, float b) {
        double scale = Math.max(Math.abs(a), Math.abs(b));
        return Math.max(Double.MIN_NORMAL, Math.min(1, Math.abs((double) b - a) / scale));
    }

    private static void raise(double[] priority, int i, double value) {
        if (value > priority[i]) {
            priority[i] = value;
        }
    }

    /** Sets in {@code keep} the (at most {@code budget}) marked indices of highest priority, earlier first on ties. */
    private static void keepHighest(double[] priority, int n, int budget, BitSet keep) {
        int marked = 0;
        for (int i = 0; i < n; i++) {
            if (priority[i] > 0) {
                marked++;
            }
        }
        if (marked <= budget) {
            for (int i = 0; i < n; i++) {
                if (priority[i] > 0) {
                    keep.set(i);
                }
            }
            return;
        }
        // Sort by (priority descending, index ascending) as longs: the high half holds the complement of the
        // priority's upper bits (positive doubles order like their bit patterns), the low half the index.
        long[] keys = new long[marked];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (priority[i] > 0) {
                long rank = Double.doubleToLongBits(priority[i]) >>> 32;
                keys[k++] = ((0xFFFFFFFFL - rank) << 32) | i;
            }
        }
        // The budget smallest keys, as a full sort would give them, without sorting them all: count keys by their
        // top 16 bits, keep every bucket below the one where the budget runs out, sort only that bucket.
        int[] buckets = new int[1 << 16];
        for (long key : keys) {
            buckets[(int) (key >>> 48)]++;
        }
        int cut = 0;
        int below = 0;
        while (below + buckets[cut] < budget) {
            below += buckets[cut];
            cut++;
        }
        long[] edge = new long[buckets[cut]];
        int e = 0;
        for (long key : keys) {
            int bucket = (int) (key >>> 48);
            if (bucket < cut) {
                keep.set((int) (key & 0xFFFFFFFFL));
            } else if (bucket == cut) {
                edge[e++] = key;
            }
        }
        Arrays.sort(edge);
        for (int j = 0; j < budget - below; j++) {
            keep.set((int) (edge[j] & 0xFFFFFFFFL));
        }
    }
}
