package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.data.DataSource;
import io.github.lrschedules.examples.model.ModelKind;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of every command that trains ({@code train}, {@code compare}, {@code lr-find}): the network, the data
 * and its split, the seed, the hardware profile and the output directory.
 */
public final class DataOptions {

    /** Batch size without --batch and without a profile that sets one. */
    public static final int DEFAULT_BATCH = 64;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "mlp", paramLabel = "mlp|lenet", converter = Converters.Model.class,
            description = "mlp: 784-500-100-10 ReLU; lenet: LeNet-5-like CNN (about 8x slower). Default: ${DEFAULT-VALUE}.")
    ModelKind model;

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
        check(batch == null || batch >= 1, "--batch", batch, "must be >= 1");
        check(trainLimit >= 0, "--train-limit", trainLimit, "must be >= 0 (0: all)");
        check(testLimit >= 0, "--test-limit", testLimit, "must be >= 0 (0: all)");
        check(valFraction >= 0 && valFraction <= 0.5, "--val-fraction", valFraction, "must be in [0, 0.5]");
    }

    private void check(boolean ok, String option, Object value, String rule) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " + value
                    + " " + rule);
        }
    }
}
