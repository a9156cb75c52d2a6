package io.github.lrschedules.averaging;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code average = average + weight * (params - average)} in place: PyTorch's {@code lerp_}, which both
 * {@code AveragedModel} and timm's {@code ModelEmaV3} use, with its two forms
 * ({@code a + w (p - a)} for {@code w < 0.5}, {@code p - (p - a)(1 - w)} otherwise).
 *
 * <p>On the CPU backend, for float and double arrays that each cover their whole buffer (a network's {@code params()}
 * and the average do), one pass over the two buffers in Java: no ND4J call, no allocation; the buffer views are made
 * at the first call and kept while the arrays keep their buffers. Elsewhere (CUDA, half precision, partial views) two
 * in-place ND4J passes, {@code average *= 1 - w} and {@code average += w * params}, that allocate no array.
 */
final class Lerp {

    /** Switch for the tests, which check both paths against the same reference. */
    static volatile boolean allowDirect = true;

    private DataBuffer averageData;
    private DataBuffer paramsData;
    private DoubleBuffer averageDoubles;
    private DoubleBuffer paramsDoubles;
    private FloatBuffer averageFloats;
    private FloatBuffer paramsFloats;

    /** Moves {@code average} towards {@code params} by {@code weight}; {@code weight == 1} copies exactly. */
    void apply(INDArray average, INDArray params, double weight) {
        if (weight == 1.0) {
            average.assign(params);
            return;
        }
        if (!direct(average, params)) {
            INDArray p = Arrays.equals(params.shape(), average.shape()) ? params : params.reshape(average.shape());
            average.muli(1 - weight);
            Nd4j.getExecutioner().exec(new Axpy(p, average, average, weight));
            return;
        }
        if (averageDoubles != null) {
            lerp(averageDoubles, paramsDoubles, (int) average.length(), weight);
        } else {
            lerp(averageFloats, paramsFloats, (int) average.length(), weight);
        }
    }

    private static void lerp(DoubleBuffer a, DoubleBuffer p, int n, double w) {
        if (w < 0.5) {
            for (int i = 0; i < n; i++) {
                double ai = a.get(i);
                a.put(i, ai + w * (p.get(i) - ai));
            }
        } else {
            double rest = 1 - w;
            for (int i = 0; i < n; i++) {
                double pi = p.get(i);
                a.put(i, pi - (pi - a.get(i)) * rest);
            }
        }
    }

    private static void lerp(FloatBuffer a, FloatBuffer p, int n, double weight) {
        float w = (float) weight;
        if (weight < 0.5) {
            for (int i = 0; i < n; i++) {
                float ai = a.get(i);
                a.put(i, ai + w * (p.get(i) - ai));
            }
        } else {
            float rest = (float) (1 - weight);
            for (int i = 0; i < n; i++) {
                float pi = p.get(i);
                a.put(i, pi - (pi - a.get(i)) * rest);
            }
        }
    }

    /** True if the one-pass Java loop applies; binds the buffer views when the arrays' buffers changed. */
    private boolean direct(INDArray average, INDArray params) {
        DataBuffer a = average.data();
        DataBuffer p = params.data();
        if (allowDirect && a == averageData && p == paramsData) {
            return true;
        }
        averageData = null;
        paramsData = null;
        averageDoubles = null;
        paramsDoubles = null;
        averageFloats = null;
        paramsFloats = null;
        DataType type = average.dataType();
        if (!allowDirect || !Nd4j.getEnvironment().isCPU() || type != params.dataType()
                || (type != DataType.DOUBLE && type != DataType.FLOAT)
                || !ownsWholeBuffer(average) || !ownsWholeBuffer(params)
                || average.length() != params.length() || average.length() > Integer.MAX_VALUE / 8) {
            return false;
        }
        if (type == DataType.DOUBLE) {
            averageDoubles = a.asNioDouble();
            paramsDoubles = p.asNioDouble();
        } else {
            averageFloats = a.asNioFloat();
            paramsFloats = p.asNioFloat();
        }
        averageData = a;
        paramsData = p;
        return true;
    }

    /** True if element {@code i} of {@code array} is element {@code i} of its buffer (a graph's params() is a view of that kind). */
    private static boolean ownsWholeBuffer(INDArray array) {
        DataBuffer data = array.data();
        return data.offset() == 0 && data.length() == array.length() && array.elementWiseStride() == 1;
    }
}
