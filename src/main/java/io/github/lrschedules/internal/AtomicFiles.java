package io.github.lrschedules.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file beside its destination and moves it into place, so that a failure never leaves a half-written or
 * corrupted file where a complete one was (or was expected). The file gets the default permissions of a new file
 * (those the umask leaves), like any other output.
 */
public final class AtomicFiles {

    /** Something that writes a file's content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path file) throws IOException;
    }

    /** Something that writes text. */
    @FunctionalInterface
    public interface Text {
        void writeTo(Writer out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Writes {@code file} with {@code content}, replacing it only once the new content is complete. */
    public static void write(Path file, Content content) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        Path temp = createSibling(parent, "." + absolute.getFileName() + ".");
        try {
            content.writeTo(temp);
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Creates an empty file {@code prefix<random>.tmp} in {@code dir} with the default permissions, which follow the
     * umask like every other output ({@code Files.createTempFile} would give 0600 on POSIX systems, and the file
     * keeps that mode when it is moved into place).
     */
    private static Path createSibling(Path dir, String prefix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            Path candidate = dir.resolve(prefix + random + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    /** Writes UTF-8 text to {@code file}, replacing it only once the new text is complete. */
    public static void writeText(Path file, Text text) throws IOException {
        write(file, temp -> {
            try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                text.writeTo(out);
            }
        });
    }
}
