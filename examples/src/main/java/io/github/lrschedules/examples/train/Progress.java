package io.github.lrschedules.examples.train;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows how far a run is: a progress bar per run on a terminal, one plain line per epoch in a log (no carriage
 * returns), or nothing ({@code --no-progress}).
 */
public interface Progress {

    /** A run of {@code iterations} iterations starts. */
    void start(String name, int iterations, int epochs);

    /** Iteration {@code done} (1-based count) finished. */
    void step(int done, int epoch, double loss, double learningRate);

    /** An epoch ended with this test accuracy. */
    void epoch(EpochStats stats);

    /** The run ended. */
    void finish();

    /** Shows nothing. */
    static Progress none() {
        return new Progress() {
            @Override
            public void start(String name, int iterations, int epochs) {
            }

            @Override
            public void step(int done, int epoch, double loss, double learningRate) {
            }

            @Override
            public void epoch(EpochStats stats) {
            }

            @Override
            public void finish() {
            }
        };
    }

    /**
     * What a run shows on {@code out}: nothing with {@code --no-progress}, progress bars on a terminal, else one line
     * per epoch.
     */
    static Progress choose(boolean noProgress, boolean terminal, PrintStream out) {
        if (noProgress) {
            return none();
        }
        return terminal ? bar(out) : lines(out);
    }

    /**
     * One line per epoch, for logs: {@code "constant   epoch 0 (1/3)  loss 0.4123  lr 1.00e-01  test 91.20%  4.2 s"}.
     */
    static Progress lines(PrintStream out) {
        return new Progress() {
            private String name;
            private int epochs;

            @Override
            public void start(String name, int iterations, int epochs) {
                this.name = name;
                this.epochs = epochs;
            }

            @Override
            public void step(int done, int epoch, double loss, double learningRate) {
            }

            @Override
            public void epoch(EpochStats stats) {
                out.println(String.format(Locale.ROOT, "%-10s epoch %d (%d/%d)  loss %.4f  lr %.2e  test %.2f%%  %.1f s",
                        name, stats.epoch(), stats.epoch() + 1, epochs, stats.trainLoss(), stats.learningRate(),
                        100 * stats.testAccuracy(), stats.seconds())
                        + (Double.isFinite(stats.averagedTestAccuracy()) ? String.format(Locale.ROOT,
                        "  averaged %.2f%%", 100 * stats.averagedTestAccuracy()) : ""));
                out.flush();
            }

            @Override
            public void finish() {
            }
        };
    }

    /** One me.tongfei progress bar per run on {@code out}, with epoch, loss, learning rate and test accuracy. */
    static Progress bar(PrintStream out) {
        return new Progress() {
            private ProgressBar bar;
            private int epochs;
            // set by the thread that measures the epochs, read by the training thread
            private volatile String accuracy = "";

            @Override
            public void start(String name, int iterations, int epochs) {
                this.epochs = epochs;
                this.accuracy = "";
                bar = new ProgressBarBuilder()
                        .setTaskName(String.format(Locale.ROOT, "%-10s", name))
                        .setInitialMax(iterations)
                        .setUnit(" it", 1)
                        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                        .setUpdateIntervalMillis(200)
                        .setConsumer(new ConsoleProgressBarConsumer(out, 120))
                        .build();
            }

            @Override
            public void step(int done, int epoch, double loss, double learningRate) {
                bar.stepTo(done);
                bar.setExtraMessage(String.format(Locale.ROOT, " epoch %d/%d  loss %.4f  lr %.2e%s", epoch + 1, epochs,
                        loss, learningRate, accuracy));
            }

            @Override
            public void epoch(EpochStats stats) {
                accuracy = String.format(Locale.ROOT, "  test %.2f%%", 100 * stats.testAccuracy());
            }

            @Override
            public void finish() {
                bar.close();
            }
        };
    }
}
