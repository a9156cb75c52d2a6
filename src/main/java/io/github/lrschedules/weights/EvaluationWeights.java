package io.github.lrschedules.weights;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.Networks;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * Other weights in a network until {@link #close()}: the evaluation weights of schedule-free training
 * ({@code ScheduleFree.evaluationWeights}) and the averaged weights of weight averaging. Opening saves the
 * network's parameters and puts the evaluation weights in their place; {@code close()} puts the saved parameters
 * back, bit for bit, BatchNorm statistics recomputed inside included. Use it in try-with-resources:
 *
 * <pre>
 * try (EvaluationWeights at = EvaluationWeights.of(net, averagedParameters)) {
 *     at.recomputeBatchNormStatistics(trainIterator);   // only for networks with BatchNorm
 *     Evaluation eval = net.evaluate(testIterator);
 * }                                                     // the training weights are back
 * </pre>
 *
 * Opening twice on the same network is refused (the inner block would start from the outer one's weights). Do not
 * train inside the block, and save checkpoints to resume from outside it.
 */
public class EvaluationWeights implements AutoCloseable {
    private static final Set<Model> OPEN = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    private final Model net;
    private final INDArray params;
    private final INDArray saved;
    private boolean closed;

    /**
     * Opens the block on {@code net}: saves its parameters, then lets {@code install} turn the network's flat
     * parameter vector (the layout of {@code params()}, written in place) into the evaluation weights.
     *
     * @throws IllegalArgumentException for a network that is neither a MultiLayerNetwork nor a ComputationGraph
     * @throws IllegalStateException    if evaluation weights are already open on {@code net}
     */
    protected EvaluationWeights(Model net, Consumer<INDArray> install) {
        Networks.require("net", net);
        Args.notNull("install", install);
        if (!OPEN.add(net)) {
            throw new IllegalStateException("evaluation weights are already open on this network: close them first");
        }
        this.net = net;
        this.params = flat(net.params());
        this.saved = params.dup();
        try {
            install.accept(params);
        } catch (RuntimeException e) {
            params.assign(saved);
            OPEN.remove(net);
            throw e;
        }
    }

    /**
     * Puts {@code weights} (the layout of {@code net.params()}, copied) into {@code net} until {@code close()}.
     *
     * @throws IllegalArgumentException if {@code weights} has another length than the network's parameters
     */
    public static EvaluationWeights of(Model net, INDArray weights) {
        Args.notNull("weights", weights);
        return new EvaluationWeights(net, params -> {
            if (weights.length() != params.length()) {
                throw new IllegalArgumentException("weights has " + weights.length() + " values, the network "
                        + params.length() + " parameters");
            }
            params.assign(flat(weights));
        });
    }

    /** {@code a} as a vector (rank 1): a view for a row or column vector. */
    public static INDArray flat(INDArray a) {
        if (a.rank() == 1) {
            return a;
        }
        if (!a.isVectorOrScalar()) {
            throw new IllegalStateException("expected a vector, got shape " + java.util.Arrays.toString(a.shape()));
        }
        return a.reshape(a.length());
    }

    /** True while evaluation weights are open on {@code net}. */
    public static boolean isOpen(Model net) {
        return OPEN.contains(net);
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
        BatchNormStatistics.recompute(net, features(data, batch -> new INDArray[] {batch.getFeatures()}));
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
        BatchNormStatistics.recompute(net, features(data, batch -> batch.getFeatures()));
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

