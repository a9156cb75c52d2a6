package io.github.lrschedules.schedulefree;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The per-block step of {@link SgdScheduleFree} and {@link AdamWScheduleFree}: turns the gradient at {@code y} into
 * the update {@code y_t - y_(t+1)} that DL4J subtracts from the parameters.
 *
 * <pre>
 * lr_t   = lr(iteration, epoch) * min(1, (t+1) / warmupSteps)
 * lr_max = max(lr_max, lr_t);  weight = lr_max^2;  weightSum += weight;  c = weight / weightSum
 * d      = g                                                    (SGD)
 * v      = beta2 v + (1-beta2) g^2;  d = g / (sqrt(v / (1-beta2^(t+1))) + eps) + wd * y    (AdamW)
 * z'     = z - lr_t d;   x' = (1-c) x + c z';   y' = beta x' + (1-beta) z'
 * update = y - y' = (1-beta) lr_t d + beta c (x - z')
 * </pre>
 *
 * The state (z, x, v, t, weight sum, lr_max) lives in DL4J's updater state view (layout in
 * {@link ScheduleFreeState}), so {@code ModelSerializer.writeModel(net, file, true)} saves it and a restored network
 * continues exactly. The layout is bound at the first step, when the gradient's length gives the number of
 * parameters of the block. The gradient may have any shape: DL4J's networks hand a row of their flat gradient,
 * SameDiff each variable's gradient in the variable's own shape; both are updated in place through a c-order view.
 */
public final class ScheduleFreeGradientUpdater implements GradientUpdater<IUpdater> {

    private final ScheduleFreeConfig config;
    private INDArray viewArray;
    private ScheduleFreeState state;

    ScheduleFreeGradientUpdater(ScheduleFreeConfig config) {
        this.config = config;
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
        if (initialize) {
            viewArray.assign(0);
        }
        this.viewArray = viewArray;
        this.state = null;
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> map = new HashMap<>();
        if (viewArray != null) {
            map.put("state", viewArray);
        }
        return map;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        INDArray view = stateMap == null ? null : stateMap.get("state");
        if (view == null) {
            throw new IllegalArgumentException("stateMap must hold the key \"state\" (the flat state view)");
        }
        setStateViewArray(view, view.shape(), view.ordering(), initialize);
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (viewArray == null) {
            throw new IllegalStateException("setStateViewArray was not called: no state for " + config);
        }
        INDArray g = ScheduleFreeState.flatView(gradient);
        // Only a gradient that is not c-contiguous is computed on a copy (SameDiff's and DL4J's never are).
        INDArray copy = g == null ? gradient.dup('c') : null;
        if (copy != null) {
            g = copy.reshape('c', new long[] {copy.length()});
        }
        if (state == null) {
            state = new ScheduleFreeState(viewArray, g.length(), config.stateArrays());
        }
        double wd = config.decoupledWeightDecay();
        if (wd != 0 && !state.absolute()) {
            throw new IllegalStateException(config.getClass().getSimpleName() + " with weightDecay " + wd
                    + " needs the absolute parameters: call ScheduleFree.attach(net) before training (once; it is"
                    + " idempotent and also needed after restoring a network that was never trained)");
        }
        double t = state.get(ScheduleFreeState.STEP);
        int warmup = config.warmupSteps();
        double lr = config.getLearningRate(iteration, epoch);
        double lrT = t < warmup ? lr * (t + 1) / warmup : lr;
        double lrMax = Math.max(state.get(ScheduleFreeState.LR_MAX), lrT);
        double weight = lrMax * lrMax;
        double weightSum = state.get(ScheduleFreeState.WEIGHT_SUM) + weight;
        double c = weightSum == 0 ? 0 : weight / weightSum;
        double beta = config.interpolation();
        INDArray z = state.z;
        INDArray x = state.x;
        INDArray d = g;
        if (config.adaptive()) {
            double beta2 = config.secondMomentDecay();
            INDArray v = state.v;
            v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            double biasCorrection = 1 - Math.pow(beta2, t + 1);
            INDArray denominator = Transforms.sqrt(v.div(biasCorrection), false).addi(config.epsilon());
            d.divi(denominator);
            if (wd != 0) {
                // y = beta x + (1-beta) z, with z and x absolute (checked above)
                d.addi(x.mul(wd * beta)).addi(z.mul(wd * (1 - beta)));
            }
        }
        d.muli(lrT);
        z.subi(d);
        d.muli(1 - beta);
        INDArray xMinusZ = x.sub(z);
        xMinusZ.muli(c);
        x.subi(xMinusZ);
        d.addi(xMinusZ.muli(beta));
        state.put(ScheduleFreeState.STEP, t + 1);
        state.put(ScheduleFreeState.WEIGHT_SUM, weightSum);
        state.put(ScheduleFreeState.LR_MAX, lrMax);
        if (copy != null) {
            gradient.assign(copy);
        }
    }
}
