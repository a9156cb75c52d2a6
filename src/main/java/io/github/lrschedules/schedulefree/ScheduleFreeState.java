package io.github.lrschedules.schedulefree;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The layout of one updater block's slice of DL4J's flat updater state view, for {@code n} parameters:
 *
 * <pre>
 * [0, n)        z   (the fast sequence)
 * [n, 2n)       x   (the weighted average: the evaluation weights)
 * [2n, 3n)      v   (AdamW only: the second moment)
 * then          step count t, weight sum, lr_max, absolute flag (4 numbers)
 * </pre>
 *
 * DL4J sizes a block's slice as the sum of {@code stateSize(n_i)} over the parameter arrays in it, so a block of
 * {@code k} arrays has {@code 4k} slots after the arrays; the first four are used. While the absolute flag is 0,
 * {@code z} and {@code x} are offsets from the initial parameters (an all-zero view is the initial state: every
 * update of z, x and y is affine with weights summing to 1, so offsets give the same trajectory); once
 * {@link ScheduleFree#attach} has seeded them they are the absolute values, which decoupled weight decay needs.
 */
final class ScheduleFreeState {

    static final int SCALARS = 4;
    static final int STEP = 0;
    static final int WEIGHT_SUM = 1;
    static final int LR_MAX = 2;
    static final int ABSOLUTE = 3;

    final INDArray z;
    final INDArray x;
    final INDArray v;
    private final INDArray view;
    private final long scalarOffset;

    ScheduleFreeState(INDArray updaterView, long numParams, int stateArrays) {
        this.view = flat(updaterView);
        long needed = stateArrays * numParams + SCALARS;
        if (view.length() < needed) {
            throw new IllegalStateException("updater state view holds " + view.length() + " values, " + needed
                    + " needed for " + numParams + " parameters: the view was not sized by this updater's stateSize");
        }
        this.z = slice(0, numParams);
        this.x = slice(numParams, numParams);
        this.v = stateArrays == 3 ? slice(2 * numParams, numParams) : null;
        this.scalarOffset = stateArrays * numParams;
    }

    private INDArray slice(long start, long length) {
        return view.get(NDArrayIndex.interval(start, start + length));
    }

    double get(int scalar) {
        return view.getDouble(scalarOffset + scalar);
    }

    void put(int scalar, double value) {
        view.putScalar(scalarOffset + scalar, value);
    }

    boolean absolute() {
        return get(ABSOLUTE) != 0;
    }

    /** {@code a} as a rank-1 view of the same memory (DL4J hands row vectors {@code [1, n]}). */
    static INDArray flat(INDArray a) {
        if (a.rank() == 1) {
            return a;
        }
        if (!a.isVectorOrScalar()) {
            throw new IllegalStateException("expected a vector, got shape " + java.util.Arrays.toString(a.shape()));
        }
        return a.reshape(a.length());
    }

    /**
     * {@code a} of any shape as a rank-1 view of the same memory in c order (SameDiff hands each variable's gradient
     * in the variable's own shape, {@code [nIn, nOut]} for a weight matrix), or null when no such view exists (an
     * array that is not c-contiguous): the state's element {@code i} belongs to element {@code i} of the variable
     * in c order.
     */
    static INDArray flatView(INDArray a) {
        if (a.rank() <= 1 || a.isVectorOrScalar()) {
            return flat(a);
        }
        if (a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a)) {
            return a.reshape('c', new long[] {a.length()});
        }
        return null;
    }
}
