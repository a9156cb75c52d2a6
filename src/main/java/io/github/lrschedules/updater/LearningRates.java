package io.github.lrschedules.updater;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.Networks;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Changes the learning rate of a network in place, on every updater configuration that has one (weights and biases
 * of every layer, layers with their own updater too, as {@link Networks#learningRateUpdaters} finds them), without
 * touching the updater state (Adam moments, Nesterov velocity). Internal: shared by the plateau listener and the LR
 * finder, not part of the public API.
 *
 * <p>{@code setLearningRate(double|ISchedule)} of DL4J drops schedules, flattens per-layer differences and ignores
 * bias updaters; {@link #change} instead sets a schedule on each configuration itself. Example: a network with
 * {@code Sgd(0.1)} on its weights and {@code Sgd(0.05)} on its biases, after
 * {@code change(net, s -> new ScaledSchedule(s, 0.5))}, trains with {@code ScaledSchedule(FixedSchedule(0.1), 0.5)}
 * = 0.05 and {@code ScaledSchedule(FixedSchedule(0.05), 0.5)} = 0.025.
 */
public final class LearningRates {

    private LearningRates() {
    }

    /**
     * Replaces the learning-rate schedule of every updater configuration of {@code model} that has one by
     * {@code change.apply(current)}, where {@code current} is the updater's schedule or, for a fixed learning rate,
     * a {@code FixedSchedule} of it. First gives the model its own copies of its updater configurations (see
     * {@link #ownConfigurations}), so that a network sharing them with this one keeps its rate. The plateau listener
     * wraps each schedule in a {@code ScaledSchedule}; the LR finder puts its ramp in place of all of them.
     *
     * @return the updater configurations now in use, after the change (empty: the model has no learning rate,
     *         NoOp or AdaDelta only)
     */
    public static List<IUpdater> change(Model model, UnaryOperator<ISchedule> change) {
        Args.notNull("change", change);
        ownConfigurations(model);
        List<IUpdater> updaters = Networks.learningRateUpdaters(model);
        for (IUpdater updater : updaters) {
            change(updater, change);
        }
        return updaters;
    }

    /**
     * Replaces the learning-rate schedule of one updater configuration in place by {@code change.apply(current)}
     * ({@code current}: its schedule, or a {@code FixedSchedule} of its fixed rate), keeping the fixed rate. Every
     * updater built from this configuration uses the new schedule from its next step on: how a SameDiff graph's
     * {@code TrainingConfig} updater is changed during training.
     */
    public static void change(IUpdater updater, UnaryOperator<ISchedule> change) {
        Args.notNull("updater", updater);
        Args.notNull("change", change);
        ISchedule schedule = scheduleOf(updater);
        double fixedRate = fixedRateOf(updater);
        ISchedule changed = change.apply(schedule != null ? schedule : new FixedSchedule(fixedRate));
        updater.setLrAndSchedule(fixedRate, Args.schedule("the changed schedule", changed));
    }

    /**
     * Changes the learning rate of some layers only: {@code changes} maps a layer (by its key, the prefix of its
     * parameter keys: {@code "0"} in a MultiLayerNetwork, the vertex name in a ComputationGraph) to the change of its
     * schedule, applied as in {@link #change} to the updater configurations of that layer's weights and biases. Each
     * changed layer first gets its own copies of its configurations. Layers whose configurations then differ train in
     * separate DL4J updater blocks; the updater state (Adam moments, Nesterov velocity) moves with each parameter into
     * the new layout, so training continues as if the rates had been set this way from the start. Layers without a
     * learning rate (frozen, NoOp) are left as they are.
     *
     * @return the updater configurations changed (empty when no layer had a learning rate)
     * @throws IllegalArgumentException for an unknown layer key
     * @throws IllegalStateException    when the new layout splits a block whose updater keeps state that is not
     *                                  one array per parameter (schedule-free); the network is then left unchanged
     */
    public static List<IUpdater> changeLayers(Model model, Map<String, UnaryOperator<ISchedule>> changes) {
        Args.notNull("changes", changes);
        Map<String, Layer> layers = new HashMap<>();
        for (Layer layer : Networks.layers(model)) {
            layers.put(layerKey(model, layer), layer);
        }
        for (String key : changes.keySet()) {
            if (!layers.containsKey(key)) {
                throw new IllegalArgumentException("layer \"" + key
                        + "\" is not a layer of the network; its layers are " + layers.keySet());
            }
        }
        BaseMultiLayerUpdater<?> before = updaterOf(model);
        List<List<String>> layoutBefore = before == null ? null : layout(before);
        Map<String, Map<String, INDArray>> stateBefore = before == null ? null : stateByParameter(before);
        Map<BaseLayer, IUpdater[]> originals = new IdentityHashMap<>();
        List<IUpdater> changed = new ArrayList<>();
        try {
            for (Map.Entry<String, UnaryOperator<ISchedule>> entry : changes.entrySet()) {
                Layer layer = layers.get(entry.getKey());
                org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
                if (!(conf instanceof BaseLayer)) {
                    continue;
                }
                BaseLayer base = (BaseLayer) conf;
                originals.put(base, new IUpdater[]{base.getIUpdater(), base.getBiasUpdater()});
                Map<IUpdater, IUpdater> copies = new IdentityHashMap<>();
                if (base.getIUpdater() != null) {
                    base.setIUpdater(copies.computeIfAbsent(base.getIUpdater(), IUpdater::clone));
                }
                if (base.getBiasUpdater() != null) {
                    base.setBiasUpdater(copies.computeIfAbsent(base.getBiasUpdater(), IUpdater::clone));
                }
                for (IUpdater copy : copies.values()) {
                    if (copy.hasLearningRate()) {
                        change(copy, entry.getValue());
                        changed.add(copy);
                    }
                }
            }
            if (before != null) {
                rebuildUpdater(model, layoutBefore, stateBefore, before.getStateViewArray());
            }
        } catch (RuntimeException e) {
            for (Map.Entry<BaseLayer, IUpdater[]> original : originals.entrySet()) {
                original.getKey().setIUpdater(original.getValue()[0]);
                original.getKey().setBiasUpdater(original.getValue()[1]);
            }
            if (before != null) {
                setUpdater(model, before);
            }
            throw e;
        }
        return changed;
    }

    /** The key of a layer: the prefix of its parameter keys (MultiLayerNetwork index, ComputationGraph vertex name). */
    static String layerKey(Model model, Layer layer) {
        return Networks.of(model).layerKey(layer);
    }

    private static BaseMultiLayerUpdater<?> updaterOf(Model model) {
        return Networks.of(model).existingUpdater();
    }

    private static void setUpdater(Model model, BaseMultiLayerUpdater<?> updater) {
        Networks.of(model).setUpdater(updater);
    }

    /** Which parameters train together, block by block: {@code "layerKey_param"} lists. */
    private static List<List<String>> layout(BaseMultiLayerUpdater<?> updater) {
        List<List<String>> blocks = new ArrayList<>();
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            List<String> params = new ArrayList<>();
            for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                params.add(paramKey(p));
            }
            blocks.add(params);
        }
        return blocks;
    }

    /**
     * Copies of each parameter's updater state, by parameter and state array name ({@code "M"}, {@code "V"} for
     * Adam); null values for blocks whose state is not one array per parameter.
     */
    private static Map<String, Map<String, INDArray>> stateByParameter(BaseMultiLayerUpdater<?> updater) {
        Map<String, Map<String, INDArray>> result = new HashMap<>();
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            Map<String, INDArray> state = block.getGradientUpdater() == null ? null
                    : block.getGradientUpdater().getState();
            long n = block.getParamOffsetEnd() - block.getParamOffsetStart();
            boolean separable = state != null && state.values().stream().allMatch(a -> a != null && a.length() == n);
            for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                String key = paramKey(p);
                if (!separable) {
                    result.put(key, null);
                    continue;
                }
                Map<String, INDArray> arrays = new HashMap<>();
                for (Map.Entry<String, INDArray> e : state.entrySet()) {
                    arrays.put(e.getKey(), slice(block, p, e.getValue()).dup());
                }
                result.put(key, arrays);
            }
        }
        return result;
    }

    /**
     * A parameter, unique in its network: the layer's index (MultiLayerNetwork) or vertex name (ComputationGraph, whose
     * blocks hold the layer vertices) and the parameter's name.
     */
    private static String paramKey(UpdaterBlock.ParamState p) {
        Object layer = p.getLayer();
        String id = layer instanceof Layer ? String.valueOf(((Layer) layer).getIndex())
                : p.getLayer().getConfig().getLayerName();
        return id + "_" + p.getParamName();
    }

    private static INDArray slice(UpdaterBlock block, UpdaterBlock.ParamState p, INDArray blockArray) {
        INDArray flat = blockArray.rank() == 1 ? blockArray : blockArray.reshape(blockArray.length());
        long start = p.getParamOffsetStart() - block.getParamOffsetStart();
        return flat.get(NDArrayIndex.interval(start, start + p.getParamOffsetEnd() - p.getParamOffsetStart()));
    }

    /**
     * A new updater for the model's current configurations: around the old state view when the blocks are the same,
     * else around a fresh view into which each parameter's state is copied.
     */
    private static void rebuildUpdater(Model model, List<List<String>> layoutBefore,
                                       Map<String, Map<String, INDArray>> stateBefore, INDArray viewBefore) {
        BaseMultiLayerUpdater<?> fresh = Networks.of(model).newUpdater(null);
        if (layout(fresh).equals(layoutBefore)) {
            setUpdater(model, Networks.of(model).newUpdater(viewBefore));
            return;
        }
        for (UpdaterBlock block : fresh.getUpdaterBlocks()) {
            Map<String, INDArray> state = block.getGradientUpdater() == null ? null
                    : block.getGradientUpdater().getState();
            if (state == null || state.isEmpty()) {
                continue;
            }
            for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                String key = paramKey(p);
                Map<String, INDArray> old = stateBefore.get(key);
                if (old == null || !old.keySet().equals(state.keySet())) {
                    throw new IllegalStateException("cannot move the updater state of parameter " + key + " ("
                            + p.getLayer().getConfig().getUpdaterByParam(p.getParamName()) + ") into the new layout:"
                            + " its updater keeps state that is not one array per parameter; give the layers"
                            + " different rates before training starts, or the same rate");
                }
                for (Map.Entry<String, INDArray> e : state.entrySet()) {
                    slice(block, p, e.getValue()).assign(old.get(e.getKey()));
                }
            }
        }
        setUpdater(model, fresh);
    }

    /** The largest learning rate among {@code updaters} at the given step (0 for none). */
    public static double max(List<IUpdater> updaters, int iteration, int epoch) {
        double max = 0;
        for (IUpdater updater : updaters) {
            max = Math.max(max, updater.getLearningRate(iteration, epoch));
        }
        return max;
    }

    /** The updater's learning-rate schedule, or null for a fixed learning rate. */
    public static ISchedule scheduleOf(IUpdater updater) {
        try {
            Method getter = updater.getClass().getMethod("getLearningRateSchedule");
            return (ISchedule) getter.invoke(updater);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("cannot read the learning-rate schedule of " + updater.getClass().getName()
                    + ": it has no getLearningRateSchedule()", e);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read the learning-rate schedule of " + updater, e);
        }
    }

    /** The updater's fixed learning rate (used by DL4J when it has no schedule). */
    private static double fixedRateOf(IUpdater updater) {
        try {
            return (double) updater.getClass().getMethod("getLearningRate").invoke(updater);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return updater.getLearningRate(0, 0);
        }
    }

    /**
     * Replaces the updater configurations of the model's layers by copies (one copy per shared instance, so
     * sharing inside the model stays) and rebuilds the model's updater around its existing state, so that the
     * running updaters use the copies and the state (moments, velocity) carries over. Needed before every change: a
     * {@code clone()}, a TransferLearning copy or a model saver's snapshot shares the configurations.
     */
    public static void ownConfigurations(Model model) {
        Map<IUpdater, IUpdater> copies = new IdentityHashMap<>();
        for (Layer layer : Networks.layers(model)) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            if (conf instanceof BaseLayer) {
                BaseLayer base = (BaseLayer) conf;
                if (base.getIUpdater() != null) {
                    base.setIUpdater(copies.computeIfAbsent(base.getIUpdater(), IUpdater::clone));
                }
                if (base.getBiasUpdater() != null) {
                    base.setBiasUpdater(copies.computeIfAbsent(base.getBiasUpdater(), IUpdater::clone));
                }
            }
        }
        Networks.of(model).rebuildUpdater();
    }
}
