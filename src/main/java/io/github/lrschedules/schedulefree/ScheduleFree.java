package io.github.lrschedules.schedulefree;

import io.github.lrschedules.util.Args;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * What a network trained with {@link SgdScheduleFree} or {@link AdamWScheduleFree} needs beside the updater: the
 * evaluation weights {@code x} and, for decoupled weight decay, {@link #attach}.
 *
 * <p>During training the network holds {@code y}, the point where gradients are taken. The model to evaluate,
 * predict with and export is {@code x}, the weighted average:
 *
 * <pre>
 * try (ScheduleFree.EvaluationWeights at = ScheduleFree.evaluationWeights(net)) {
 *     Evaluation eval = net.evaluate(testIterator);              // at x
 *     ModelSerializer.writeModel(net, "inference.zip", false);    // an inference model: x, no updater
 * }                                                             // y is back, bit for bit
 * ModelSerializer.writeModel(net, "checkpoint.zip", true);        // a checkpoint to resume from: outside, at y
 * </pre>
 *
 * Inside the block {@code x = y + (1 - beta) (x_state - z_state)} per parameter, for every updater block that is
 * schedule-free (other blocks, such as BatchNorm's running statistics, are left alone); {@code close()} puts the saved
 * {@code y} back. Save checkpoints for resuming outside the block: a checkpoint saved inside holds {@code x} as its
 * parameters and resumes from the wrong point. Do not train inside the block.
 *
 * <p>BatchNorm: the running mean and variance were gathered at {@code y}. Inside the block,
 * {@link EvaluationWeights#recomputeBatchNormStatistics} recomputes them at {@code x} as exact averages over an
 * iterator (training-mode forward passes, as the authors recommend); {@code close()} restores the old statistics too.
 */
public final class ScheduleFree {

    private static final Set<Model> OPEN = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    private ScheduleFree() {
    }

    /**
     * Puts the evaluation weights {@code x} into {@code net} until {@code close()}. Before the first step
     * {@code x = y}. Nesting on the same network is refused (the inner block would average from {@code x}).
     *
     * @throws IllegalArgumentException for a network that is neither a MultiLayerNetwork nor a ComputationGraph
     * @throws IllegalStateException    if evaluation weights are already open on {@code net}
     */
    public static EvaluationWeights evaluationWeights(Model net) {
        List<Block> blocks = blocks(net);
        if (!OPEN.add(net)) {
            throw new IllegalStateException("evaluation weights are already open on this network: close them first");
        }
        INDArray params = ScheduleFreeState.flat(net.params());
        INDArray saved = params.dup();
        for (Block block : blocks) {
            if (block.config == null) {
                continue;
            }
            double beta = block.config.interpolation();
            ScheduleFreeState state = block.state();
            INDArray p = block.params;
            p.addi(state.x.mul(1 - beta)).subi(state.z.mul(1 - beta));
        }
        return new EvaluationWeights(net, params, saved);
    }

    /**
     * Gives {@code net} what decoupled weight decay ({@link AdamWScheduleFree} with {@code weightDecay > 0}) needs: a
     * listener that, before a step of a block whose state is still relative to the initial parameters, turns
     * {@code z} and {@code x} into absolute values ({@code z += y - y_state}, {@code x += y - y_state}). Idempotent;
     * harmless for every other configuration; needed again after {@code clone()} or a restore of a network that was
     * never trained (a restored trained network keeps its absolute state). Call it after {@code setListeners}, which
     * replaces the listeners.
     */
    public static void attach(Model net) {
        Collection<TrainingListener> listeners = listeners(net);
        if (listeners != null) {
            for (TrainingListener l : listeners) {
                if (l instanceof AbsoluteStateListener) {
                    return;
                }
            }
        }
        net.addListeners(new AbsoluteStateListener());
    }

    /** True if {@link #attach} has added its listener to {@code net}. */
    public static boolean isAttached(Model net) {
        Collection<TrainingListener> listeners = listeners(net);
        return listeners != null && listeners.stream().anyMatch(l -> l instanceof AbsoluteStateListener);
    }

    private static Collection<TrainingListener> listeners(Model net) {
        if (net instanceof MultiLayerNetwork) {
            return ((MultiLayerNetwork) net).getListeners();
        }
        if (net instanceof ComputationGraph) {
            return ((ComputationGraph) net).getListeners();
        }
        throw unsupported(net);
    }

    private static IllegalArgumentException unsupported(Model net) {
        return new IllegalArgumentException("net must be a MultiLayerNetwork or a ComputationGraph, not "
                + (net == null ? "null" : net.getClass().getName()));
    }

    static void makeAbsolute(Model net) {
        for (Block block : blocks(net)) {
            if (block.config == null) {
                continue;
            }
            ScheduleFreeState state = block.state();
            if (state.absolute()) {
                continue;
            }
            double beta = block.config.interpolation();
            INDArray delta = block.params.sub(state.x.mul(beta)).subi(state.z.mul(1 - beta));
            state.z.addi(delta);
            state.x.addi(delta);
            state.put(ScheduleFreeState.ABSOLUTE, 1);
        }
    }

    /** One updater block: its parameters, its state slice and its configuration (null if not schedule-free). */
    static final class Block {
        final INDArray params;
        final INDArray updaterView;
        final ScheduleFreeConfig config;

        Block(INDArray params, INDArray updaterView, ScheduleFreeConfig config) {
            this.params = params;
            this.updaterView = updaterView;
            this.config = config;
        }

        ScheduleFreeState state() {
            return new ScheduleFreeState(updaterView, params.length(), config.stateArrays());
        }
    }

    static List<Block> blocks(Model net) {
        BaseMultiLayerUpdater<?> updater;
        if (net instanceof MultiLayerNetwork) {
            updater = (BaseMultiLayerUpdater<?>) ((MultiLayerNetwork) net).getUpdater(true);
        } else if (net instanceof ComputationGraph) {
            updater = ((ComputationGraph) net).getUpdater(true);
        } else {
            throw unsupported(net);
        }
        INDArray params = ScheduleFreeState.flat(net.params());
        List<Block> result = new ArrayList<>();
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            UpdaterBlock.ParamState first = block.getLayersAndVariablesInBlock().get(0);
            Trainable layer = first.getLayer();
            IUpdater config = layer.getConfig().getUpdaterByParam(first.getParamName());
            INDArray blockParams = params.get(NDArrayIndex.interval(block.getParamOffsetStart(),
                    block.getParamOffsetEnd()));
            result.add(new Block(blockParams, block.getUpdaterView(),
                    config instanceof ScheduleFreeConfig ? (ScheduleFreeConfig) config : null));
        }
        return result;
    }

    /** The evaluation weights {@code x} in a network until {@link #close()}; see {@link ScheduleFree}. */
    public static final class EvaluationWeights implements AutoCloseable {
        private final Model net;
        private final INDArray params;
        private final INDArray saved;
        private boolean closed;

        private EvaluationWeights(Model net, INDArray params, INDArray saved) {
            this.net = net;
            this.params = params;
            this.saved = saved;
        }

        /**
         * Recomputes the running mean and variance of every BatchNormalization layer at the weights the network now
         * holds, as exact averages over all examples of {@code data} (population variance, the same estimator DL4J
         * normalises with during training): one training-mode forward pass per batch, so each layer sees the inputs
         * it sees in training (dropout included). Afterwards the network's inference output on one batch of the
         * whole data set equals its training-mode output. {@code close()} restores the old statistics.
         * MultiLayerNetwork, and ComputationGraph with one input; {@link #recomputeBatchNormStatistics(
         * MultiDataSetIterator)} takes graphs with several.
         *
         * @throws IllegalArgumentException if {@code data} is null or empty, or the network is a ComputationGraph
         *                                  with more than one input
         */
        public void recomputeBatchNormStatistics(DataSetIterator data) {
            checkOpen();
            Args.notNull("data", data);
            if (net instanceof ComputationGraph) {
                int inputs = ((ComputationGraph) net).getConfiguration().getNetworkInputs().size();
                if (inputs != 1) {
                    throw new IllegalArgumentException("this ComputationGraph has " + inputs
                            + " inputs: pass a MultiDataSetIterator to recomputeBatchNormStatistics");
                }
            }
            if (data.resetSupported()) {
                data.reset();
            }
            recompute(features(data, batch -> new INDArray[] {batch.getFeatures()}));
        }

        /**
         * {@link #recomputeBatchNormStatistics(DataSetIterator)} for a ComputationGraph with any number of inputs.
         *
         * @throws IllegalArgumentException if {@code data} is null or empty, or the network is not a ComputationGraph
         */
        public void recomputeBatchNormStatistics(MultiDataSetIterator data) {
            checkOpen();
            Args.notNull("data", data);
            if (!(net instanceof ComputationGraph)) {
                throw new IllegalArgumentException("a MultiDataSetIterator needs a ComputationGraph, not "
                        + net.getClass().getName() + ": pass a DataSetIterator");
            }
            if (data.resetSupported()) {
                data.reset();
            }
            recompute(features(data, batch -> batch.getFeatures()));
        }

        /** The feature arrays of each batch of {@code data}. */
        private static <T> Iterator<INDArray[]> features(Iterator<T> data, Function<T, INDArray[]> features) {
            return new Iterator<INDArray[]>() {
                @Override
                public boolean hasNext() {
                    return data.hasNext();
                }

                @Override
                public INDArray[] next() {
                    return features.apply(data.next());
                }
            };
        }

        private void recompute(Iterator<INDArray[]> features) {
            List<BatchNormTarget> targets = BatchNormTarget.of(net);
            if (targets.isEmpty()) {
                return;
            }
            INDArray[] sum = new INDArray[targets.size()];
            INDArray[] sumSquares = new INDArray[targets.size()];
            long[] count = new long[targets.size()];
            while (features.hasNext()) {
                INDArray[] batch = features.next();
                List<INDArray> inputs = BatchNormTarget.inputs(net, targets, batch);
                for (int t = 0; t < targets.size(); t++) {
                    INDArray input = inputs.get(t);
                    BatchNormTarget target = targets.get(t);
                    if (target.pre != null) {
                        input = target.pre.preProcess(input, (int) input.size(0), LayerWorkspaceMgr.noWorkspaces());
                    }
                    int[] dims = reductionDims(input, target.conf);
                    INDArray s = input.sum(dims);
                    INDArray q = input.mul(input).sum(dims);
                    sum[t] = sum[t] == null ? s : sum[t].addi(s);
                    sumSquares[t] = sumSquares[t] == null ? q : sumSquares[t].addi(q);
                    count[t] += input.length() / input.size(input.rank() == 2 ? 1 : channelDim(input, target.conf));
                }
            }
            if (count[0] == 0) {
                throw new IllegalArgumentException("data holds no examples");
            }
            for (int t = 0; t < targets.size(); t++) {
                BatchNormTarget target = targets.get(t);
                long n = count[t];
                INDArray mean = sum[t].div(n);
                INDArray var = sumSquares[t].div(n).subi(mean.mul(mean));
                Transforms.max(var, 0.0, false);
                INDArray meanParam = target.layer.getParam("mean");
                meanParam.assign(mean.reshape(meanParam.shape()));
                if (target.conf.isUseLogStd()) {
                    // DL4J stores log10 of sqrt(var) and adds eps when it normalises
                    INDArray logStd = target.layer.getParam("log10stdev");
                    INDArray value = Transforms.log(Transforms.sqrt(var, true), 10.0, false);
                    logStd.assign(value.reshape(logStd.shape()));
                } else {
                    INDArray varParam = target.layer.getParam("var");
                    varParam.assign(var.reshape(varParam.shape()));
                }
            }
        }

        private static int channelDim(INDArray input, org.deeplearning4j.nn.conf.layers.BatchNormalization conf) {
            return input.rank() == 4 && conf.getCnn2DFormat() == CNN2DFormat.NHWC ? 3 : 1;
        }

        private static int[] reductionDims(INDArray input, org.deeplearning4j.nn.conf.layers.BatchNormalization conf) {
            if (input.rank() == 2) {
                return new int[] {0};
            }
            if (input.rank() == 4) {
                return conf.getCnn2DFormat() == CNN2DFormat.NHWC ? new int[] {0, 1, 2} : new int[] {0, 2, 3};
            }
            throw new IllegalArgumentException("BatchNormalization input of rank " + input.rank()
                    + " is not supported (2 or 4)");
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("these evaluation weights are closed");
            }
        }

        /** Puts {@code y} (and any BatchNorm statistics recomputed inside) back, bit for bit; idempotent. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            params.assign(saved);
            OPEN.remove(net);
        }
    }

    /** A BatchNormalization layer of a network: the layer, its configuration, its input and preprocessor. */
    private static final class BatchNormTarget {
        final Layer layer;
        final org.deeplearning4j.nn.conf.layers.BatchNormalization conf;
        final InputPreProcessor pre;
        /** MultiLayerNetwork: the layer's index; ComputationGraph: -1. */
        final int index;
        /** ComputationGraph: the vertex (or network input) whose activations the layer takes; else null. */
        final String inputName;

        private BatchNormTarget(Layer layer, InputPreProcessor pre, int index, String inputName) {
            this.layer = layer;
            this.conf = (org.deeplearning4j.nn.conf.layers.BatchNormalization) layer.conf().getLayer();
            this.pre = pre;
            this.index = index;
            this.inputName = inputName;
        }

        static List<BatchNormTarget> of(Model net) {
            List<BatchNormTarget> targets = new ArrayList<>();
            if (net instanceof MultiLayerNetwork) {
                MultiLayerNetwork mln = (MultiLayerNetwork) net;
                Layer[] layers = mln.getLayers();
                for (int i = 0; i < layers.length; i++) {
                    if (isBatchNorm(layers[i])) {
                        targets.add(new BatchNormTarget(layers[i],
                                mln.getLayerWiseConfigurations().getInputPreProcess(i), i, null));
                    }
                }
            } else if (net instanceof ComputationGraph) {
                ComputationGraph graph = (ComputationGraph) net;
                ComputationGraphConfiguration conf = graph.getConfiguration();
                for (Layer layer : graph.getLayers()) {
                    if (isBatchNorm(layer)) {
                        String name = layer.conf().getLayer().getLayerName();
                        List<String> inputs = conf.getVertexInputs().get(name);
                        if (inputs.size() != 1) {
                            throw new IllegalArgumentException("BatchNormalization layer '" + name + "' has "
                                    + inputs.size() + " inputs, not 1");
                        }
                        GraphVertex vertex = conf.getVertices().get(name);
                        InputPreProcessor pre = vertex instanceof LayerVertex
                                ? ((LayerVertex) vertex).getPreProcessor() : null;
                        targets.add(new BatchNormTarget(layer, pre, -1, inputs.get(0)));
                    }
                }
            } else {
                throw unsupported(net);
            }
            return targets;
        }

        /** The training-mode inputs of {@code targets} for one batch of features. */
        static List<INDArray> inputs(Model net, List<BatchNormTarget> targets, INDArray[] features) {
            List<INDArray> inputs = new ArrayList<>(targets.size());
            if (net instanceof MultiLayerNetwork) {
                List<INDArray> activations = ((MultiLayerNetwork) net).feedForward(features[0], true);
                for (BatchNormTarget target : targets) {
                    inputs.add(activations.get(target.index));
                }
            } else {
                Map<String, INDArray> activations = ((ComputationGraph) net).feedForward(features, true);
                for (BatchNormTarget target : targets) {
                    inputs.add(activations.get(target.inputName));
                }
            }
            return inputs;
        }

        private static boolean isBatchNorm(Layer layer) {
            return layer.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization;
        }
    }

    /** The listener {@link #attach} adds: makes the schedule-free state absolute before the updater runs. */
    static final class AbsoluteStateListener extends BaseTrainingListener implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public void onGradientCalculation(Model model) {
            makeAbsolute(model);
        }
    }
}
