package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.train.RunSettings;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options {@code train} and {@code compare} share: the data and model ({@link DataOptions}, which
 * {@code lr-find} uses alone) and those of training under schedules.
 */
public final class RunOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Mixin
    DataOptions common;

    @Option(names = "--epochs", defaultValue = "15", paramLabel = "N",
            description = "Training epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--lr", paramLabel = "X",
            description = "Peak learning rate of every schedule (Nesterov momentum 0.9). Default: 0.1 for mlp, "
                    + "0.05 for lenet.")
    Double lr;

    @Option(names = "--target", defaultValue = "0.97", paramLabel = "ACC",
            description = "Test accuracy that epochs_to_target waits for, in (0, 1]. Default: ${DEFAULT-VALUE}.")
    double target;

    @Option(names = "--plateau-factor", defaultValue = "0.1", paramLabel = "F",
            description = "plateau: factor of each reduction, in (0, 1). Default: ${DEFAULT-VALUE}.")
    double plateauFactor;

    @Option(names = "--plateau-patience", defaultValue = "2", paramLabel = "N",
            description = "plateau: epochs without improvement before a reduction. Default: ${DEFAULT-VALUE}.")
    int plateauPatience;

    @Option(names = "--stats-every", defaultValue = "0", paramLabel = "N",
            description = "DL4J StatsListener report every N iterations into stats.dl4j (0: about 4 per epoch; each "
                    + "report is committed to disk). Default: ${DEFAULT-VALUE}.")
    int statsEvery;

    @Option(names = "--no-progress", description = "No progress bars (for logs).")
    boolean noProgress;

    @Option(names = "--ui", description = "Serve the DL4J training UI, with the Schedules page that overlays every run,"
            + " during and after training (prints the URL; stop with Ctrl+C).")
    boolean ui;

    @Option(names = "--ui-port", defaultValue = "9000", paramLabel = "PORT",
            description = "Port of the UI server (0: any free port). Default: ${DEFAULT-VALUE}.")
    int uiPort;

    @Option(names = "--max-lr", paramLabel = "X|auto",
            description = "Maximum of the one-cycle schedule: a number, or auto for the LR range test's suggestion on"
                    + " the training data (as lr-find prints it). Default: --lr.")
    String maxLr;

    /** True for {@code --max-lr auto}. */
    boolean maxLrAuto() {
        return "auto".equalsIgnoreCase(maxLr == null ? null : maxLr.trim());
    }

    /** --max-lr as a number, or --lr when it is not given (null for auto). */
    Double maxLrValue() {
        if (maxLr == null) {
            return learningRate();
        }
        if (maxLrAuto()) {
            return null;
        }
        try {
            return Double.parseDouble(maxLr.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** --lr, or the model's default. */
    public double learningRate() {
        return lr != null ? lr : common.model.defaultLearningRate();
    }

    /** {@code base} (from the data options and the profile) with the options of training under schedules. */
    RunSettings.Builder settings(RunSettings.Builder base) {
        return base.epochs(epochs).learningRate(learningRate()).target(target).plateauFactor(plateauFactor)
                .plateauPatience(plateauPatience).statsEvery(statsEvery);
    }

    /** The data and model options. */
    DataOptions common() {
        return common;
    }

    /** Rejects values picocli cannot check by type, naming the option and the value. */
    void validate() {
        common.validate();
        check(epochs >= 1, "--epochs", epochs, "must be >= 1");
        check(lr == null || lr > 0 && Double.isFinite(lr), "--lr", lr, "must be > 0 and finite");
        Double max = maxLrValue();
        check(max == null || max > 0 && Double.isFinite(max), "--max-lr", maxLr, "must be auto or a number > 0");
        check(target > 0 && target <= 1, "--target", target, "must be in (0, 1]");
        check(plateauFactor > 0 && plateauFactor < 1, "--plateau-factor", plateauFactor, "must be in (0, 1)");
        check(statsEvery >= 0, "--stats-every", statsEvery, "must be >= 0 (0: about 4 per epoch)");
        check(plateauPatience >= 0, "--plateau-patience", plateauPatience, "must be >= 0");
    }

    private void check(boolean ok, String option, Object value, String rule) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " + value
                    + " " + rule);
        }
    }
}
