package io.github.lrschedules.schedule;

/** The two ways a phase of a schedule moves from its start value to its end value, shared by every schedule. */
final class Interpolation {

    private Interpolation() {
    }

    /** {@code start + (end - start) * p}: {@code start} at {@code p = 0}, {@code end} at {@code p = 1}. */
    static double linear(double start, double end, double p) {
        return start + (end - start) * p;
    }

    /** Half a cosine, {@code end + (start - end) * (1 + cos(pi * p)) / 2}: {@code start} at 0, {@code end} at 1. */
    static double cosine(double start, double end, double p) {
        return end + (start - end) * (1 + Math.cos(Math.PI * p)) / 2;
    }

    /**
     * timm's {@code k_decay}: the cosine's progress {@code p^kDecay} instead of {@code p}, which stays near the
     * start longer for {@code kDecay > 1} and leaves it sooner for {@code kDecay < 1}. Exact for {@code kDecay = 1}.
     */
    static double kDecayed(double p, double kDecay) {
        return kDecay == 1.0 ? p : Math.pow(p, kDecay);
    }
}
