package io.github.lrschedules.lrfree;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link Prodigy}'s step on one block, in optax's order of operations ({@code optax.contrib.prodigy}). Arrays: the
 * first moment {@code m}, the second moment {@code v}, the weighted gradient sum {@code s}, the initial parameters
 * {@code x0}.
 */
final class ProdigyUpdater extends LearningRateFreeUpdater {

    private static final int M = 0;
    private static final int V = 1;
    private static final int S = 2;
    private static final int X0 = 3;
    static final int ARRAYS = 4;

    private final Prodigy config;

    ProdigyUpdater(Prodigy config) {
        super(config, ARRAYS);
        this.config = config;
    }

    @Override
    boolean needsParameters() {
        return true;
    }

    @Override
    void step(INDArray g, INDArray x, long t, double lr) {
        INDArray m = state[M];
        INDArray v = state[V];
        INDArray s = state[S];
        INDArray x0 = state[X0];
        double d0 = config.getEstimatedLr0();
        if (t == 0) {
            x0.assign(x);
            put(ESTIMATE, d0);
        }
        double beta1 = config.getBeta1();
        double beta2 = config.getBeta2();
        double beta3 = config.getBeta3();
        double d = get(ESTIMATE);
        double numeratorWeighted = get(SUM);
        double k = t + 1;
        double bc = Math.sqrt(1 - Math.pow(beta2, k)) / (1 - Math.pow(beta1, k));
        double dlr = d * lr * bc;
        double numeratorAccumulated = g.mul(x0.sub(x)).sumNumber().doubleValue();
        INDArray dg = g.mul(d);
        m.muli(beta1).addi(dg.mul(1 - beta1));
        v.muli(beta2).addi(dg.mul(1 - beta2).muli(dg));
        double sScale = config.isSafeguardWarmup() ? d : dlr;
        s.muli(beta3).addi(dg.mul(sScale).divi(d0));
        numeratorWeighted = beta3 * numeratorWeighted + (d / d0) * dlr * numeratorAccumulated;
        double denominator = Transforms.abs(s, true).sumNumber().doubleValue();
        double next = d;
        if (denominator > 0) {
            // optax divides 0 by 0 here (NaN) while every s is still 0, e.g. at lr(0) = 0 of a warmup
            next = Math.max(d, config.getEstimatedLrCoefficient() * numeratorWeighted / denominator);
        }
        // the update DL4J subtracts: dlr * m / (sqrt(v) + d' * eps) + weightDecay * dlr * x  (d' the new estimate)
        INDArray update = m.mul(dlr).divi(Transforms.sqrt(v, true).addi(next * config.getEpsilon()));
        double wd = config.getWeightDecay();
        if (wd != 0) {
            update.addi(x.mul(wd * dlr));
        }
        g.assign(update);
        put(ESTIMATE, next);
        put(SUM, numeratorWeighted);
        recordStep(d, lr);
    }
}
