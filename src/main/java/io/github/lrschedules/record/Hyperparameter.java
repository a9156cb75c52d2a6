package io.github.lrschedules.record;

import io.github.lrschedules.lrfree.DAdaptAdam;
import io.github.lrschedules.lrfree.Prodigy;
import io.github.lrschedules.schedulefree.AdamWScheduleFree;
import io.github.lrschedules.schedulefree.SgdScheduleFree;
import io.github.lrschedules.updater.ScheduledAdam;
import io.github.lrschedules.updater.SgdMomentum;
import java.util.List;
import org.nd4j.linalg.learning.config.AMSGrad;
import org.nd4j.linalg.learning.config.AdaBelief;
import org.nd4j.linalg.learning.config.AdaMax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nadam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * A hyperparameter that {@link LearningRateRecorder} records beside the learning rate when asked (Lightning's
 * {@code LearningRateMonitor(log_momentum=True, log_weight_decay=True)}), per parameter, in a column named
 * {@code "<name>:<parameter key>"} ({@code momentum:0_W}, {@code weightDecay:0_b}): the value the step of that
 * iteration used, read from the parameter's updater configuration and regularization at that moment.
 *
 * <p>A parameter gets a column for a hyperparameter only if its configuration has it when the recorder first sees the
 * model; a row where it has none (another updater installed since) holds NaN. Where several regularizations of one
 * kind apply to a parameter, the column holds their sum (their effects add up).
 */
public enum Hyperparameter {

    /**
     * The momentum, or Adam's {@code beta1}: {@code Nesterovs} (its momentum schedule, else its momentum),
     * {@code Adam}, {@code AdaMax}, {@code Nadam}, {@code AMSGrad}, {@code AdaBelief} ({@code beta1}),
     * {@code ScheduledAdam} (its {@code beta1} schedule), {@code SgdMomentum}, {@code SgdScheduleFree} (its momentum,
     * the interpolation {@code beta}), {@code AdamWScheduleFree}, {@code Prodigy}, {@code DAdaptAdam} ({@code beta1}).
     */
    MOMENTUM("momentum"),

    /**
     * Weight decay whose step is multiplied by the learning rate, {@code p -= lr * wd * p} (PyTorch AdamW's
     * {@code weight_decay}): the updater's own ({@code ScheduledAdam}'s weight-decay schedule,
     * {@code AdamWScheduleFree}, {@code Prodigy}, {@code DAdaptAdam}) plus DL4J's {@code WeightDecay(coeff, true)}
     * (its coefficient schedule; {@code applyLR = true}, DL4J's default).
     */
    WEIGHT_DECAY("weightDecay"),

    /** DL4J's {@code WeightDecay(coeff, false)} (its coefficient schedule): {@code p -= wd * p}, no learning rate. */
    WEIGHT_DECAY_WITHOUT_LR("weightDecayWithoutLr"),

    /** DL4J's {@code L2Regularization} coefficient ({@code l2(...)}): {@code l2 * p} added to the gradient. */
    L2("l2"),

    /** DL4J's {@code L1Regularization} coefficient ({@code l1(...)}): {@code l1 * sign(p)} added to the gradient. */
    L1("l1");

    private final String columnName;

    Hyperparameter(String columnName) {
        this.columnName = columnName;
    }

    /** The name in column keys and CSV headers: {@code momentum}, {@code weightDecay}, ... */
    public String columnName() {
        return columnName;
    }

    /** The column key of this hyperparameter of a parameter: {@code "momentum:0_W"}. */
    public String key(String parameterKey) {
        return columnName + ':' + parameterKey;
    }

    /** The hyperparameter a column key names ({@code "momentum:0_W"}), or null if it names none. */
    public static Hyperparameter ofKey(String key) {
        int colon = key.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        for (Hyperparameter h : values()) {
            if (h.columnName.length() == colon && key.startsWith(h.columnName)) {
                return h;
            }
        }
        return null;
    }

    /** The parameter key of a column key ({@code "0_W"} of {@code "momentum:0_W"}). */
    public static String parameterOfKey(String key) {
        return key.substring(key.indexOf(':') + 1);
    }

