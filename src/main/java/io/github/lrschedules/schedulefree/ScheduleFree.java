package io.github.lrschedules.schedulefree;

import io.github.lrschedules.internal.NeedsParameters;
import io.github.lrschedules.internal.Networks;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;

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
        return new EvaluationWeights(net, params -> {
            for (Block block : blocks) {
                if (block.config == null) {
                    continue;
                }
                double beta = block.config.interpolation();
                ScheduleFreeState state = block.state();
                block.params.addi(state.x.mul(1 - beta)).subi(state.z.mul(1 - beta));
            }
        });
    }

    /**
     * Gives {@code net} what decoupled weight decay ({@link AdamWScheduleFree} with {@code weightDecay > 0}) needs: a
     * listener that, before a step of a block whose state is still relative to the initial parameters, turns
     * {@code z} and {@code x} into absolute values ({@code z += y - y_state}, {@code x += y - y_state}). Idempotent;
     * harmless for every other configuration; needed again after {@code clone()} or a restore of a network that was
     * never trained (a restored trained network keeps its absolute state). Call it after {@code setListeners}, which
     * replaces the listeners.
     *
     * <p>The same listener hands {@code io.github.lrschedules.updater.ScheduledAdam} the parameters its decoupled
     * weight decay needs, before every step.
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
        return Networks.require("net", net) instanceof MultiLayerNetwork ? ((MultiLayerNetwork) net).getListeners()
                : ((ComputationGraph) net).getListeners();
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

    /** Gives every updater block whose updater {@link NeedsParameters} the view of its parameters for this step. */
    static void bindParameters(Model net) {
        BaseMultiLayerUpdater<?> updater = Networks.require("net", net) instanceof MultiLayerNetwork
                ? (BaseMultiLayerUpdater<?>) ((MultiLayerNetwork) net).getUpdater(true)
                : ((ComputationGraph) net).getUpdater(true);
        INDArray params = null;
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            if (block.getGradientUpdater() instanceof NeedsParameters) {
                if (params == null) {
                    params = EvaluationWeights.flat(net.params());
                }
                ((NeedsParameters) block.getGradientUpdater()).bindParameters(params.get(NDArrayIndex.interval(
                        block.getParamOffsetStart(), block.getParamOffsetEnd())));
            }
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
        BaseMultiLayerUpdater<?> updater = Networks.require("net", net) instanceof MultiLayerNetwork
                ? (BaseMultiLayerUpdater<?>) ((MultiLayerNetwork) net).getUpdater(true)
                : ((ComputationGraph) net).getUpdater(true);
        INDArray params = EvaluationWeights.flat(net.params());
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

    /**
     * The evaluation weights {@code x} in a network until {@link #close()}; see {@link ScheduleFree}. The same
     * {@link io.github.lrschedules.weights.EvaluationWeights} that weight averaging opens, under the name 1.0 gave it.
     */
    public static final class EvaluationWeights extends io.github.lrschedules.weights.EvaluationWeights {
        private EvaluationWeights(Model net, Consumer<INDArray> install) {
            super(net, install);
        }
    }

    /** The listener {@link #attach} adds: makes the schedule-free state absolute before the updater runs. */
    static final class AbsoluteStateListener extends BaseTrainingListener implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public void onGradientCalculation(Model model) {
            makeAbsolute(model);
            bindParameters(model);
        }
    }
}
