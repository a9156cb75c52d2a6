package io.github.lrschedules.updater;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * The per-block step of {@link SgdMomentum}: turns the gradient into the update {@code w_t - w_(t+1) = -v_(t+1)}
 * that DL4J subtracts from the parameters, with the velocity {@code v} in the updater state view (key {@code "V"}).
 */
public final class SgdMomentumUpdater implements GradientUpdater<SgdMomentum> {

    /** The key of the velocity in {@link #getState()}. */
    public static final String VELOCITY = "V";

    private final SgdMomentum config;
    private INDArray velocity;
    private char gradientOrder;

    SgdMomentumUpdater(SgdMomentum config) {
        this.config = config;
    }

    @Override
    public SgdMomentum getConfig() {
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
        // The velocity in the gradient's shape and order, so that both are walked alike (as DL4J's Nesterovs does).
        this.velocity = viewArray.reshape(gradientOrder, gradientShape);
        this.gradientOrder = gradientOrder;
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> state = new HashMap<>();
        if (velocity != null) {
            state.put(VELOCITY, velocity);
        }
        return state;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        INDArray v = stateMap == null ? null : stateMap.get(VELOCITY);
        if (v == null) {
            throw new IllegalArgumentException("stateMap must hold the key \"" + VELOCITY + "\" (the velocity)");
        }
        if (initialize) {
            v.assign(0);
        }
        this.velocity = v;
        this.gradientOrder = v.ordering();
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (velocity == null) {
            throw new IllegalStateException("setStateViewArray was not called: no velocity for " + config);
        }
        double lr = config.getLearningRate(iteration, epoch);
        INDArray g = gradient.ordering() == gradientOrder ? gradient : gradient.dup(gradientOrder);
        // v = momentum * v - lr * g; the update DL4J subtracts is -v.
        velocity.muli(config.getMomentum()).subi(g.mul(lr));
        gradient.assign(velocity).negi();
    }
}
