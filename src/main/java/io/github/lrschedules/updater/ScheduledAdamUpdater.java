package io.github.lrschedules.updater;

import io.github.lrschedules.internal.NeedsParameters;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The per-block step of {@link ScheduledAdam}: turns the gradient into the update DL4J subtracts from the parameters,
 * {@code lr * wd * p + lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)}. State layout of the view:
 * {@code m} for the block's parameters, then {@code v} (as DL4J's own Adam), so that a block splits into per-parameter
 * state like every built-in updater.
 */
final class ScheduledAdamUpdater implements GradientUpdater<ScheduledAdam>, NeedsParameters {

    static final String M = "M";
    static final String V = "V";

    private final ScheduledAdam config;
    private INDArray m;
    private INDArray v;
    private INDArray parameters;

    ScheduledAdamUpdater(ScheduledAdam config) {
        this.config = config;
    }

    @Override
    public ScheduledAdam getConfig() {
        return config;
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        if (viewArray == null) {
            throw new IllegalArgumentException("viewArray must not be null");
        }
        if (initialize) {
            viewArray.assign(0);
        }
        INDArray flat = flat(viewArray);
        long n = flat.length() / 2;
        this.m = flat.get(NDArrayIndex.interval(0, n));
        this.v = flat.get(NDArrayIndex.interval(n, 2 * n));
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> state = new HashMap<>();
        state.put(M, m);
        state.put(V, v);
        return state;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        if (stateMap == null || !stateMap.containsKey(M) || !stateMap.containsKey(V)) {
            throw new IllegalArgumentException("stateMap must hold the keys \"M\" and \"V\", not "
                    + (stateMap == null ? null : stateMap.keySet()));
        }
        this.m = flat(stateMap.get(M));
        this.v = flat(stateMap.get(V));
        if (initialize) {
            m.assign(0);
            v.assign(0);
        }
    }

    @Override
    public void bindParameters(INDArray parameters) {
        this.parameters = parameters;
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (m == null) {
            throw new IllegalStateException("setStateViewArray was not called: no state for " + config);
        }
        INDArray params = parameters;
        parameters = null;
        double lr = check("learningRate", config.getLearningRate(iteration, epoch), iteration, epoch);
        double beta1 = config.beta1(iteration, epoch);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalStateException("beta1 (" + beta1 + ") must be in [0, 1) at iteration " + iteration
                    + ", epoch " + epoch + ": " + config.getBeta1Schedule());
        }
        double wd = check("weightDecay", config.weightDecay(iteration, epoch), iteration, epoch);
        if (wd != 0 && params == null) {
            throw new IllegalStateException("ScheduledAdam with weightDecay " + wd + " at iteration " + iteration
                    + " needs the parameters: call ScheduleFree.attach(net) before training (after setListeners, and"
                    + " again after a restore), or use DL4J's WeightDecay(schedule, true) regularization with"
                    + " weightDecay 0");
        }
        INDArray g = flat(gradient);
        double beta2 = config.getBeta2();
        int t = iteration + 1;
        m.addi(g.sub(m).muli(1 - beta1));
        v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
        double stepSize = lr / (1 - Math.pow(beta1, t));
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        INDArray denominator = Transforms.sqrt(v, true).divi(biasCorrection2Sqrt).addi(config.getEpsilon());
        g.assign(m).divi(denominator).muli(stepSize);
        if (wd != 0) {
            g.addi(params.mul(lr * wd));
        }
    }

    private double check(String name, double value, int iteration, int epoch) {
        if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
            throw new IllegalStateException(name + " (" + value + ") must be >= 0 and finite at iteration " + iteration
                    + ", epoch " + epoch + ": " + config);
        }
        return value;
    }

    /** {@code a} as a rank-1 view of the same memory (DL4J hands row vectors {@code [1, n]}). */
    private static INDArray flat(INDArray a) {
        return a.rank() == 1 ? a : a.reshape(a.length());
    }
}
