package io.github.lrschedules.examples.train;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Shows how far a run is: a progress bar per run, or nothing. */
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

    /** One me.tongfei progress bar per run on {@code out}, with epoch, loss, learning rate and test accuracy. */
    static Progress bar(PrintStream out) {
        return new Progress() {
            private ProgressBar bar;
            private int epochs;
            private String accuracy = "";

            @Override
            public void start(String name, int iterations, int epochs) {
                this.epochs = epochs;
                this.accuracy = "";
                bar = new ProgressBarBuilder()
                        .setTaskName(String.format(Locale.ROOT, "%-10s", name))
                        .setInitialMax(iterations)
                        .setUnit(" it", 1)
                        .setStyle(System.console() != null ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK
                                : ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(System.console() != null ? 200 : 5_000)
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