    /** Whether this is one of the weight-decay kinds (all but {@link #MOMENTUM}). */
    public boolean isWeightDecay() {
        return this != MOMENTUM;
    }

    /**
     * The value a step at {@code (iteration, epoch)} uses for a parameter trained by {@code updater} with
     * {@code regularization} (may be null), or NaN if that configuration has none.
     */
    double valueAt(IUpdater updater, List<Regularization> regularization, int iteration, int epoch) {
        switch (this) {
            case MOMENTUM:
                return momentum(updater, iteration, epoch);
            case WEIGHT_DECAY:
                return sum(updaterWeightDecay(updater, iteration, epoch), regularization, iteration, epoch);
            default:
                return sum(Double.NaN, regularization, iteration, epoch);
        }
    }

    private static double momentum(IUpdater u, int iteration, int epoch) {
        if (u instanceof Nesterovs) {
            return ((Nesterovs) u).currentMomentum(iteration, epoch);
        } else if (u instanceof Adam) {
            return ((Adam) u).getBeta1();
        } else if (u instanceof AdaMax) {
            return ((AdaMax) u).getBeta1();
        } else if (u instanceof Nadam) {
            return ((Nadam) u).getBeta1();
        } else if (u instanceof AMSGrad) {
            return ((AMSGrad) u).getBeta1();
        } else if (u instanceof AdaBelief) {
            return ((AdaBelief) u).getBeta1();
        } else if (u instanceof ScheduledAdam) {
            return ((ScheduledAdam) u).beta1(iteration, epoch);
        } else if (u instanceof SgdMomentum) {
            return ((SgdMomentum) u).getMomentum();
        } else if (u instanceof SgdScheduleFree) {
            return ((SgdScheduleFree) u).getMomentum();
        } else if (u instanceof AdamWScheduleFree) {
            return ((AdamWScheduleFree) u).getBeta1();
        } else if (u instanceof Prodigy) {
            return ((Prodigy) u).getBeta1();
        } else if (u instanceof DAdaptAdam) {
            return ((DAdaptAdam) u).getBeta1();
        }
        return Double.NaN;
    }

    /** The updater's own decoupled weight decay, or NaN if it has none. */
    private static double updaterWeightDecay(IUpdater u, int iteration, int epoch) {
        if (u instanceof ScheduledAdam) {
            return ((ScheduledAdam) u).weightDecay(iteration, epoch);
        } else if (u instanceof AdamWScheduleFree) {
            return ((AdamWScheduleFree) u).getWeightDecay();
        } else if (u instanceof Prodigy) {
            return ((Prodigy) u).getWeightDecay();
        } else if (u instanceof DAdaptAdam) {
            return ((DAdaptAdam) u).getWeightDecay();
        }
        return Double.NaN;
    }

    /** {@code start} (NaN: nothing yet) plus the coefficient of every regularization of this kind. */
    private double sum(double start, List<Regularization> regularization, int iteration, int epoch) {
        double total = start;
        if (regularization != null) {
            for (int i = 0; i < regularization.size(); i++) {
                double c = coefficient(regularization.get(i), iteration, epoch);
                if (!Double.isNaN(c)) {
                    total = Double.isNaN(total) ? c : total + c;
                }
            }
        }
        return total;
    }

    private double coefficient(Regularization r, int iteration, int epoch) {
        if (r instanceof WeightDecay) {
            WeightDecay decay = (WeightDecay) r;
            boolean wanted = this == (decay.isApplyLR() ? WEIGHT_DECAY : WEIGHT_DECAY_WITHOUT_LR);
            return wanted ? decay.getCoeff().valueAt(iteration, epoch) : Double.NaN;
        } else if (r instanceof L2Regularization && this == L2) {
            return ((L2Regularization) r).getL2().valueAt(iteration, epoch);
        } else if (r instanceof L1Regularization && this == L1) {
            return ((L1Regularization) r).getL1().valueAt(iteration, epoch);
        }
        return Double.NaN;
    }
}
