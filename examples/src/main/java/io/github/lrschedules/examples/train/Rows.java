package io.github.lrschedules.examples.train;

import java.util.Arrays;

/** Joins the recorded rows of a run before a checkpoint with those recorded after it. */
final class Rows {

    private Rows() {
    }

    /** {@code before} followed by {@code after}; {@code after} itself when {@code before} is null. */
    static int[] join(int[] before, int[] after) {
        if (before == null) {
            return after;
        }
        int[] joined = Arrays.copyOf(before, before.length + after.length);
        System.arraycopy(after, 0, joined, before.length, after.length);
        return joined;
    }

    /** {@code before} followed by {@code after}; {@code after} itself when {@code before} is null. */
    static double[] join(double[] before, double[] after) {
        if (before == null) {
            return after;
        }
        double[] joined = Arrays.copyOf(before, before.length + after.length);
        System.arraycopy(after, 0, joined, before.length, after.length);
        return joined;
    }
}
