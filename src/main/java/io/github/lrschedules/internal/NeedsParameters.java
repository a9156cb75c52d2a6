package io.github.lrschedules.internal;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DL4J {@code GradientUpdater} that needs the parameters it updates (decoupled weight decay:
 * {@code p -= lr * wd * p}), which DL4J never passes to updaters. {@code ScheduleFree.attach(net)} adds a listener that, after the gradient is
 * computed and before the updater runs, hands every such updater the view of its block's parameters for that one step.
 */
public interface NeedsParameters {

    /**
     * The parameters of this updater's block for the coming step: a view of the network's flat parameters, in the
     * order of the block's gradient. Used by the next {@code applyUpdater} call only.
     */
    void bindParameters(INDArray parameters);
}
