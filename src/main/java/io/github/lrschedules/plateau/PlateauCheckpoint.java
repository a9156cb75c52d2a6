package io.github.lrschedules.plateau;

import io.github.lrschedules.internal.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Reads and writes a {@link ReduceLROnPlateauState} among the extra objects of a {@code ModelSerializer} zip (key
 * {@link ReduceLROnPlateauListener#STATE_KEY}). Every write goes through {@link AtomicFiles}: the zip is written
 * beside its destination and moved into place, so a failure leaves the previous file intact.
 */
final class PlateauCheckpoint {

    private static final String ENTRY = "objects/" + ReduceLROnPlateauListener.STATE_KEY;

    private PlateauCheckpoint() {
    }

    /** Adds {@code state} to an existing model zip, replacing an earlier state. */
    static void addState(File modelZip, ReduceLROnPlateauState state) throws IOException {
        Path source = modelZip.toPath();
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException("modelZip (" + modelZip + ") is not a file; write the model first");
        }
        AtomicFiles.write(source, temp -> copyZipWithStateEntry(source, temp, state));
    }

    /** Writes {@code model} with its updater state and {@code state} to {@code modelZip} in one step. */
    static void write(Model model, File modelZip, ReduceLROnPlateauState state) throws IOException {
        AtomicFiles.write(modelZip.toPath(), temp -> {
            // The model alone first, beside the destination like the temporary file itself.
            Path modelOnly = temp.resolveSibling(temp.getFileName() + ".model");
            try {
                ModelSerializer.writeModel(model, modelOnly.toFile(), true);
                copyZipWithStateEntry(modelOnly, temp, state);
            } finally {
                Files.deleteIfExists(modelOnly);
            }
        });
    }

    /**
     * The state stored in {@code modelZip}.
     *
     * @throws IllegalArgumentException if the zip holds none
     */
    static ReduceLROnPlateauState read(File modelZip) {
        if (!ModelSerializer.listObjectsInFile(modelZip).contains(ReduceLROnPlateauListener.STATE_KEY)) {
            throw new IllegalArgumentException("modelZip (" + modelZip + ") holds no ReduceLROnPlateau state (key \""
                    + ReduceLROnPlateauListener.STATE_KEY + "\"); save it with saveState or checkpoint");
        }
        return ModelSerializer.getObjectFromFile(modelZip, ReduceLROnPlateauListener.STATE_KEY);
    }

    /**
     * Copies the zip {@code source} to {@code target} without an earlier state entry and adds {@code state} as
     * {@code ModelSerializer.addObjectToFile} does (a Java-serialized object in {@value #ENTRY}), in one pass and
     * without its copy of the whole model in the temporary folder.
     */
    private static void copyZipWithStateEntry(Path source, Path target, ReduceLROnPlateauState state)
            throws IOException {
        try (ZipFile zip = new ZipFile(source.toFile());
             OutputStream raw = Files.newOutputStream(target);
             ZipOutputStream out = new ZipOutputStream(raw)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.getName().equals(ENTRY)) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream in = zip.getInputStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(ENTRY));
            ObjectOutputStream objects = new ObjectOutputStream(out);
            objects.writeObject(state);
            objects.flush();
            out.closeEntry();
        }
    }
}
