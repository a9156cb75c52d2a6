package io.github.lrschedules.examples.bench;

import io.github.lrschedules.averaging.WeightAveraging;
import io.github.lrschedules.examples.data.DataLoader;
import io.github.lrschedules.examples.data.DataSource;
import io.github.lrschedules.examples.data.DigitSet;
import io.github.lrschedules.examples.data.EpochIterator;
import io.github.lrschedules.examples.data.LoadedData;
import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.schedule.SchedulePlan;
import io.github.lrschedules.examples.train.PreparedData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import io.github.lrschedules.examples.profile.Hardware;
import io.github.lrschedules.examples.profile.LayerHelpers;
import io.github.lrschedules.examples.profile.RunProfile;
import org.nd4j.nativeblas.NativeOpsHolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Training throughput under DL4J's speed settings, each changed alone from the examples' defaults and interleaved:
 * every round trains a fresh network (same seed) on the same images once per variant, in an order rotated per round.
 * Which native build of ND4J runs (plain, AVX2, oneDNN) is chosen when the JVM starts ({@code examples/run --onednn});
 * compare builds by running this command once per build. The variant {@value #EMA} measures what an EMA of the
 * weights after every iteration ({@code WeightAveraging}) costs: it trains as {@code examples/run} does (the layer
 * helpers on where the build has them), so compare it with {@value #LAYER_HELPERS} there.
 */
@Command(name = "bench-speed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmark: training throughput (examples/s) of the examples' defaults against workspaces off,"
                + " a prefetching AsyncDataSetIterator, NHWC layout (lenet), DL4J's oneDNN layer helpers on and, on a"
                + " oneDNN build, ND4J's platform helpers off, and an EMA of the weights after every iteration"
                + " (WeightAveraging.ema(0.999), with the layer helpers where the build has them); interleaved rounds,"
                + " medians and ratios.", ""},
        footer = {"", "Example: examples/run --onednn bench-speed --model lenet"
                + " --data-dir /usr/share/datasets/fashion-mnist --images 2560 --rounds 5"})
public final class SpeedBenchmarkCommand implements Callable<Integer> {

    static final String DEFAULTS = "defaults";
    static final String NO_WORKSPACES = "workspaces NONE";
    static final String PREFETCH = "AsyncDataSetIterator(2)";
    static final String NHWC = "NHWC layout";
    static final String NO_HELPERS = "oneDNN helpers off";
    static final String LAYER_HELPERS = "DL4J oneDNN layer helpers on";
    /**
     * {@code WeightAveraging.ema(0.999)} as a listener, with the layer helpers where the build has them: the cost of an
     * EMA after every iteration beside {@link #LAYER_HELPERS} (the defaults on a build without them).
     */
    static final String EMA = "EMA every iteration";

    @Option(names = "--model", defaultValue = "lenet", paramLabel = "mlp|lenet",
            converter = io.github.lrschedules.examples.cli.Converters.Model.class,
            description = "Default: ${DEFAULT-VALUE}.")
    ModelKind model;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "An MNIST-format directory (e.g. /usr/share/datasets/fashion-mnist). Default: the embedded"
                    + " digits.")
    Path dataDir;

    @Option(names = "--images", defaultValue = "2560", paramLabel = "N",
            description = "Training images per measurement. Default: ${DEFAULT-VALUE}.")
    int images;

    @Option(names = "--rounds", defaultValue = "5", paramLabel = "N",
            description = "Interleaved rounds (one measurement of every variant each). Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--variants", split = ",", paramLabel = "NAMES",
            description = "Only these variants, comma-separated, by the names the table prints (e.g. defaults, or"
                    + " defaults,\"DL4J oneDNN layer helpers on\"); the first takes the warm-up. Default: every variant"
                    + " this build has.")
    List<String> only;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        check(rounds >= 1, "--rounds", rounds, "must be >= 1");
        check(batch >= 1, "--batch", batch, "must be >= 1");
        check(images >= batch, "--images", images, "must be >= --batch (" + batch + ")");
        // the profile examples/run gives (or --profile's): its JavaCPP memory settings, as compare runs with them; the
        // layer helpers stay a variant of their own
        RunProfile profile = RunProfile.chosen(null);
        Hardware.apply(profile, out::println);
        LayerHelpers.enable(false);
        out.println("Profile: " + profile.name() + " (nd4j.maxBytes " + profile.maxBytes() + ", nd4j.maxPhysicalBytes "
                + profile.maxPhysicalBytes() + "); OMP_NUM_THREADS " + System.getenv("OMP_NUM_THREADS"));
        LoadedData loaded = dataDir == null ? DataLoader.embedded() : DataLoader.load(DataSource.DIRECTORY, dataDir,
                out::println);
        PreparedData data = PreparedData.of(loaded, images, 1, 0.0, DataType.FLOAT);
        String build = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        boolean onednn = build.contains("HAVE_ONEDNN");

        List<String> variants = new ArrayList<>(List.of(DEFAULTS, NO_WORKSPACES, PREFETCH, EMA));
        if (model == ModelKind.LENET) {
            variants.add(NHWC);
        }
        // DL4J finds its layer helpers only through the bridge of the oneDNN build (LayerHelpers)
        if (LayerHelpers.bridgePresent()) {
            variants.add(LAYER_HELPERS);
        }
        if (onednn) {
            variants.add(NO_HELPERS);
        }
        if (only != null) {
            for (String name : only) {
                check(variants.contains(name.trim()), "--variants", name, "is not a variant of this build and model;"
                        + " valid: " + String.join(", ", variants));
            }
            variants.clear();
            for (String name : only) {
                if (!variants.contains(name.trim())) {
                    variants.add(name.trim());
                }
            }
        }
        out.printf(Locale.ROOT, "%s, %d images of %s, batch %d; ND4J build: %s, extension '%s'; %d cores%n",
                model.description(), data.trainSize(), loaded.description(), batch,
                onednn ? "oneDNN" : "no oneDNN", System.getProperty("org.bytedeco.javacpp.platform.extension", ""),
                Runtime.getRuntime().availableProcessors());
        out.flush();
        out.println("DL4J layer helpers of the defaults: " + layerHelpers(data));
        LayerHelpers.enable(true);
        out.println("DL4J layer helpers with " + LAYER_HELPERS + ": " + layerHelpers(data));
        LayerHelpers.enable(false);
        // the defaults first: they take the warm-up measurement
        Map<String, List<Double>> throughput = Stats.interleave(variants, rounds, data.trainSize(),
                variant -> measure(variant, data), out);
        out.printf(Locale.ROOT, "%n%d interleaved rounds; defaults: workspaces ENABLED, no prefetching, NCHW, helpers"
                + " as the build has them%n%n", rounds);
        out.print(Stats.table(throughput, variants.get(0)));
        out.flush();
        return 0;
    }

    /** Seconds to train a fresh network once over the images under {@code variant}. */
    private double measure(String variant, PreparedData data) {
        CNN2DFormat format = variant.equals(NHWC) ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        WorkspaceMode workspaces = variant.equals(NO_WORKSPACES) ? WorkspaceMode.NONE : WorkspaceMode.ENABLED;
        boolean helpers = Nd4j.getEnvironment().helpersAllowed();
        boolean layerHelpers = LayerHelpers.enabled();
        // DL4J picks a layer's helper when the layer is built, so the switches go around building and training.
        Nd4j.getEnvironment().allowHelpers(!variant.equals(NO_HELPERS));
        // the EMA goes on top of what examples/run trains with: the layer helpers where the build has them
        LayerHelpers.enable(variant.equals(LAYER_HELPERS) || (variant.equals(EMA) && LayerHelpers.bridgePresent()));
        try {
            MultiLayerNetwork net = model.build(new Nesterovs(0.01, SchedulePlan.MOMENTUM), 42, DataType.FLOAT,
                    workspaces, data.rows(), data.columns(), DigitSet.CLASSES, format);
            if (variant.equals(EMA)) {
                net.addListeners(WeightAveraging.ema(0.999).build());
            }
            EpochIterator train = EpochIterator.shuffled(data.train(), batch, 42);
            long[] shape = model.featureShape(batch, data.rows(), data.columns(), format);
            if (shape.length == 4) {
                train.setPreProcessor(ds -> ds.setFeatures(ds.getFeatures().reshape('c',
                        ds.getFeatures().size(0), shape[1], shape[2], shape[3])));
            }
            DataSetIterator iterator = variant.equals(PREFETCH) ? new AsyncDataSetIterator(train, 2, true) : train;
            long start = System.nanoTime();
            try {
                net.fit(iterator);
            } finally {
                if (iterator instanceof AsyncDataSetIterator) {
                    ((AsyncDataSetIterator) iterator).shutdown();
                }
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            Nd4j.getEnvironment().allowHelpers(helpers);
            LayerHelpers.enable(layerHelpers);
        }
    }

    /** The helper class each layer of a freshly built network picked ({@code none} where it picked none). */
    private String layerHelpers(PreparedData data) {
        MultiLayerNetwork net = model.build(new Nesterovs(0.01, SchedulePlan.MOMENTUM), 42, DataType.FLOAT,
                WorkspaceMode.ENABLED, data.rows(), data.columns(), DigitSet.CLASSES);
        List<String> helpers = new ArrayList<>();
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
            helpers.add(layer.getHelper() == null ? "none" : layer.getHelper().getClass().getSimpleName());
        }
        return String.join(", ", helpers);
    }

    private void check(boolean ok, String option, Object value, String rule) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " + value
                    + " " + rule);
        }
    }
}
