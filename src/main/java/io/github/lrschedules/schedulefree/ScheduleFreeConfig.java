package io.github.lrschedules.schedulefree;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * What {@link ScheduleFreeGradientUpdater} and {@link ScheduleFree} read from either schedule-free updater
 * configuration. Package-private: the two public classes are {@link SgdScheduleFree} and {@link AdamWScheduleFree}.
 */
interface ScheduleFreeConfig extends IUpdater {

    /** Interpolation weight between {@code x} and {@code z}: momentum (SGD) or beta1 (AdamW). */
    double interpolation();

    int warmupSteps();

    /** Decoupled weight decay (AdamW); 0 for SGD. */
    double decoupledWeightDecay();

    /** True for AdamW: a third state array {@code v} and the normalised step. */
    boolean adaptive();

    /** Second-moment decay (AdamW only). */
    double secondMomentDecay();

    /** Added to the square root of the second moment (AdamW only). */
    double epsilon();

    /** Number of per-parameter state arrays: 2 (z, x) for SGD, 3 (z, x, v) for AdamW. */
    default int stateArrays() {
        return adaptive() ? 3 : 2;
    }

    /** {@link #stateArrays()} values per parameter, plus the per-array scalars (step, weight sum, lr_max, flag). */
    @Override
    default long stateSize(long numParams) {
        return stateArrays() * numParams + ScheduleFreeState.SCALARS;
    }

    @Override
    default GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        ScheduleFreeGradientUpdater updater = new ScheduleFreeGradientUpdater(this);
        updater.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return updater;
    }

    @Override
    default GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        ScheduleFreeGradientUpdater updater = new ScheduleFreeGradientUpdater(this);
        updater.setState(updaterState, initializeStateArrays);
        return updater;
    }
}
