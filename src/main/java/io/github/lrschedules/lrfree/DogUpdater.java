package io.github.lrschedules.lrfree;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link Dog}'s step on one block, as {@code optax.contrib.dog} (scale_by_dog, then the learning rate). Array: the
 * initial parameters {@code x0}; scalars: {@code r-bar} (the largest distance from {@code x0} so far, or the initial
 * {@code r_epsilon}) and the sum of squared gradient norms {@code G}.
 */
final class DogUpdater extends LearningRateFreeUpdater {

    private static final int X0 = 0;
    static final int ARRAYS = 1;

    private final Dog config;

    DogUpdater(Dog config) {
        super(config, ARRAYS);
        this.config = config;
    }

    @Override
    boolean needsParameters() {
        return true;
    }

    @Override
    void step(INDArray g, INDArray x, long t, double lr) {
        INDArray x0 = state[X0];
        if (t == 0) {
            x0.assign(x);
            put(ESTIMATE, initialDistance(x));
        }
        double distance = x0.distance2(x);
        double maxDistance = Math.max(get(ESTIMATE), distance);
        double sumSquares = get(SUM) + g.mul(g).sumNumber().doubleValue();
        double eta = maxDistance / Math.sqrt(sumSquares + config.getEpsilon());
        if (t == 0 && config.getInitialStepType() == Dog.InitialStep.LEARNING_RATE) {
            eta = config.getInitialStep();
        }
        g.muli(eta).muli(lr);
        put(ESTIMATE, maxDistance);
        put(SUM, sumSquares);
        recordStep(eta, lr);
    }

    private double initialDistance(INDArray x) {
        switch (config.getInitialStepType()) {
            case HEURISTIC:
                return config.getInitialStep() * (1 + x.norm2Number().doubleValue());
            case DISTANCE:
                return config.getInitialStep();
            default:
                return 0;
        }
    }
}
