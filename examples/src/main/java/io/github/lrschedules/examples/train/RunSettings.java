package io.github.lrschedules.examples.train;

import io.github.lrschedules.examples.model.ModelKind;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.nd4j.linalg.api.buffer.DataType;

/** Everything about a run except the schedule and the data: the same for every schedule of a comparison. */
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
    private double oneCycleMax = Double.NaN;

    public RunSettings(ModelKind model, int epochs, int batch, double learningRate, long seed, double target,
                       double plateauFactor, int plateauPatience, DataType dataType, WorkspaceMode workspaceMode,
                       int prefetch, int statsEvery) {
        this.model = model;
        this.epochs = epochs;
        this.batch = batch;
        this.learningRate = learningRate;
        this.seed = seed;
        this.target = target;
        this.plateauFactor = plateauFactor;
        this.plateauPatience = plateauPatience;
        this.dataType = dataType;
        this.workspaceMode = workspaceMode;
        this.prefetch = prefetch;
        this.statsEvery = statsEvery;
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

    /** This run's settings with {@code max} as the one-cycle schedule's maximum. */
    public RunSettings withOneCycleMax(double max) {
        RunSettings copy = new RunSettings(model, epochs, batch, learningRate, seed, target, plateauFactor,
                plateauPatience, dataType, workspaceMode, prefetch, statsEvery);
        copy.oneCycleMax = max;
        return copy;
    }

    /** Maximum of the one-cycle schedule: --max-lr, else the learning rate. */
    public double oneCycleMax() {
        return Double.isNaN(oneCycleMax) ? learningRate : oneCycleMax;
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

    /** StatsListener reporting frequency in iterations; 0 picks about 20 reports per epoch. */
    public int statsEvery() {
        return statsEvery;
    }

    /** Batch size for evaluation: larger than for training, as no gradients are kept. */
    public int evaluationBatch() {
        return Math.max(batch, 500);
    }
}
