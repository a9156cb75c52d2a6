package io.github.lrschedules.plateau;

import io.github.lrschedules.internal.ModelZips;
import java.io.File;
import java.io.IOException;
import org.deeplearning4j.nn.api.Model;

/**
 * Reads and writes a {@link ReduceLROnPlateauState} among the extra objects of a {@code ModelSerializer} zip (key
 * {@link ReduceLROnPlateauListener#STATE_KEY}), atomically ({@link ModelZips}): a failure leaves the previous file
 * intact.
 */
final class PlateauCheckpoint {

    private PlateauCheckpoint() {
    }

    /** Adds {@code state} to an existing model zip, replacing an earlier state. */
    static void addState(File modelZip, ReduceLROnPlateauState state) throws IOException {
        ModelZips.addObject(modelZip, ReduceLROnPlateauListener.STATE_KEY, state);
    }

    /** Writes {@code model} with its updater state and {@code state} to {@code modelZip} in one step. */
    static void write(Model model, File modelZip, ReduceLROnPlateauState state) throws IOException {
        ModelZips.writeModel(model, modelZip, ReduceLROnPlateauListener.STATE_KEY, state);
    }

    /**
     * The state stored in {@code modelZip}.
     *
     * @throws IllegalArgumentException if the zip holds none
     */
    static ReduceLROnPlateauState read(File modelZip) {
        return ModelZips.readObject(modelZip, ReduceLROnPlateauListener.STATE_KEY,
                "ReduceLROnPlateau state", "save it with saveState or checkpoint");
    }
}
