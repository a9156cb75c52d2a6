package io.github.lrschedules.schedulefree;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.weights.SameDiffEvaluationWeights;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * {@link ScheduleFree#evaluationWeights(SameDiff)} and {@link ScheduleFree#attach(SameDiff)}: schedule-free training
 * on DL4J's SameDiff graphs. SameDiff gives every trainable variable its own updater (one block per variable, state
 * in {@code sd.getUpdaterMap()}, saved by {@code sd.save(file, true)}), with the gradient in the variable's shape;
 * the state's element {@code i} belongs to element {@code i} of the variable in c order.
 */
final class SameDiffScheduleFree {

    private SameDiffScheduleFree() {
    }

    static SameDiffEvaluationWeights evaluationWeights(SameDiff sd) {
        Args.notNull("sd", sd);
        return new SameDiffEvaluationWeights(sd, arrays -> forEachBlock(sd, arrays, (y, config, state) -> {
            double beta = config.interpolation();
            y.addi(state.x.mul(1 - beta)).subi(state.z.mul(1 - beta));
        })) {
        };
    }

    static void attach(SameDiff sd) {
        if (!isAttached(sd)) {
            sd.addListeners(new AbsoluteStateListener());
        }
    }

    static boolean isAttached(SameDiff sd) {
        Args.notNull("sd", sd);
        for (Listener l : sd.getListeners()) {
            if (l instanceof AbsoluteStateListener) {
                return true;
            }
        }
        return false;
    }

    /** {@code z += y - y_state}, {@code x += y - y_state} for every variable whose state is still relative. */
    static void makeAbsolute(SameDiff sd) {
        forEachBlock(sd, null, (y, config, state) -> {
            if (state.absolute()) {
                return;
            }
            double beta = config.interpolation();
            INDArray delta = y.sub(state.x.mul(beta)).subi(state.z.mul(1 - beta));
            state.z.addi(delta);
            state.x.addi(delta);
            state.put(ScheduleFreeState.ABSOLUTE, 1);
        });
    }

    /** What is done to one variable: its values (c order, rank 1), its updater's configuration and state. */
    private interface BlockAction {
        void apply(INDArray y, ScheduleFreeConfig config, ScheduleFreeState state);
    }

    /**
     * Runs {@code action} on every variable trained by a schedule-free updater. {@code arrays} are the live arrays
     * by name (null: the graph's own); a variable that is not c-contiguous is handled on a copy written back.
     */
    private static void forEachBlock(SameDiff sd, Map<String, INDArray> arrays, BlockAction action) {
        Map<String, GradientUpdater> updaters = sd.getUpdaterMap();
        if (updaters == null) {
            return; // not trained yet: x = y, and the state is created at the first step
        }
        for (Map.Entry<String, GradientUpdater> e : updaters.entrySet()) {
            if (!(e.getValue() instanceof ScheduleFreeGradientUpdater)) {
                continue;
            }
            ScheduleFreeConfig config = (ScheduleFreeConfig) e.getValue().getConfig();
            INDArray view = ((ScheduleFreeGradientUpdater) e.getValue()).getState().get("state");
            INDArray param = arrays != null ? arrays.get(e.getKey()) : sd.getVariable(e.getKey()).getArr();
            if (view == null || param == null) {
                continue;
            }
            ScheduleFreeState state = new ScheduleFreeState(view, param.length(), config.stateArrays());
            INDArray y = ScheduleFreeState.flatView(param);
            if (y != null) {
                action.apply(y, config, state);
            } else {
                INDArray copy = param.dup('c');
                action.apply(copy.reshape('c', new long[] {copy.length()}), config, state);
                param.assign(copy);
            }
        }
    }

    /**
     * The listener {@link #attach} adds: before the updaters of an iteration run, makes the schedule-free state
     * absolute. SameDiff creates its updaters after {@code iterationStart} of the first iteration, so then the state
     * is made absolute before the first operation of the step instead.
     */
    static final class AbsoluteStateListener extends BaseListener {
        private SameDiff pending;

        @Override
        public boolean isActive(Operation operation) {
            return operation == Operation.TRAINING;
        }

        @Override
        public void iterationStart(SameDiff sd, At at, MultiDataSet data, long etlMs) {
            if (sd.isInitializedTraining()) {
                makeAbsolute(sd);
            } else {
                pending = sd;
            }
        }

        @Override
        public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
            if (pending != null) {
                SameDiff graph = pending;
                pending = null;
                makeAbsolute(graph);
            }
        }
    }
}
