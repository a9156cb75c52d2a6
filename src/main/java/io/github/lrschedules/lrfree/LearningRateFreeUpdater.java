package io.github.lrschedules.lrfree;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The per-block step shared by {@link Prodigy}, {@link DAdaptAdam} and {@link Dog}: binds the block's slice of DL4J's
 * updater state view, takes the parameters {@link LearningRateFree#attach} hands over before each step, and turns the
 * gradient in place into the update DL4J subtracts from the parameters.
 *
 * <p>Layout of one block's slice, for a block of {@code N} parameters in {@code k} arrays (DL4J sizes the slice as
 * the sum of {@code stateSize(n_i)}, so it has {@code k * SCALARS} slots beside the arrays; the first
 * {@code SCALARS} are used):
 *
 * <pre>
 * [0]  step count t
 * [1]  the running estimate: d for the next step (Prodigy, D-Adaptation; 0 before the first step), r-bar (DoG)
 * [2]  the running sum: the weighted numerator (Prodigy, D-Adaptation), the sum of squared gradient norms (DoG)
 * [3]  the step size the last step used: d_t, or eta_t
 * [4]  the effective learning rate of the last step: d_t * lr(t), or eta_t * lr(t)
 * [SCALARS, SCALARS + arrays * N)   the per-parameter arrays of the method, N values each
 * </pre>
 *
 * The scalars come first so that {@link LearningRateFree#estimatedStepSize(INDArray)} can read them from the view
 * alone. An all-zero view is the initial state (DL4J zeroes a fresh view), which is why "before the first step" is
 * told by the step count, not by the stored values.
 */
abstract class LearningRateFreeUpdater implements GradientUpdater<IUpdater> {

    static final int SCALARS = 5;
    static final int STEP = 0;
    static final int ESTIMATE = 1;
    static final int SUM = 2;
    static final int LAST_STEP_SIZE = 3;
    static final int LAST_EFFECTIVE_RATE = 4;

    private final IUpdater config;
    private final int arrays;
    private INDArray view;
    private INDArray parameters;
    /** The per-parameter arrays of the bound layout, {@code null} until the first step gives the block's size. */
    INDArray[] state;

    LearningRateFreeUpdater(IUpdater config, int arrays) {
        this.config = config;
        this.arrays = arrays;
    }

    /** Size of a state view for one parameter array of {@code numParams} values. */
    static long stateSize(int arrays, long numParams) {
        return arrays * numParams + SCALARS;
    }

    static GradientUpdater<IUpdater> bind(LearningRateFreeUpdater updater, INDArray view, boolean initialize) {
        updater.setStateViewArray(view, view.shape(), view.ordering(), initialize);
        return updater;
    }

    static GradientUpdater<IUpdater> bind(LearningRateFreeUpdater updater, Map<String, INDArray> state,
                                          boolean initialize) {
        updater.setState(state, initialize);
        return updater;
    }

    /** True if a step needs the block's current parameters (then {@link LearningRateFree#attach} is required). */
    abstract boolean needsParameters();

    /**
     * One step of the method on the block.
     *
     * @param g      the gradient (flat), to be turned in place into the update DL4J subtracts
     * @param x      the block's current parameters (flat), or null when {@link #needsParameters()} is false
     * @param t      steps taken before this one
     * @param lr     the configured learning rate (or schedule value) of this iteration
     */
    abstract void step(INDArray g, INDArray x, long t, double lr);

    /** The block's current parameters for the next step; {@link LearningRateFree#attach}'s listener calls it. */
    void parameters(INDArray blockParameters) {
        this.parameters = blockParameters;
    }

    @Override
    public IUpdater getConfig() {
        return config;
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        if (viewArray == null) {
            throw new IllegalArgumentException("viewArray must not be null");
        }
        INDArray flat = flat(viewArray);
        if (initialize) {
            flat.assign(0);
        }
        this.view = flat;
        this.state = null;
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> map = new HashMap<>();
        if (view != null) {
            map.put("state", view);
        }
        return map;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        INDArray v = stateMap == null ? null : stateMap.get("state");
        if (v == null) {
            throw new IllegalArgumentException("stateMap must hold the key \"state\" (the flat state view)");
        }
        setStateViewArray(v, v.shape(), v.ordering(), initialize);
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (view == null) {
            throw new IllegalStateException("setStateViewArray was not called: no state for " + config);
        }
        INDArray g = flat(gradient);
        if (state == null) {
            bindLayout(g.length());
        }
        INDArray x = null;
        if (needsParameters()) {
            x = parameters;
            if (x == null) {
                throw new IllegalStateException(config.getClass().getSimpleName()
                        + " needs the parameters of its block (x - x0), which DL4J does not pass to updaters: call"
                        + " LearningRateFree.attach(net) (or ScheduleFree.attach(net)) before training, after"
                        + " setListeners, and again after restoring or cloning the network (listeners are not saved)");
            }
            x = flat(x);
            if (x.length() != g.length()) {
                throw new IllegalStateException("the parameters handed over hold " + x.length() + " values, the"
                        + " gradient " + g.length() + ": they are not this block's");
            }
            parameters = null;
        }
        long t = (long) get(STEP);
        step(g, x, t, config.getLearningRate(iteration, epoch));
        put(STEP, t + 1);
    }

    private void bindLayout(long n) {
        long needed = arrays * n + SCALARS;
        if (view.length() < needed) {
            throw new IllegalStateException("updater state view holds " + view.length() + " values, " + needed
                    + " needed for " + n + " parameters: the view was not sized by this updater's stateSize");
        }
        state = new INDArray[arrays];
        for (int i = 0; i < arrays; i++) {
            long start = SCALARS + i * n;
            state[i] = view.get(NDArrayIndex.interval(start, start + n));
        }
    }

    final double get(int scalar) {
        return view.getDouble(scalar);
    }

    final void put(int scalar, double value) {
        view.putScalar(scalar, value);
    }

    /** Records what the step used, for {@link LearningRateFree#estimatedStepSize(INDArray)}. */
    final void recordStep(double stepSize, double lr) {
        put(LAST_STEP_SIZE, stepSize);
        put(LAST_EFFECTIVE_RATE, stepSize * lr);
    }

    /** {@code a} as a rank-1 view of the same memory (DL4J hands row vectors {@code [1, n]}). */
    static INDArray flat(INDArray a) {
        if (a.rank() == 1) {
            return a;
        }
        if (!a.isVectorOrScalar()) {
            throw new IllegalStateException("expected a vector, got shape " + Arrays.toString(a.shape()));
        }
        return a.reshape(a.length());
    }
}
