package io.github.lrschedules.examples.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the four files of an MNIST-format directory are, under their standard names, raw or gzip. */
public final class MnistFiles {

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    public static final List<String> NAMES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    private MnistFiles() {
    }

    /**
     * The file for {@code name} in {@code dir}: {@code name}, {@code name.gz}, or the same with a dot before
     * {@code idx} (as some copies are named).
     *
     * @throws IdxFormatException listing every expected name if none is there
     */
    public static Path find(Path dir, String name) throws IOException {
        for (String candidate : candidates(name)) {
            Path file = dir.resolve(candidate);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new IdxFormatException(dir + ": no " + name + " (looked for " + String.join(", ", candidates(name))
                + "). An MNIST-format directory holds " + expected());
    }

    /** True if all four files are in {@code dir}. */
    public static boolean complete(Path dir) {
        for (String name : NAMES) {
            boolean found = false;
            for (String candidate : candidates(name)) {
                found |= Files.isRegularFile(dir.resolve(candidate));
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    /** The four standard names, each raw or .gz, for messages. */
    public static String expected() {
        List<String> names = new ArrayList<>();
        for (String name : NAMES) {
            names.add(name + "[.gz]");
        }
        return String.join(", ", names);
    }

    private static List<String> candidates(String name) {
        String dotted = name.replace("-idx", ".idx");
        return List.of(name, name + ".gz", dotted, dotted + ".gz");
    }
}
