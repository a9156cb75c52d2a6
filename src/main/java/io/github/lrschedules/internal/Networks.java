package io.github.lrschedules.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The one adapter over the two network classes of DL4J, {@code MultiLayerNetwork} and {@code ComputationGraph}:
 * {@link #of(Model)} checks the class once, with the library's one message, and the {@link Net} it returns answers
 * what the listeners, the finder and schedule-free need. The Spark module's {@code SparkNet} is the same idea for the
 * Spark wrappers.
 */
public final class Networks {

    private Networks() {
    }

    /** What the library needs of a network, whichever of DL4J's two classes it is. */
    public interface Net {
        Model model();

        /** True for a ComputationGraph. */
        boolean isGraph();

        Layer[] layers();

        int iterationCount();

        int epochCount();

        /** The network's listeners (may be null before any was set). */
        Collection<TrainingListener> listeners();

        /** The network's updater, created if it has none yet. */
        BaseMultiLayerUpdater<?> updater();

        /**
         * Rebuilds the network's updater around its existing state view (moments, velocity carry over), so that it
         * uses the layers' current updater configurations; nothing if the network has no updater yet.
         */
        void rebuildUpdater();

        /** One mini-batch step. */
        void fit(DataSet batch);

        /** The loss on {@code batch} without regularization terms. */
        double loss(DataSet batch);

        Evaluation evaluate(DataSetIterator data);

        /** The key of {@code param} of {@code layer}: {@code "0_W"}, or {@code "<layerName>_W"} in a graph. */
        default String parameterKey(Layer layer, String param) {
            return layerKey(layer) + "_" + param;
        }

        /** The key of {@code layer}: its index in a MultiLayerNetwork, its vertex name in a ComputationGraph. */
        String layerKey(Layer layer);

        /** The network's updater, or null if it has none yet. */
        BaseMultiLayerUpdater<?> existingUpdater();

        /** Replaces the network's updater. */
        void setUpdater(BaseMultiLayerUpdater<?> updater);

        /** A new updater for the network's current configurations, around {@code stateView} (null: a new view). */
        BaseMultiLayerUpdater<?> newUpdater(INDArray stateView);
    }

    /**
     * {@code model} as a {@link Net}.
     *
     * @throws IllegalArgumentException naming the class received for anything but the two network classes
     */
    public static Net of(Model model) {
        if (model instanceof MultiLayerNetwork) {
            return new MultiLayer((MultiLayerNetwork) model);
        }
        if (model instanceof ComputationGraph) {
            return new Graph((ComputationGraph) model);
        }
        throw unsupported("model", model);
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

    /** The layers of {@code model} (no allocation: listeners call it every iteration). */
    public static Layer[] layers(Model model) {
        if (model instanceof MultiLayerNetwork) {
            return ((MultiLayerNetwork) model).getLayers();
        }
        return asNetworkGraph(model).getLayers();
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

    /** The iteration count of {@code model} (no allocation: listeners call it every iteration). */
    public static int iterationCount(Model model) {
        return model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getIterationCount()
                : asNetworkGraph(model).getIterationCount();
    }

    /** The epoch count of {@code model} (no allocation). */
    public static int epochCount(Model model) {
        return model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getEpochCount()
                : asNetworkGraph(model).getEpochCount();
    }

    /** {@code model} as a ComputationGraph; for anything but the two network classes the library's one message. */
    private static ComputationGraph asNetworkGraph(Model model) {
        if (model instanceof ComputationGraph) {
            return (ComputationGraph) model;
        }
        throw unsupported("model", model);
    }

    /** {@code model} as a ComputationGraph, or an IllegalArgumentException naming its class. */
    public static ComputationGraph asGraph(Model model) {
        if (model instanceof ComputationGraph) {
            return (ComputationGraph) model;
        }
        throw new IllegalArgumentException("model must be a ComputationGraph, not "
                + (model == null ? "null" : model.getClass().getName()));
    }

    private static final class MultiLayer implements Net {
        private final MultiLayerNetwork net;

        MultiLayer(MultiLayerNetwork net) {
            this.net = net;
        }

        public Model model() {
            return net;
        }

        public boolean isGraph() {
            return false;
        }

        public Layer[] layers() {
            return net.getLayers();
        }

        public int iterationCount() {
            return net.getIterationCount();
        }

        public int epochCount() {
            return net.getEpochCount();
        }

        public Collection<TrainingListener> listeners() {
            return net.getListeners();
        }

        public BaseMultiLayerUpdater<?> updater() {
            return (BaseMultiLayerUpdater<?>) net.getUpdater(true);
        }

        public void rebuildUpdater() {
            org.deeplearning4j.nn.api.Updater updater = net.getUpdater(false);
            if (updater != null) {
                INDArray state = updater.getStateViewArray();
                net.setUpdater(new MultiLayerUpdater(net, state));
            }
        }

        public void fit(DataSet batch) {
            net.fit(batch);
        }

        public double loss(DataSet batch) {
            return net.score((org.nd4j.linalg.dataset.DataSet) batch, false);
        }

        public Evaluation evaluate(DataSetIterator data) {
            return net.evaluate(data);
        }

        public String layerKey(Layer layer) {
            return String.valueOf(layer.getIndex());
        }

        public BaseMultiLayerUpdater<?> existingUpdater() {
            return (BaseMultiLayerUpdater<?>) net.getUpdater(false);
        }

        public void setUpdater(BaseMultiLayerUpdater<?> updater) {
            net.setUpdater((MultiLayerUpdater) updater);
        }

        public BaseMultiLayerUpdater<?> newUpdater(INDArray stateView) {
            return stateView == null ? new MultiLayerUpdater(net) : new MultiLayerUpdater(net, stateView);
        }
    }

    private static final class Graph implements Net {
        private final ComputationGraph graph;

        Graph(ComputationGraph graph) {
            this.graph = graph;
        }

        public Model model() {
            return graph;
        }

        public boolean isGraph() {
            return true;
        }

        public Layer[] layers() {
            return graph.getLayers();
        }

        public int iterationCount() {
            return graph.getIterationCount();
        }

        public int epochCount() {
            return graph.getEpochCount();
        }

        public Collection<TrainingListener> listeners() {
            return graph.getListeners();
        }

        public BaseMultiLayerUpdater<?> updater() {
            return graph.getUpdater(true);
        }

        public void rebuildUpdater() {
            ComputationGraphUpdater updater = graph.getUpdater(false);
            if (updater != null) {
                INDArray state = updater.getStateViewArray();
                graph.setUpdater(new ComputationGraphUpdater(graph, state));
            }
        }

        public void fit(DataSet batch) {
            graph.fit(batch);
        }

        public double loss(DataSet batch) {
            return graph.score(batch, false);
        }

        public Evaluation evaluate(DataSetIterator data) {
            return graph.evaluate(data);
        }

        public String layerKey(Layer layer) {
            return layer.conf().getLayer().getLayerName();
        }

        public BaseMultiLayerUpdater<?> existingUpdater() {
            return graph.getUpdater(false);
        }

        public void setUpdater(BaseMultiLayerUpdater<?> updater) {
            graph.setUpdater((ComputationGraphUpdater) updater);
        }

        public BaseMultiLayerUpdater<?> newUpdater(INDArray stateView) {
            return stateView == null ? new ComputationGraphUpdater(graph) : new ComputationGraphUpdater(graph, stateView);
        }
    }
}
