package io.github.lrschedules.examples.schedule;

import io.github.lrschedules.lrfree.DAdaptAdam;
import io.github.lrschedules.lrfree.Dog;
import io.github.lrschedules.lrfree.Prodigy;
import io.github.lrschedules.schedule.CosineDecaySchedule;
import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.examples.train.RunSettings;
import io.github.lrschedules.plateau.GreedyLrListener;
import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.schedule.CosineRestartsSchedule;
import io.github.lrschedules.schedule.CyclicSchedule;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.schedule.WarmupStableDecaySchedule;
import io.github.lrschedules.schedulefree.AdamWScheduleFree;
import io.github.lrschedules.schedulefree.SgdScheduleFree;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The schedules {@code compare} can train, each fitted to the run's length, all on a Nesterovs updater (momentum
 * 0.9) and all peaking at {@code --lr} (η below), so that the comparison is about the shape alone; beside them the
 * two schedule-free updaters, which need no schedule. With {@code E} epochs of {@code B} batches,
 * {@code T = E * B} iterations:
 */
public enum ScheduleName {

    /** η throughout: the baseline. */
    CONSTANT("η throughout (the baseline)") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            double lr = plan.settings().learningRate();
            return new ScheduleSetup(new Nesterovs(lr, SchedulePlan.MOMENTUM), "Nesterovs(" + lr + ", 0.9)");
        }
    },

    /** η, times 0.1 after 50% and again after 75% of the epochs (PyTorch MultiStepLR; the ResNet recipe). */
    MILESTONE("η, ×0.1 at 50% and 75% of the epochs") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            ISchedule lr = MilestoneStepSchedule.atFractions(ScheduleType.EPOCH, plan.settings().learningRate(), 0.1,
                    plan.settings().epochs(), 0.5, 0.75);
            return withSchedule(lr);
        }
    },

    /** Linear warmup from 0 over half an epoch, then cosine to 0 at the last iteration. */
    WARMCOSINE("linear warmup over half an epoch, then cosine to 0") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            int total = plan.totalIterations();
            int warmup = Math.min(plan.batchesPerEpoch() / 2, total - 1);
            // minValue and warmupStartValue: the builder's 0
            return withSchedule(WarmupCosineSchedule.builder(ScheduleType.ITERATION, plan.settings().learningRate(),
                    total).warmupSteps(warmup).build());
        }
    },

    /** SGDR: cosine from η to 0 in cycles of T/7, 2T/7 and 4T/7 iterations (cycle multiplier 2). */
    RESTARTS("cosine warm restarts (SGDR), cycles of T/7, 2T/7, 4T/7") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            int firstCycle = Math.max(1, (plan.totalIterations() + 6) / 7);
            return withSchedule(CosineRestartsSchedule.builder(ScheduleType.ITERATION, plan.settings().learningRate(),
                    firstCycle).cycleMultiplier(2.0).build());
        }
    },

    /**
     * One-cycle: η/25 up to η over the first 30% of the iterations, then cosine down to η/25/1e4; momentum 0.95 down to
     * 0.85 and back, against the learning rate.
     */
    ONECYCLE("one-cycle: η/25 → η (30%) → η/2.5e5, momentum 0.95 ↔ 0.85") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            int total = plan.totalIterations();
            ISchedule lr;
            ISchedule momentum;
            try {
                // PyTorch's defaults: pctStart 0.3, divFactor 25, finalDivFactor 1e4, cosine, momentum 0.85-0.95
                OneCycleSchedule.Builder oneCycle = OneCycleSchedule.builder(ScheduleType.ITERATION,
                        plan.settings().oneCycleMax(), total);
                lr = oneCycle.build();
                momentum = oneCycle.buildMomentum();
            } catch (IllegalArgumentException e) {
                throw new ExamplesException("onecycle cannot fit a run of " + total + " iterations: " + e.getMessage()
                        + "; train longer (--epochs) or with smaller batches (--batch)", e);
            }
            return new ScheduleSetup(new Nesterovs(lr, momentum), "Nesterovs(" + lr + ", " + momentum + ")");
        }
    },

    /** Triangles between η/10 and η, T/8 iterations up and T/8 down, amplitude halved every cycle (CLR triangular2). */
    CYCLIC("triangular2 cycles between η/10 and η, 4 cycles") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            int half = Math.max(1, plan.totalIterations() / 8);
            double lr = plan.settings().learningRate();
            // stepDown: the builder's default, stepUp
            return withSchedule(CyclicSchedule.builder(ScheduleType.ITERATION, lr / 10, lr, half)
                    .mode(CyclicSchedule.Mode.TRIANGULAR2).build());
        }
    },

    /**
     * η, multiplied by the plateau factor whenever the loss on the held-out split has not improved for the patience's
     * number of epochs (PyTorch ReduceLROnPlateau), down to η/1000.
     */
    PLATEAU("η, reduced when the held-out loss stops improving") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            if (plan.validation() == null) {
                throw new ExamplesException("plateau needs a held-out split to monitor: use a --val-fraction > 0");
            }
            RunSettings settings = plan.settings();
            double lr = settings.learningRate();
            ReduceLROnPlateauListener.Builder plateau = ReduceLROnPlateauListener.builder()
                    .factor(settings.plateauFactor())
                    .patience(settings.plateauPatience())
                    .minLr(lr / 1000);
            ReduceLROnPlateauListener listener = plan.validationReported()
                    ? plateau.reported(PlateauTracker.Mode.MIN).build()
                    : plateau.validationLoss(plan.validation()).build();
            // the settings, not the listener's toString: that shows its state (best=Infinity before the first epoch)
            return new ScheduleSetup(new Nesterovs(lr, SchedulePlan.MOMENTUM), listener, "Nesterovs(" + lr + ", 0.9) + "
                    + "ReduceLROnPlateau(held-out loss, factor=" + settings.plateauFactor() + ", patience="
                    + settings.plateauPatience() + ", minLr=" + lr / 1000 + ")");
        }
    },

    /**
     * Warmup-stable-decay: linear warmup from 0 over half an epoch, η, then a 1-sqrt cool-down to 0 over the last 20%
     * of the iterations (the builder's default length).
     */
    /**
     * η, changed by Hugging Face's GreedyLR rule on the held-out loss (transformers 5.x): raised by the plateau factor's
     * inverse while it improves, lowered by it on a plateau of the patience's length, between η/1000 and 10η. Not in
     * the default set of {@code compare}.
     */
    GREEDY("η, raised while the held-out loss improves, lowered on a plateau (GreedyLR)") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            if (plan.validation() == null) {
                throw new ExamplesException("greedy needs a held-out split to monitor: use a --val-fraction > 0");
            }
            RunSettings settings = plan.settings();
            double lr = settings.learningRate();
            GreedyLrListener.Builder greedy = GreedyLrListener.builder()
                    .factor(settings.plateauFactor())
                    .patience(settings.plateauPatience())
                    .minLr(lr / 1000)
                    .maxLr(lr * 10);
            GreedyLrListener listener = plan.validationReported()
                    ? greedy.reported(PlateauTracker.Mode.MIN).build()
                    : greedy.validationLoss(plan.validation()).build();
            return new ScheduleSetup(new Nesterovs(lr, SchedulePlan.MOMENTUM), listener, "Nesterovs(" + lr + ", 0.9) + "
                    + "GreedyLR(held-out loss, factor=" + settings.plateauFactor() + ", patience="
                    + settings.plateauPatience() + ", minLr=" + lr / 1000 + ", maxLr=" + lr * 10 + ")");
        }
    },

    WSD("warmup over half an epoch, η, 1-sqrt cool-down to 0 over the last 20%") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            int total = plan.totalIterations();
            WarmupStableDecaySchedule.Builder builder = WarmupStableDecaySchedule.builder(ScheduleType.ITERATION,
                    plan.settings().learningRate(), total);
            int decay = builder.build().getDecaySteps();
            return withSchedule(builder.warmupSteps(Math.min(plan.batchesPerEpoch() / 2, total - decay)).build());
        }
    },

    /**
     * No schedule: schedule-free SGD (Defazio et al. 2024) at η, momentum 0.9, linear warmup over half an epoch;
     * evaluated at the averaged weights x. Not in the default set of {@code compare}.
     */
    SFSGD("schedule-free SGD at η, warmup half an epoch (evaluated at x)") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            SgdScheduleFree updater = SgdScheduleFree.builder().learningRate(plan.settings().learningRate())
                    .momentum(SchedulePlan.MOMENTUM).warmupSteps(warmup(plan)).build();
            return new ScheduleSetup(updater, updater.toString());
        }
    },

    /**
     * No schedule: schedule-free AdamW at η/40 (the authors' default 0.0025 at the default η = 0.1), betas 0.9/0.999,
     * linear warmup over half an epoch, no weight decay; evaluated at x. Not in the default set of {@code compare}.
     */
    SFADAMW("schedule-free AdamW at η/40, warmup half an epoch (evaluated at x)") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            AdamWScheduleFree updater = AdamWScheduleFree.builder().learningRate(plan.settings().learningRate() / 40)
                    .warmupSteps(warmup(plan)).build();
            return new ScheduleSetup(updater, updater.toString());
        }
    },

    /**
     * No learning rate to choose: Prodigy (Mishchenko and Defazio) with optax's defaults, its rate 1 under a cosine to
     * 0 over the run as the authors recommend; η is not used. Not in the default set of {@code compare}.
     */
    PRODIGY("Prodigy: its own step size d, times a cosine from 1 to 0 (η unused)") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            Prodigy updater = Prodigy.builder().learningRate(cosineFromOne(plan)).build();
            return new ScheduleSetup(updater, updater.toString());
        }
    },

    /** D-Adaptation Adam with optax's defaults under the same cosine; η is not used. Not in the default set. */
    DADAPT("D-Adaptation Adam: its own step size d, times a cosine from 1 to 0 (η unused)") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            DAdaptAdam updater = DAdaptAdam.builder().learningRate(cosineFromOne(plan)).build();
            return new ScheduleSetup(updater, updater.toString());
        }
    },

    /** DoG (Ivgi et al.): no tuning at all, optax's defaults and rate 1; η is not used. Not in the default set. */
    DOG("DoG: distance over gradients, no schedule (η unused)") {
        @Override
        public ScheduleSetup setup(SchedulePlan plan) {
            Dog updater = Dog.builder().build();
            return new ScheduleSetup(updater, updater.toString());
        }
    };

    /** A cosine from 1 to 0 over the run: the multiplier of the learning-rate-free estimates. */
    private static ISchedule cosineFromOne(SchedulePlan plan) {
        return CosineDecaySchedule.builder(ScheduleType.ITERATION, 1.0, Math.max(1, plan.totalIterations())).build();
    }

    private final String summary;

    ScheduleName(String summary) {
        this.summary = summary;
    }

    /** The name on the command line and the session id in {@code stats.dl4j}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** One line on what the schedule does. */
    public String summary() {
        return summary;
    }

    /** The updater and listeners for a run of {@code plan}. */
    public abstract ScheduleSetup setup(SchedulePlan plan);

    private static int warmup(SchedulePlan plan) {
        return Math.min(plan.batchesPerEpoch() / 2, Math.max(0, plan.totalIterations() - 1));
    }

    /** True for the schedule-free updaters, which {@code compare} evaluates at their averaged weights x. */
    public boolean scheduleFree() {
        return this == SFSGD || this == SFADAMW;
    }

    /** True for the learning-rate-free updaters (Prodigy, D-Adaptation Adam, DoG), which estimate their own step. */
    public boolean learningRateFree() {
        return this == PRODIGY || this == DADAPT || this == DOG;
    }

    /**
     * What {@code compare} trains when no {@code --schedules} are given: the seven schedules of the published
     * comparison (README) and of the overhead benchmark; {@code wsd} and the schedule-free updaters run when named.
     */
    public static List<ScheduleName> defaults() {
        List<ScheduleName> names = new ArrayList<>();
        for (ScheduleName s : values()) {
            if (s != WSD && s != GREEDY && !s.scheduleFree() && !s.learningRateFree()) {
                names.add(s);
            }
        }
        return names;
    }

    private static ScheduleSetup withSchedule(ISchedule lr) {
        return new ScheduleSetup(new Nesterovs(lr, SchedulePlan.MOMENTUM), "Nesterovs(" + lr + ", 0.9)");
    }

    /**
     * The schedule called {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException listing the valid names
     */
    public static ScheduleName parse(String name) {
        for (ScheduleName s : values()) {
            if (s.id().equalsIgnoreCase(name.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown schedule '" + name + "'; valid schedules: " + validNames());
    }

    /** {@code constant, milestone, ...} */
    public static String validNames() {
        List<String> names = new ArrayList<>();
        for (ScheduleName s : values()) {
            names.add(s.id());
        }
        return String.join(", ", names);
    }

    @Override
    public String toString() {
        return id();
    }
}
