package io.github.lrschedules.plateau;

import io.github.lrschedules.internal.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Reads and writes a listener's state (a {@link ReduceLROnPlateauState} under
 * {@link ReduceLROnPlateauListener#STATE_KEY}, a {@link GreedyLrState} under {@link GreedyLrListener#STATE_KEY})
 * among the extra objects of a {@code ModelSerializer} zip. Every write goes through {@link AtomicFiles}: the zip is
 * written beside its destination and moved into place, so a failure leaves the previous file intact.
 */
final class PlateauCheckpoint {

    private PlateauCheckpoint() {
    }

    /** Adds {@code state} under {@code key} to an existing model zip, replacing an earlier state. */
    static void addState(File modelZip, String key, Serializable state) throws IOException {
        Path source = modelZip.toPath();
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException("modelZip (" + modelZip + ") is not a file; write the model first");
        }
        AtomicFiles.write(source, temp -> copyZipWithStateEntry(source, temp, key, state));
    }

    /** Writes {@code model} with its updater state and {@code state} under {@code key} to {@code modelZip}. */
    static void write(Model model, File modelZip, String key, Serializable state) throws IOException {
        AtomicFiles.write(modelZip.toPath(), temp -> {
            // The model alone first, beside the destination like the temporary file itself.
            Path modelOnly = temp.resolveSibling(temp.getFileName() + ".model");
            try {
                ModelSerializer.writeModel(model, modelOnly.toFile(), true);
                copyZipWithStateEntry(modelOnly, temp, key, state);
            } finally {
                Files.deleteIfExists(modelOnly);
            }
        });
    }

    /**
     * The state stored under {@code key} in {@code modelZip}; {@code what} names it in the message.
     *
     * @throws IllegalArgumentException if the zip holds none
     */
    static <T> T read(File modelZip, String key, String what) {
        if (!ModelSerializer.listObjectsInFile(modelZip).contains(key)) {
            throw new IllegalArgumentException("modelZip (" + modelZip + ") holds no " + what + " state (key \""
                    + key + "\"); save it with saveState or checkpoint");
        }
        return ModelSerializer.getObjectFromFile(modelZip, key);
    }

    /**
     * Copies the zip {@code source} to {@code target} without an earlier state entry and adds {@code state} as
     * {@code ModelSerializer.addObjectToFile} does (a Java-serialized object in {@code objects/<key>}), in one pass
     * and without its copy of the whole model in the temporary folder.
     */
    private static void copyZipWithStateEntry(Path source, Path target, String key, Serializable state)
            throws IOException {
        String stateEntry = "objects/" + key;
        try (ZipFile zip = new ZipFile(source.toFile());
             OutputStream raw = Files.newOutputStream(target);
             ZipOutputStream out = new ZipOutputStream(raw)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.getName().equals(stateEntry)) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream in = zip.getInputStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(stateEntry));
            ObjectOutputStream objects = new ObjectOutputStream(out);
            objects.writeObject(state);
            objects.flush();
            out.closeEntry();
        }
    }
}
