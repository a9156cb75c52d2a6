package io.github.lrschedules.internal;

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
 * Extra objects in a {@code ModelSerializer} zip (the listeners' states beside the model), written as
 * {@code ModelSerializer.addObjectToFile} writes them (a Java-serialized object in {@code objects/<key>}) and read
 * back with {@code ModelSerializer.getObjectFromFile}. Every write goes through {@link AtomicFiles}: the zip is
 * written beside its destination and moved into place, so a failure leaves the previous file intact.
 */
public final class ModelZips {

    private ModelZips() {
    }

    /**
     * Adds {@code object} under {@code key} to the existing model zip {@code modelZip}, replacing an earlier object
     * of that key.
     *
     * @throws IllegalArgumentException if {@code modelZip} is not a file
     */
    public static void addObject(File modelZip, String key, Serializable object) throws IOException {
        Path source = modelZip.toPath();
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException("modelZip (" + modelZip + ") is not a file; write the model first");
        }
        AtomicFiles.write(source, temp -> copyWithObject(source, temp, key, object));
    }

    /** Writes {@code model} with its updater state and {@code object} under {@code key} to {@code modelZip} in one step. */
    public static void writeModel(Model model, File modelZip, String key, Serializable object) throws IOException {
        AtomicFiles.write(modelZip.toPath(), temp -> {
            // The model alone first, beside the destination like the temporary file itself.
            Path modelOnly = temp.resolveSibling(temp.getFileName() + ".model");
            try {
                ModelSerializer.writeModel(model, modelOnly.toFile(), true);
                copyWithObject(modelOnly, temp, key, object);
            } finally {
                Files.deleteIfExists(modelOnly);
            }
        });
    }

    /**
     * The object stored under {@code key} in {@code modelZip}.
     *
     * @param what what the object is, for the exception: {@code "ReduceLROnPlateau state"}
     * @param hint how to store one, for the exception: {@code "save it with saveState or checkpoint"}
     * @throws IllegalArgumentException if the zip holds no object under {@code key}
     */
    public static <T> T readObject(File modelZip, String key, String what, String hint) {
        if (!ModelSerializer.listObjectsInFile(modelZip).contains(key)) {
            throw new IllegalArgumentException("modelZip (" + modelZip + ") holds no " + what + " (key \"" + key
                    + "\"); " + hint);
        }
        return ModelSerializer.getObjectFromFile(modelZip, key);
    }

    /**
     * Copies the zip {@code source} to {@code target} without an earlier entry of {@code key} and adds
     * {@code object}, in one pass and without {@code ModelSerializer}'s copy of the whole model in the temporary
     * folder.
     */
    private static void copyWithObject(Path source, Path target, String key, Serializable object) throws IOException {
        String name = "objects/" + key;
        try (ZipFile zip = new ZipFile(source.toFile());
             OutputStream raw = Files.newOutputStream(target);
             ZipOutputStream out = new ZipOutputStream(raw)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.getName().equals(name)) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream in = zip.getInputStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(name));
            ObjectOutputStream objects = new ObjectOutputStream(out);
            objects.writeObject(object);
            objects.flush();
            out.closeEntry();
        }
    }
}
