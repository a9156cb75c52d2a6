package io.github.lrschedules.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.config.IUpdater;

/** What the listeners need to know of a {@code MultiLayerNetwork} or {@code ComputationGraph}. */
public final class Networks {

    private Networks() {
    }

    /**
     * {@code model}, checked to be a MultiLayerNetwork or a ComputationGraph: the one check and message of the
     * library for the networks it supports.
     *
     * @throws IllegalArgumentException naming {@code name} and the class received otherwise
     */
    public static <M extends Model> M require(String name, M model) {
        if (!(model instanceof MultiLayerNetwork) && !(model instanceof ComputationGraph)) {
            throw unsupported(name, model);
        }
        return model;
    }

    private static IllegalArgumentException unsupported(String name, Model model) {
        return new IllegalArgumentException(name + " must be a MultiLayerNetwork or a ComputationGraph, not "
                + (model == null ? "null" : model.getClass().getName()));
    }

    /**
     * The layers of {@code model}.
     *
     * @throws IllegalArgumentException for a model that is neither a MultiLayerNetwork nor a ComputationGraph
     */
    public static Layer[] layers(Model model) {
        if (model instanceof MultiLayerNetwork) {
            return ((MultiLayerNetwork) model).getLayers();
        }
        if (model instanceof ComputationGraph) {
            return ((ComputationGraph) model).getLayers();
        }
        throw unsupported("model", model);
    }

    /**
     * The updater configuration a parameter is trained with. Read from {@code layer.getConfig()}, the configuration
     * DL4J's updater blocks use: a frozen layer answers NoOp there, while its {@code conf().getLayer()} still holds
     * the (unused) updater of the layer it wraps.
     */
    public static IUpdater updater(Layer layer, String param) {
        TrainingConfig conf = layer.getConfig();
        return conf.getUpdaterByParam(param);
    }

    /** Distinct (by identity) updater configurations with a learning rate: weights and biases of every layer. */
    public static List<IUpdater> learningRateUpdaters(Model model) {
        Set<IUpdater> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<IUpdater> result = new ArrayList<>();
        for (Layer layer : layers(model)) {
            for (String param : layer.paramTable(false).keySet()) {
                IUpdater updater = updater(layer, param);
                if (updater != null && updater.hasLearningRate() && seen.add(updater)) {
                    result.add(updater);
                }
            }
        }
        return result;
    }

    public static int iterationCount(Model model) {
        return model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getIterationCount()
                : asGraph(model).getIterationCount();
    }

    public static int epochCount(Model model) {
        return model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getEpochCount()
                : asGraph(model).getEpochCount();
    }

    /** {@code model} as a ComputationGraph, or an IllegalArgumentException naming its class. */
    public static ComputationGraph asGraph(Model model) {
        if (model instanceof ComputationGraph) {
            return (ComputationGraph) model;
        }
        throw unsupported("model", model);
    }
}
