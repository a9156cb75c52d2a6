package io.github.lrschedules.lrfree;

import io.github.lrschedules.internal.Networks;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * What a network trained with {@link Prodigy}, {@link DAdaptAdam} or {@link Dog} needs beside the updater
 * ({@link #attach}), and the step sizes they estimated.
 *
 * <pre>
 * net.setListeners(new ScoreIterationListener(10));
 * LearningRateFree.attach(net);                                  // after setListeners, which replaces listeners
 * net.fit(trainIterator, 10);
 * double d = LearningRateFree.estimatedStepSize(net);             // the d (or DoG's eta) the last step used
 * </pre>
 *
 * <p>Estimates are per DL4J updater block: parameters next to each other with equal updater configurations share a
 * block, so one configuration for the whole network gives one estimate over all its parameters (optax's estimate over
 * the whole parameter tree). Layers or biases with their own configuration form their own blocks, each with its own
 * estimate, as one optax optimizer per group of {@code optax.partition} (and the {@code split_groups} option of later
 * Prodigy versions). The maps below are keyed by the block's first parameter as DL4J's {@code StatsListener} and
 * the {@code LearningRateRecorder} name it: {@code "0_W"} (layer index) for a MultiLayerNetwork,
 * {@code "<layerName>_W"} for a ComputationGraph; in the network's order.
 */
public final class LearningRateFree {

    private LearningRateFree() {
    }

    /**
     * Gives {@code net} what {@link Prodigy}, {@link Dog} and {@link DAdaptAdam} with weight decay need: a listener
     * that, before each step, hands every learning-rate-free updater block its current parameters (DL4J passes
     * updaters the gradient only). The first step stores them as {@code x0} in the updater state; later steps read
     * {@code x - x0} from the real parameters, so it stays exact when DL4J changes them outside the updater. Idempotent;
     * harmless for every other configuration; needed again after {@code clone()} or a restore (listeners are not
     * saved, the state with {@code x0} is). Call it after {@code setListeners}, which replaces the listeners.
     * {@code ScheduleFree.attach(net)} calls it too.
     *
     * @throws IllegalArgumentException for a network that is neither a MultiLayerNetwork nor a ComputationGraph
     */
    public static void attach(Model net) {
        if (!isAttached(net)) {
            net.addListeners(new ParameterListener());
        }
    }

    /**
     * A new instance of the listener {@link #attach} adds (serializable), for training loops that build the network
     * elsewhere: DL4J's Spark workers train copies of the driver's network, and {@code SparkTrainingLoop} ships this
     * listener to them by itself when the network has a learning-rate-free block.
     */
    public static TrainingListener parameterListener() {
        return new ParameterListener();
    }

    /** True if {@code listener} is the one {@link #attach} adds. */
    public static boolean isParameterListener(TrainingListener listener) {
        return listener instanceof ParameterListener;
    }

    /** True if some updater block of {@code net} is {@link Prodigy}, {@link DAdaptAdam} or {@link Dog}. */
    public static boolean usesLearningRateFree(Model net) {
        return !blocks(net).isEmpty();
    }

    /** True if {@link #attach} has added its listener to {@code net}. */
    public static boolean isAttached(Model net) {
        Collection<TrainingListener> listeners = Networks.of(Networks.require("net", net)).listeners();
        return listeners != null && listeners.stream().anyMatch(l -> l instanceof ParameterListener);
    }

    /**
     * The step size the last step of the block used: {@code d} for {@link Prodigy} and {@link DAdaptAdam},
     * {@code eta} for {@link Dog}, before the learning rate multiplies it. NaN before the first step.
     *
     * @param updaterStateView the block's slice of the updater state view ({@code UpdaterBlock.getUpdaterView()})
     */
    public static double estimatedStepSize(INDArray updaterStateView) {
        return scalar(updaterStateView, LearningRateFreeUpdater.LAST_STEP_SIZE);
    }

    /**
     * The learning rate the last step of the block effectively applied: {@code d * lr(t)} ({@link Prodigy},
     * {@link DAdaptAdam}) or {@code eta * lr(t)} ({@link Dog}), with {@code t} that step. NaN before the first step.
     *
     * @param updaterStateView the block's slice of the updater state view ({@code UpdaterBlock.getUpdaterView()})
     */
    public static double effectiveLearningRate(INDArray updaterStateView) {
        return scalar(updaterStateView, LearningRateFreeUpdater.LAST_EFFECTIVE_RATE);
    }

    private static double scalar(INDArray view, int index) {
        if (view == null || view.length() < LearningRateFreeUpdater.SCALARS) {
            throw new IllegalArgumentException("updaterStateView must be the state view of a learning-rate-free block,"
                    + " got " + (view == null ? "null" : view.length() + " values"));
        }
        INDArray flat = LearningRateFreeUpdater.flat(view);
        return flat.getDouble(LearningRateFreeUpdater.STEP) == 0 ? Double.NaN : flat.getDouble(index);
    }

    /** {@link #estimatedStepSize(INDArray)} of every learning-rate-free block of {@code net}, by first parameter. */
    public static Map<String, Double> estimatedStepSizes(Model net) {
        Map<String, Double> result = new LinkedHashMap<>();
        for (Block b : blocks(net)) {
            result.put(b.key, estimatedStepSize(b.block.getUpdaterView()));
        }
        return Collections.unmodifiableMap(result);
    }

    /** {@link #effectiveLearningRate(INDArray)} of every learning-rate-free block of {@code net}, by first parameter. */
    public static Map<String, Double> effectiveLearningRates(Model net) {
        Map<String, Double> result = new LinkedHashMap<>();
        for (Block b : blocks(net)) {
            result.put(b.key, effectiveLearningRate(b.block.getUpdaterView()));
        }
        return Collections.unmodifiableMap(result);
    }

    /**
     * {@link #effectiveLearningRate(INDArray)} for every parameter of every learning-rate-free block of {@code net},
     * by parameter key ({@code "0_W"}, {@code "<layerName>_W"}): what {@code LearningRateRecorder} records for them.
     */
    public static Map<String, Double> effectiveLearningRatesByParameter(Model net) {
        Networks.Net adapter = Networks.of(Networks.require("net", net));
        Map<String, Double> result = new LinkedHashMap<>();
        for (Block b : blocks(net)) {
            double rate = effectiveLearningRate(b.block.getUpdaterView());
            for (UpdaterBlock.ParamState p : b.block.getLayersAndVariablesInBlock()) {
                String layer = adapter.isGraph() ? p.getLayer().getConfig().getLayerName()
                        : String.valueOf(((Layer) p.getLayer()).getIndex());
                result.put(layer + "_" + p.getParamName(), rate);
            }
        }
        return result;
    }

    /** True if {@code updater} is one of the learning-rate-free configurations (Prodigy, DAdaptAdam, Dog). */
    public static boolean isLearningRateFree(IUpdater updater) {
        return updater instanceof Prodigy || updater instanceof DAdaptAdam || updater instanceof Dog;
    }

    /**
     * The step size the last step used, for a network with one learning-rate-free block (one updater configuration
     * for the whole network); see {@link #estimatedStepSize(INDArray)}.
     *
     * @throws IllegalStateException if {@code net} has no such block or several (then use {@link #estimatedStepSizes})
     */
    public static double estimatedStepSize(Model net) {
        Map<String, Double> all = estimatedStepSizes(net);
        if (all.size() != 1) {
            throw new IllegalStateException("net has " + all.size() + " learning-rate-free updater blocks "
                    + all.keySet() + ", one expected: use LearningRateFree.estimatedStepSizes(net) for one estimate"
                    + " per block");
        }
        return all.values().iterator().next();
    }

    /** One learning-rate-free updater block: DL4J's block, its parameters and its key. */
    private static final class Block {
        final UpdaterBlock block;
        final INDArray params;
        final String key;

        Block(UpdaterBlock block, INDArray params, String key) {
            this.block = block;
            this.params = params;
            this.key = key;
        }

        LearningRateFreeUpdater updater() {
            if (block.getGradientUpdater() == null) {
                block.init();
            }
            return (LearningRateFreeUpdater) block.getGradientUpdater();
        }
    }

    private static List<Block> blocks(Model net) {
        Networks.Net adapter = Networks.of(Networks.require("net", net));
        boolean graph = adapter.isGraph();
        BaseMultiLayerUpdater<?> updater = adapter.updater();
        INDArray params = LearningRateFreeUpdater.flat(net.params());
        List<Block> result = new ArrayList<>();
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            UpdaterBlock.ParamState first = block.getLayersAndVariablesInBlock().get(0);
            IUpdater config = first.getLayer().getConfig().getUpdaterByParam(first.getParamName());
            if (!isLearningRateFree(config)) {
                continue;
            }
            INDArray blockParams = params.get(NDArrayIndex.interval(block.getParamOffsetStart(),
                    block.getParamOffsetEnd()));
            String layer = graph ? first.getLayer().getConfig().getLayerName()
                    : String.valueOf(((Layer) first.getLayer()).getIndex());
            result.add(new Block(block, blockParams, layer + "_" + first.getParamName()));
        }
        return result;
    }

    /** The listener {@link #attach} adds: hands each learning-rate-free block its parameters before the updater runs. */
    static final class ParameterListener extends BaseTrainingListener implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public void onGradientCalculation(Model model) {
            for (Block b : blocks(model)) {
                GradientUpdater<?> u = b.updater();
                if (u instanceof LearningRateFreeUpdater && ((LearningRateFreeUpdater) u).needsParameters()) {
                    ((LearningRateFreeUpdater) u).parameters(b.params);
                }
            }
        }
    }
}
