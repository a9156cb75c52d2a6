package io.github.lrschedules.updater;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.Networks;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.TransferLearning;

/**
 * Freeze and unfreeze in the spirit of fastai's {@code fine_tune}: train the head of a pretrained network first, then
 * everything with discriminative rates. Built on DL4J's {@code TransferLearning} (which wraps layers in
 * {@code FrozenLayer}) and its reverse.
 *
 * <pre>
 * MultiLayerNetwork frozen = FineTuning.freezeBody(pretrained);          // fastai freeze(): only the head trains
 * frozen.fit(data, 1);                                                  // one cycle at the base rate
 * MultiLayerNetwork all = FineTuning.unfreeze(frozen);                  // fastai unfreeze()
 * LayerwiseLearningRates.discriminative(all, 0.01, 1.0);                // slice(base/100, base)
 * all.fit(data, epochs);
 * </pre>
 *
 * Both return new networks with the same parameters. As fastai's {@code freeze_to} clears the optimizer state, and
 * as DL4J's {@code TransferLearning} does, the new network starts with fresh updater state and iteration and epoch
 * counts of 0: a one-cycle or warmup schedule starts its new cycle. Listeners are carried over.
 */
public final class FineTuning {

    private FineTuning() {
    }

    /** fastai's {@code freeze()}: every layer with parameters frozen except the head (the output layers). */
    public static MultiLayerNetwork freezeBody(MultiLayerNetwork net) {
        return freezeTo(net, trainablePositions(net) - 1);
    }

    /** fastai's {@code freeze()} for a graph: every layer frozen except the output layers. */
    public static ComputationGraph freezeBody(ComputationGraph graph) {
        List<String> keys = LayerwiseLearningRates.layers(Networks.require("graph", graph));
        List<String> outputs = graph.getConfiguration().getNetworkOutputs();
        int heads = (int) keys.stream().filter(outputs::contains).count();
        return freezeTo(graph, keys.size() - Math.max(heads, 1));
    }

    private static int trainablePositions(MultiLayerNetwork net) {
        return LayerwiseLearningRates.layers(Networks.require("net", net)).size();
    }

    /**
     * fastai's {@code freeze_to(n)}: the first {@code n} layers of {@link LayerwiseLearningRates#layers} frozen (with
     * the layers without parameters between them), the rest trainable.
     *
     * @param layers how many layers to freeze, from 1 to the number of layers with parameters minus 1
     */
    public static MultiLayerNetwork freezeTo(MultiLayerNetwork net, int layers) {
        List<String> keys = LayerwiseLearningRates.layers(Networks.require("net", net));
        Args.inRange("layers", layers, 1, keys.size() - 1);
        MultiLayerNetwork frozen = new TransferLearning.Builder(net)
                .setFeatureExtractor(Integer.parseInt(keys.get(layers - 1))).build();
        return carryListeners(net, frozen);
    }

    /** {@link #freezeTo(MultiLayerNetwork, int)} for a graph: the first {@code layers} vertices with parameters. */
    public static ComputationGraph freezeTo(ComputationGraph graph, int layers) {
        List<String> keys = LayerwiseLearningRates.layers(Networks.require("graph", graph));
        Args.inRange("layers", layers, 1, keys.size() - 1);
        ComputationGraph frozen = new TransferLearning.GraphBuilder(graph)
                .setFeatureExtractor(keys.subList(0, layers).toArray(new String[0])).build();
        frozen.setListeners(graph.getListeners());
        return frozen;
    }

    /** fastai's {@code unfreeze()}: a network with every frozen layer trainable again, with its own updater. */
    public static MultiLayerNetwork unfreeze(MultiLayerNetwork net) {
        MultiLayerConfiguration conf = Networks.require("net", net).getLayerWiseConfigurations().clone();
        for (NeuralNetConfiguration layer : conf.getConfs()) {
            layer.setLayer(unwrap(layer.getLayer()));
        }
        conf.setIterationCount(0);
        conf.setEpochCount(0);
        MultiLayerNetwork result = new MultiLayerNetwork(conf);
        result.init();
        result.setParams(net.params());
        return carryListeners(net, result);
    }

    /** fastai's {@code unfreeze()} for a graph. */
    public static ComputationGraph unfreeze(ComputationGraph graph) {
        ComputationGraphConfiguration conf = Networks.require("graph", graph).getConfiguration().clone();
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex) {
                NeuralNetConfiguration layer = ((LayerVertex) vertex).getLayerConf();
                layer.setLayer(unwrap(layer.getLayer()));
            }
        }
        conf.setIterationCount(0);
        conf.setEpochCount(0);
        ComputationGraph result = new ComputationGraph(conf);
        result.init();
        result.setParams(graph.params());
        result.setListeners(graph.getListeners());
        return result;
    }

    private static Layer unwrap(Layer layer) {
        Layer inner = layer;
        while (inner instanceof FrozenLayer || inner instanceof FrozenLayerWithBackprop) {
            inner = inner instanceof FrozenLayer ? ((FrozenLayer) inner).getLayer()
                    : ((FrozenLayerWithBackprop) inner).getUnderlying();
        }
        return inner;
    }

    private static MultiLayerNetwork carryListeners(MultiLayerNetwork from, MultiLayerNetwork to) {
        to.setListeners(from.getListeners());
        return to;
    }
}
