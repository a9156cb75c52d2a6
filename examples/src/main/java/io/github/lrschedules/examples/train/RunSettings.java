package io.github.lrschedules.examples.train;

import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.schedule.Averaging;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Everything about a run except the schedule and the data: the same for every schedule of a comparison. Immutable;
 * built with {@link #builder()}, for example
 * {@code RunSettings.builder().model(ModelKind.MLP).epochs(3).batch(64).learningRate(0.1).build()}, which leaves the
 * rest at the command line's defaults: seed 42, target 0.97, plateau factor 0.1 and patience 2, float32, workspaces
 * on, prefetch 2, about 4 StatsListener reports per epoch, one-cycle's maximum = the learning rate, no weight
 * averaging.
 */
public final class RunSettings {

    private final ModelKind model;
    private final int epochs;
    private final int batch;
    private final double learningRate;
    private final long seed;
    private final double target;
    private final double plateauFactor;
    private final int plateauPatience;
    private final DataType dataType;
    private final WorkspaceMode workspaceMode;
    private final int prefetch;
    private final int statsEvery;
    private final double oneCycleMax;
    private final Averaging averaging;

    private RunSettings(Builder b) {
        this.model = b.model;
        this.epochs = b.epochs;
        this.batch = b.batch;
        this.learningRate = b.learningRate;
        this.seed = b.seed;
        this.target = b.target;
        this.plateauFactor = b.plateauFactor;
        this.plateauPatience = b.plateauPatience;
        this.dataType = b.dataType;
        this.workspaceMode = b.workspaceMode;
        this.prefetch = b.prefetch;
        this.statsEvery = b.statsEvery;
        this.oneCycleMax = b.oneCycleMax == null ? b.learningRate : b.oneCycleMax;
        this.averaging = b.averaging;
    }

    /** A builder with the defaults above; {@link Builder#model} and {@link Builder#learningRate} must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change one of them. */
    public Builder toBuilder() {
        Builder b = new Builder().model(model).epochs(epochs).batch(batch).learningRate(learningRate).seed(seed)
                .target(target).plateauFactor(plateauFactor).plateauPatience(plateauPatience).dataType(dataType)
                .workspaceMode(workspaceMode).prefetch(prefetch).statsEvery(statsEvery).averaging(averaging);
        return oneCycleMax == learningRate ? b : b.oneCycleMax(oneCycleMax);
    }

    /** This run's settings with {@code max} as the one-cycle schedule's maximum. */
    public RunSettings withOneCycleMax(double max) {
        return toBuilder().oneCycleMax(max).build();
    }

    public ModelKind model() {
        return model;
    }

    public int epochs() {
        return epochs;
    }

    public int batch() {
        return batch;
    }

    /** Maximum of the one-cycle schedule: --max-lr, else the learning rate. */
    public double oneCycleMax() {
        return oneCycleMax;
    }

    public double learningRate() {
        return learningRate;
    }

    public long seed() {
        return seed;
    }

    /** Test accuracy that {@code epochs_to_target} waits for. */
    public double target() {
        return target;
    }

    public double plateauFactor() {
        return plateauFactor;
    }

    public int plateauPatience() {
        return plateauPatience;
    }

    public DataType dataType() {
        return dataType;
    }

    public WorkspaceMode workspaceMode() {
        return workspaceMode;
    }

    public int prefetch() {
        return prefetch;
    }

    /** StatsListener reporting frequency in iterations; 0 picks about 4 reports per epoch. */
    public int statsEvery() {
        return statsEvery;
    }

    /** The weight average every schedule's run keeps ({@code compare --average}), or null for none. */
    public Averaging averaging() {
        return averaging;
    }

    /** Batch size for evaluation: larger than for training, as no gradients are kept. */
    public int evaluationBatch() {
        return Math.max(batch, 500);
    }

    /** Settings by name; {@link #build()} checks them, naming the setting and the value. */
    public static final class Builder {
        private ModelKind model;
        private int epochs = 15;
        private int batch = 64;
        private double learningRate = Double.NaN;
        private long seed = 42;
        private double target = 0.97;
        private double plateauFactor = 0.1;
        private int plateauPatience = 2;
        private DataType dataType = DataType.FLOAT;
        private WorkspaceMode workspaceMode = WorkspaceMode.ENABLED;
        private int prefetch = 2;
        private int statsEvery;
        /** null: the learning rate. */
        private Double oneCycleMax;
        private Averaging averaging;

        private Builder() {
        }

        public Builder model(ModelKind model) {
            this.model = model;
            return this;
        }

        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder batch(int batch) {
            this.batch = batch;
            return this;
        }

        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder target(double target) {
            this.target = target;
            return this;
        }

        public Builder plateauFactor(double plateauFactor) {
            this.plateauFactor = plateauFactor;
            return this;
        }

        public Builder plateauPatience(int plateauPatience) {
            this.plateauPatience = plateauPatience;
            return this;
        }

        public Builder dataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        public Builder workspaceMode(WorkspaceMode workspaceMode) {
            this.workspaceMode = workspaceMode;
            return this;
        }

        public Builder prefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        public Builder statsEvery(int statsEvery) {
            this.statsEvery = statsEvery;
            return this;
        }

        /** The one-cycle schedule's maximum; not set: the learning rate. */
        public Builder oneCycleMax(double oneCycleMax) {
            this.oneCycleMax = oneCycleMax;
            return this;
        }

        /** The weight average every schedule's run keeps; null (the default): none. */
        public Builder averaging(Averaging averaging) {
            this.averaging = averaging;
            return this;
        }

        /** @throws IllegalArgumentException naming the first setting that is missing or out of range */
        public RunSettings build() {
            check(model != null, "model", model, "must be set");
            check(epochs >= 1, "epochs", epochs, "must be >= 1");
            check(batch >= 1, "batch", batch, "must be >= 1");
            check(learningRate > 0 && Double.isFinite(learningRate), "learningRate", learningRate,
                    "must be > 0 and finite");
            check(target > 0 && target <= 1, "target", target, "must be in (0, 1]");
            check(plateauFactor > 0 && plateauFactor < 1, "plateauFactor", plateauFactor, "must be in (0, 1)");
            check(plateauPatience >= 0, "plateauPatience", plateauPatience, "must be >= 0");
            check(dataType != null, "dataType", dataType, "must be set");
            check(workspaceMode != null, "workspaceMode", workspaceMode, "must be set");
            check(prefetch >= 0, "prefetch", prefetch, "must be >= 0");
            check(statsEvery >= 0, "statsEvery", statsEvery, "must be >= 0");
            check(oneCycleMax == null || oneCycleMax > 0 && Double.isFinite(oneCycleMax), "oneCycleMax",
                    oneCycleMax, "must be > 0 and finite");
            check(averaging == null || averaging.kind() != Averaging.Kind.SWA || averaging.startEpoch() < epochs,
                    "averaging", averaging, "must start before the last epoch ends (epochs " + epochs + ")");
            return new RunSettings(this);
        }

        private static void check(boolean ok, String name, Object value, String rule) {
            if (!ok) {
                throw new IllegalArgumentException(name + " (" + value + ") " + rule);
            }
        }
    }
}
