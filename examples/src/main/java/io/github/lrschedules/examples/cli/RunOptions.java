package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.data.DataSource;
import io.github.lrschedules.examples.model.ModelKind;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options {@code train} and {@code compare} share. */
public final class RunOptions {

    /** Batch size without --batch and without a profile that sets one. */
    public static final int DEFAULT_BATCH = 64;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "mlp", paramLabel = "mlp|lenet", converter = Converters.Model.class,
            description = "mlp: 784-500-100-10 ReLU; lenet: LeNet-5-like CNN (about 8x slower). Default: ${DEFAULT-VALUE}.")
    ModelKind model;

    @Option(names = "--epochs", defaultValue = "15", paramLabel = "N",
            description = "Training epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", paramLabel = "N",
            description = "Mini-batch size. Default: the profile's, else " + DEFAULT_BATCH + ".")
    Integer batch;

    @Option(names = "--train-limit", defaultValue = "0", paramLabel = "N",
            description = "Use only the first N training images (0: all). Default: ${DEFAULT-VALUE}.")
    int trainLimit;

    @Option(names = "--test-limit", defaultValue = "0", paramLabel = "N",
            description = "Use only the first N test images (0: all). Default: ${DEFAULT-VALUE}.")
    int testLimit;

    @Option(names = "--val-fraction", defaultValue = "0.1", paramLabel = "F",
            description = "Fraction of the training images held out (for every schedule) as the split that plateau "
                    + "monitors, in [0, 0.5]. Default: ${DEFAULT-VALUE}.")
    double valFraction;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seed of the initial weights and of the batch order, the same for every schedule. "
                    + "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--lr", paramLabel = "X",
            description = "Peak learning rate of every schedule (Nesterov momentum 0.9). Default: 0.1 for mlp, "
                    + "0.05 for lenet.")
    Double lr;

    @Option(names = "--target", defaultValue = "0.97", paramLabel = "ACC",
            description = "Test accuracy that epochs_to_target waits for, in (0, 1]. Default: ${DEFAULT-VALUE}.")
    double target;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory; must be empty or new unless --force. Default: runs/<command>-<time>.")
    Path out;

    @Option(names = "--force", description = "Replace the outputs in a non-empty --out directory.")
    boolean force;

    @ArgGroup(exclusive = true)
    DataChoice data;

    static final class DataChoice {
        @Option(names = "--data", paramLabel = "auto|embedded|mnist", converter = Converters.Data.class,
                description = "auto (default): full MNIST if DL4J has it cached, else embedded; embedded: the bundled "
                        + "10,000 real MNIST digits (offline); mnist: full MNIST via DL4J (downloads).")
        DataSource source;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "An MNIST-format directory (train-images-idx3-ubyte[.gz], ...), e.g. Fashion-MNIST "
                        + "in /usr/share/datasets/fashion-mnist.")
        Path directory;
    }

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Hardware profile (gpu-profiles/*.properties): batch size, data type, workspaces, prefetch, "
                    + "ND4J memory limits.")
    Path profile;

    @Option(names = "--plateau-factor", defaultValue = "0.1", paramLabel = "F",
            description = "plateau: factor of each reduction, in (0, 1). Default: ${DEFAULT-VALUE}.")
    double plateauFactor;

    @Option(names = "--plateau-patience", defaultValue = "2", paramLabel = "N",
            description = "plateau: epochs without improvement before a reduction. Default: ${DEFAULT-VALUE}.")
    int plateauPatience;

    @Option(names = "--stats-every", defaultValue = "0", paramLabel = "N",
            description = "DL4J StatsListener report every N iterations into stats.dl4j (0: about 20 per epoch; each "
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
        return lr != null ? lr : model.defaultLearningRate();
    }

    public DataSource dataSource() {
        if (data == null) {
            return DataSource.AUTO;
        }
        return data.directory != null ? DataSource.DIRECTORY : data.source;
    }

    public Path dataDirectory() {
        return data == null ? null : data.directory;
    }

    /** Rejects values picocli cannot check by type, naming the option and the value. */
    void validate() {
        check(epochs >= 1, "--epochs", epochs, "must be >= 1");
        check(batch == null || batch >= 1, "--batch", batch, "must be >= 1");
        check(trainLimit >= 0, "--train-limit", trainLimit, "must be >= 0 (0: all)");
        check(testLimit >= 0, "--test-limit", testLimit, "must be >= 0 (0: all)");
        check(valFraction >= 0 && valFraction <= 0.5, "--val-fraction", valFraction, "must be in [0, 0.5]");
        check(lr == null || lr > 0 && Double.isFinite(lr), "--lr", lr, "must be > 0 and finite");
        Double max = maxLrValue();
        check(max == null || max > 0 && Double.isFinite(max), "--max-lr", maxLr, "must be auto or a number > 0");
        check(target > 0 && target <= 1, "--target", target, "must be in (0, 1]");
        check(plateauFactor > 0 && plateauFactor < 1, "--plateau-factor", plateauFactor, "must be in (0, 1)");
        check(statsEvery >= 0, "--stats-every", statsEvery, "must be >= 0 (0: about 20 per epoch)");
        check(plateauPatience >= 0, "--plateau-patience", plateauPatience, "must be >= 0");
    }

    private void check(boolean ok, String option, Object value, String rule) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " + value
                    + " " + rule);
        }
    }
}
