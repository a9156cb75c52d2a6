package io.github.lrschedules.lrfree;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link DAdaptAdam}'s step on one block, in optax's order of operations ({@code optax.contrib.dadapt_adamw}). Arrays:
 * the first moment {@code m} (which already holds the step size), the second moment {@code v}, the weighted
 * gradient sum {@code s}.
 */
final class DAdaptAdamUpdater extends LearningRateFreeUpdater {

    private static final int M = 0;
    private static final int V = 1;
    private static final int S = 2;
    static final int ARRAYS = 3;

    private final DAdaptAdam config;

    DAdaptAdamUpdater(DAdaptAdam config) {
        super(config, ARRAYS);
        this.config = config;
    }

    @Override
    boolean needsParameters() {
        return config.getWeightDecay() != 0;
    }

    @Override
    void step(INDArray g, INDArray x, long t, double lr) {
        INDArray m = state[M];
        INDArray v = state[V];
        INDArray s = state[S];
        if (t == 0) {
            put(ESTIMATE, config.getEstimatedLr0());
        }
        double beta1 = config.getBeta1();
        double beta2 = config.getBeta2();
        double eps = config.getEpsilon();
        double sb2 = Math.sqrt(beta2);
        double d = get(ESTIMATE);
        double k = t + 1;
        double bc = Math.sqrt(1 - Math.pow(beta2, k)) / (1 - Math.pow(beta1, k));
        double dlr = d * lr * bc;
        double numeratorAccumulated = g.mul(s.div(Transforms.sqrt(v, true).addi(eps))).sumNumber().doubleValue();
        m.muli(beta1).addi(g.mul((1 - beta1) * dlr));
        v.muli(beta2).addi(g.mul(1 - beta2).muli(g));
        s.muli(sb2).addi(g.mul((1 - sb2) * dlr));
        double l1 = Transforms.abs(s, true).sumNumber().doubleValue();
        double numeratorWeighted = sb2 * get(SUM) + (1 - sb2) * dlr * numeratorAccumulated;
        double next = d;
        if (l1 > 0) {
            // optax divides 0 by 0 here (NaN) while every s is still 0, e.g. at lr(0) = 0 of a warmup
            next = Math.max(d, numeratorWeighted / ((1 - sb2) * l1));
        }
        // the update DL4J subtracts: m / (sqrt(v) + eps) + weightDecay * dlr * x
        INDArray update = m.div(Transforms.sqrt(v, true).addi(eps));
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
