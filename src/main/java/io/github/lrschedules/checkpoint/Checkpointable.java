package io.github.lrschedules.checkpoint;

import java.io.Serializable;

/**
 * Something whose state travels in a {@link Checkpoint} beside the model: a listener that decides from what it saw
 * (the plateau listener's best value and patience counter), or a training loop's own record. The state is stored
 * with Java serialization under {@code objects/<checkpointKey()>}, where {@code ModelSerializer.getObjectFromFile}
 * reads it too.
 *
 * <p>{@link io.github.lrschedules.plateau.ReduceLROnPlateauListener} implements it; so can a user's listener:
 * <pre>{@code
 * Checkpoint.of(net).state(plateau).state(myListener).write(Paths.get("run/checkpoint.zip"));
 * // after a restart
 * MultiLayerNetwork net = Checkpoint.restoreMultiLayerNetwork(file);
 * Checkpoint.restore(file, plateau, myListener);
 * }</pre>
 *
 * @param <S> the state's class; an immutable value is best, since the checkpoint serializes it when it is taken
 */
public interface Checkpointable<S extends Serializable> {

    /**
     * The key of the state among the checkpoint's objects: stable across releases (a resumed run looks it up by
     * this name), not one of ModelSerializer's own entry names ({@code configuration.json}, {@code coefficients.bin},
     * {@code updaterState.bin}, {@code normalizer.bin}, {@code preprocessor.bin}, {@code noParams.marker}).
     */
    String checkpointKey();

    /** The state now, to be written into a checkpoint. */
    S state();

    /** Continues from {@code state}, as taken by {@link #state()} (possibly by an earlier process). */
    void restore(S state);
}
