package io.github.lrschedules.weights;

import io.github.lrschedules.internal.Networks;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exact BatchNorm running statistics at the weights a network holds: PyTorch's {@code update_bn} with exact
 * averages (population variance) over an iterator, one training-mode forward pass per batch.
 */
final class BatchNormStatistics {

    private BatchNormStatistics() {
    }

    static void recompute(Model net, Iterator<INDArray[]> features) {
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
        } else {
            ComputationGraph graph = Networks.asGraph(net);
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

}
