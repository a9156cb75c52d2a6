package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.examples.data.DataLoader;
import io.github.lrschedules.examples.data.LoadedData;
import io.github.lrschedules.examples.profile.Hardware;
import io.github.lrschedules.examples.profile.RunProfile;
import io.github.lrschedules.examples.resume.RunManifest;
import io.github.lrschedules.examples.train.PreparedData;
import io.github.lrschedules.examples.train.RunSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What every training command ({@code compare}, {@code train}, {@code lr-find}) sets up first, always in this order:
 * the options are checked, the hardware profile is loaded and put into effect ({@link Hardware#apply}: memory limits,
 * the CUDA check, the layer-helper switch) before ND4J starts, the output directory is checked, and the data is loaded
 * and split.
 */
final class RunContext {

    private final DataOptions options;
    private final RunProfile profile;
    private final Path dir;
    private final int batch;
    private final LoadedData loaded;
    private final PreparedData data;

    private RunContext(DataOptions options, RunProfile profile, Path dir, int batch, LoadedData loaded,
                       PreparedData data) {
        this.options = options;
        this.profile = profile;
        this.dir = dir;
        this.batch = batch;
        this.loaded = loaded;
        this.data = data;
    }

    /**
     * @param command names the default output directory, {@code runs/<command>-<time>}
     * @param say     receives the notes of the hardware and the data loader
     * @throws ExamplesException if the profile, the hardware, the output directory or the data cannot be used
     */
    static RunContext open(DataOptions options, String command, Consumer<String> say) throws IOException {
        return open(options, command, say, false);
    }

    /**
     * As {@link #open(DataOptions, String, Consumer)}; {@code resuming} continues the run in the output directory
     * instead of requiring it to be new or empty.
     */
    static RunContext open(DataOptions options, String command, Consumer<String> say, boolean resuming)
            throws IOException {
        options.validate();
        RunProfile profile = profile(options.profile);
        Hardware.apply(profile, say);
        Path dir = options.out != null ? options.out : OutputDirectory.defaultFor(command);
        if (!resuming) {
            if (!options.force && RunManifest.existsIn(dir)) {
                throw new ExamplesException("--out " + dir + " holds a run started earlier; continue it with --resume "
                        + dir + ", or add --force to replace it");
            }
            OutputDirectory.check(dir, options.force);
        }
        int batch = options.batch != null ? options.batch
                : profile.batch() != null ? profile.batch() : DataOptions.DEFAULT_BATCH;
        LoadedData loaded = DataLoader.load(options.dataSource(), options.dataDirectory(), say);
        PreparedData data = PreparedData.of(loaded, options.trainLimit, options.testLimit, options.valFraction,
                profile.dataType());
        if (data.trainSize() == 0) {
            throw new ExamplesException("nothing to train on: " + data.sizes());
        }
        return new RunContext(options, profile, dir, batch, loaded, data);
    }

    /** {@code --profile FILE}, else the one {@link RunProfile#DEFAULT_PROFILE_PROPERTY} names, else the built-in defaults. */
    static RunProfile profile(Path file) {
        return RunProfile.chosen(file);
    }

    /**
     * The settings the data options and the profile give (the model's default learning rate), for the caller to
     * complete: {@link RunOptions#settings(RunSettings.Builder)} for {@code train} and {@code compare}.
     */
    RunSettings.Builder settings() {
        return RunSettings.builder().model(options.model).batch(batch).learningRate(options.model.defaultLearningRate())
                .seed(options.seed).dataType(profile.dataType()).workspaceMode(profile.workspaceMode())
                .prefetch(profile.prefetch());
    }

    RunProfile profile() {
        return profile;
    }

    /** The output directory, checked but not yet created. */
    Path outputDirectory() {
        return dir;
    }

    int batch() {
        return batch;
    }

    LoadedData loaded() {
        return loaded;
    }

    PreparedData data() {
        return data;
    }
}
