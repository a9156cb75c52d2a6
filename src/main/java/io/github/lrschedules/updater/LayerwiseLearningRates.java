package io.github.lrschedules.updater;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.Networks;
import io.github.lrschedules.schedule.ScaledSchedule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Per-layer learning rates for fine-tuning: timm's layer-wise decay and fastai's discriminative rates, on a
 * MultiLayerNetwork or ComputationGraph that is already configured (and possibly trained).
 *
 * <pre>
 * decay(net, d):              layer i of L gets d^(L - 1 - i)         (timm param_groups_layer_decay; head: 1)
 * discriminative(net, lo, hi): layer i of n gets lo * (hi/lo)^(i/(n-1)) (fastai even_mults; one layer: hi)
 * </pre>
 *
 * Layers are those with parameters, in topological order ({@link #layers}); in a ComputationGraph the output layers
 * come last and share the head's position. With {@link LayerGroups} the same formulas run over groups instead of
 * layers (fastai's layer groups, timm's blocks): every layer of group {@code g} gets the group's factor.
 *
 * <p>Each factor multiplies the layer's learning rate in place: its updater's schedule (or fixed rate) is wrapped in
 * {@code ScaledSchedule(schedule, factor)}, for weights and biases, so a warmup, cosine or one-cycle schedule keeps
 * running underneath and the factor scales every step. Factors multiply with what is there: applied twice, the
 * squares. The updater state (Adam moments, Nesterov velocity) is kept, moved per parameter into DL4J's new updater
 * blocks (see {@link LearningRates#changeLayers}). The plateau listener later scales every layer by the same factor and
 * keeps the ratios. The factors are part of the configuration: JSON and {@code ModelSerializer} keep them. Frozen
 * layers have no learning rate and are left alone (they keep their position in the depth).
 *
 * <p>Example (a test asserts it): a MultiLayerNetwork of three dense layers, {@code decay(net, 0.5)} gives factors
 * {@code 0.25, 0.5, 1}; {@code discriminative(net, 1e-3, 1e-1)} gives {@code 0.001, 0.01, 0.1}; with
 * {@code Adam(1e-3)} the layers then train at {@code 2.5e-4, 5e-4, 1e-3} and {@code 1e-6, 1e-5, 1e-4}.
 *
 * @see <a href="https://arxiv.org/abs/1801.06146">Howard and Ruder, Universal Language Model Fine-tuning (2018):
 *      discriminative fine-tuning</a>
 * @see <a href="https://arxiv.org/abs/2106.08254">Bao et al., BEiT (2021): layer-wise learning-rate decay</a>
 */
public final class LayerwiseLearningRates {

    private LayerwiseLearningRates() {
    }

    /**
     * The keys of the layers with parameters, in the order the factors follow: topological order, and in a
     * ComputationGraph the output layers last. A key is the prefix of the layer's parameter keys ({@code "0"} in a
     * MultiLayerNetwork, the vertex name in a ComputationGraph).
     */
    public static List<String> layers(Model net) {
        Networks.require("net", net);
        List<String> result = new ArrayList<>();
        if (net instanceof MultiLayerNetwork) {
            for (Layer layer : ((MultiLayerNetwork) net).getLayers()) {
                if (layer.numParams() > 0) {
                    result.add(String.valueOf(layer.getIndex()));
                }
            }
            return result;
        }
        ComputationGraph graph = (ComputationGraph) net;
        List<String> outputs = graph.getConfiguration().getNetworkOutputs();
        List<String> heads = new ArrayList<>();
        GraphVertex[] vertices = graph.getVertices();
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex vertex = vertices[index];
            if (vertex.hasLayer() && vertex.getLayer().numParams() > 0) {
                (outputs.contains(vertex.getVertexName()) ? heads : result).add(vertex.getVertexName());
            }
        }
        result.addAll(heads);
        return result;
    }

    /** Number of output layers with parameters at the end of {@link #layers}: they share the head's position. */
    private static int headCount(Model net, List<String> layers) {
        if (net instanceof MultiLayerNetwork) {
            return 1;
        }
        List<String> outputs = ((ComputationGraph) net).getConfiguration().getNetworkOutputs();
        int heads = 0;
        for (int i = layers.size() - 1; i >= 0 && outputs.contains(layers.get(i)); i--) {
            heads++;
        }
        return Math.max(heads, 1);
    }

    /**
     * timm's layer-wise decay: the layer at position {@code i} of {@code L} gets {@code decay^(L - 1 - i)}, the head 1.
     *
     * @param decay the factor per layer from the head down, &gt; 0 and finite (timm's {@code layer_decay}, often 0.65
     *              to 0.85)
     * @return the factors applied
     */
    public static LayerFactors decay(Model net, double decay) {
        Args.positive("decay", decay);
        return applyByPosition(net, decayFactors(positions(net), decay));
    }

    /** {@link #decay(Model, double)} over groups: group {@code g} of {@code G} gets {@code decay^(G - 1 - g)}. */
    public static LayerFactors decay(Model net, double decay, LayerGroups groups) {
        Args.positive("decay", decay);
        Args.notNull("groups", groups);
        return applyByGroup(net, groups, decayFactors(groups.size(), decay));
    }

    /**
     * fastai's discriminative rates ({@code slice(low, high)} spread by {@code even_mults}) as factors: the layer at
     * position {@code i} of {@code n} gets {@code low * (high/low)^(i/(n-1))}; a single layer gets {@code high}. With a
     * base rate of 1 ({@code Adam(1.0)}, or a schedule peaking at 1) the factors are the rates themselves; usually they
     * multiply a schedule's rate, for example {@code discriminative(net, 0.01, 1)} for a base rate spread over two
     * decades.
     *
     * @param low  the factor of the first layer, &gt; 0 and finite
     * @param high the factor of the head, &gt; 0 and finite
     */
    public static LayerFactors discriminative(Model net, double low, double high) {
        Args.positive("low", low);
        Args.positive("high", high);
        return applyByPosition(net, evenMults(positions(net), low, high));
    }

    /** {@link #discriminative(Model, double, double)} over groups: group {@code g} gets the g-th factor. */
    public static LayerFactors discriminative(Model net, double low, double high, LayerGroups groups) {
        Args.positive("low", low);
        Args.positive("high", high);
        Args.notNull("groups", groups);
        return applyByGroup(net, groups, evenMults(groups.size(), low, high));
    }

    /**
     * Explicit factors by layer key (layers not named keep their rate). The result lists the layers whose rate was
     * scaled: a frozen layer (no learning rate) is left out.
     *
     * @throws IllegalArgumentException for an unknown layer or a factor that is not &gt; 0 and finite
     */
    public static LayerFactors apply(Model net, Map<String, Double> factors) {
        Networks.require("net", net);
        Args.notNull("factors", factors);
        List<String> layers = layers(net);
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : factors.entrySet()) {
            if (!layers.contains(e.getKey())) {
                throw new IllegalArgumentException("layer \"" + e.getKey() + "\" is not a layer with parameters of the"
                        + " network; those are " + layers);
            }
            Args.positive("factors[" + e.getKey() + "]", Args.notNull("factors[" + e.getKey() + "]", e.getValue()));
        }
        Map<String, Layer> byKey = new LinkedHashMap<>();
        for (Layer layer : Networks.layers(net)) {
            byKey.put(LearningRates.layerKey(net, layer), layer);
        }
        for (String layer : layers) {
            if (factors.containsKey(layer) && hasLearningRate(byKey.get(layer))) {
                ordered.put(layer, factors.get(layer));
            }
        }
        Map<String, UnaryOperator<ISchedule>> changes = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : ordered.entrySet()) {
            double factor = e.getValue();
            changes.put(e.getKey(), schedule -> new ScaledSchedule(schedule, factor));
        }
        LearningRates.changeLayers(net, changes);
        return new LayerFactors(ordered);
    }

    /** False for a frozen layer or one trained with NoOp: nothing to scale. */
    private static boolean hasLearningRate(Layer layer) {
        for (String param : layer.paramTable(false).keySet()) {
            IUpdater updater = Networks.updater(layer, param);
            if (updater != null && updater.hasLearningRate()) {
                return true;
            }
        }
        return false;
    }

    /** The number of depth positions: the layers, with the output layers of a graph counted once. */
    private static int positions(Model net) {
        List<String> layers = layers(net);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("net has no layer with parameters");
        }
        return layers.size() - headCount(net, layers) + 1;
    }

    private static LayerFactors applyByPosition(Model net, double[] byPosition) {
        List<String> layers = layers(net);
        Map<String, Double> factors = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            factors.put(layers.get(i), byPosition[Math.min(i, byPosition.length - 1)]);
        }
        return apply(net, factors);
    }

    private static LayerFactors applyByGroup(Model net, LayerGroups groups, double[] byGroup) {
        List<List<String>> resolved = groups.resolve(layers(Networks.require("net", net)));
        Map<String, Double> factors = new LinkedHashMap<>();
        for (int g = 0; g < resolved.size(); g++) {
            for (String layer : resolved.get(g)) {
                factors.put(layer, byGroup[g]);
            }
        }
        return apply(net, factors);
    }

    /** timm's scales: {@code decay^(n - 1 - i)} for {@code i = 0..n-1}. */
    static double[] decayFactors(int n, double decay) {
        double[] factors = new double[n];
        for (int i = 0; i < n; i++) {
            factors[i] = Math.pow(decay, n - 1 - i);
        }
        return factors;
    }

    /** fastai's {@code even_mults(low, high, n)}: {@code low * (high/low)^(i/(n-1))}; {@code n = 1}: {@code high}. */
    static double[] evenMults(int n, double low, double high) {
        if (n == 1) {
            return new double[]{high};
        }
        double step = Math.pow(high / low, 1.0 / (n - 1));
        double[] factors = new double[n];
        for (int i = 0; i < n; i++) {
            factors[i] = low * Math.pow(step, i);
        }
        return factors;
    }
}
