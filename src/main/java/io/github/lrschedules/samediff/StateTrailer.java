package io.github.lrschedules.samediff;

import io.github.lrschedules.internal.AtomicFiles;
import io.github.lrschedules.plateau.ReduceLROnPlateauState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Keeps a {@link ReduceLROnPlateauState} at the end of a file, after whatever the file holds: SameDiff's saved graph
 * has no slot for extra objects, and {@code SameDiff.load} reads the FlatBuffers graph from the start of the file
 * and ignores bytes after it. Layout:
 *
 * <pre>
 * [the file's own content][state: Java serialization][state length: 8 bytes, big-endian][MAGIC: 8 bytes]
 * </pre>
 *
 * Writing again replaces an earlier state; every write goes through {@link AtomicFiles}, so a failure leaves the
 * previous file intact.
 */
final class StateTrailer {

    /** The last 8 bytes of a file that holds a state. */
    static final byte[] MAGIC = "LRSPLAT1".getBytes(StandardCharsets.US_ASCII);
    private static final int TAIL = 16;
    /** What a stored state may contain (Java serialization reads nothing else). */
    private static final ObjectInputFilter CLASSES = ObjectInputFilter.Config.createFilter(
            "io.github.lrschedules.plateau.*;java.util.ArrayList;java.lang.Object;maxdepth=10;!*");

    private StateTrailer() {
    }

    /** Writes {@code state} at the end of {@code file} (created if missing), replacing an earlier state. */
    static void write(File file, ReduceLROnPlateauState state) throws IOException {
        Path path = file.toPath();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(state);
        }
        byte[] payload = bytes.toByteArray();
        long contentLength = Files.isRegularFile(path) ? contentLength(path) : 0;
        AtomicFiles.write(path, temp -> {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                if (contentLength > 0) {
                    try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
                        long copied = 0;
                        while (copied < contentLength) {
                            copied += in.transferTo(copied, contentLength - copied, out);
                        }
                    }
                }
                ByteBuffer tail = ByteBuffer.allocate(payload.length + TAIL);
                tail.put(payload).putLong(payload.length).put(MAGIC).flip();
                while (tail.hasRemaining()) {
                    out.write(tail);
                }
            }
        });
    }

    /**
     * The state at the end of {@code file}.
     *
     * @throws IllegalArgumentException if the file holds none
     */
    static ReduceLROnPlateauState read(File file) throws IOException {
        Path path = file.toPath();
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("file (" + file + ") is not a file");
        }
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = in.size();
            long length = payloadLength(in, size);
            if (length < 0) {
                throw new IllegalArgumentException("file (" + file + ") holds no plateau state; write it with"
                        + " SameDiffPlateau.saveState(file)");
            }
            ByteBuffer payload = ByteBuffer.allocate((int) length);
            long position = size - TAIL - length;
            while (payload.hasRemaining()) {
                int read = in.read(payload, position + payload.position());
                if (read < 0) {
                    throw new IOException("file (" + file + ") ended inside its plateau state");
                }
            }
            try (ObjectInputStream objects = new ObjectInputStream(new ByteArrayInputStream(payload.array()))) {
                objects.setObjectInputFilter(CLASSES);
                return (ReduceLROnPlateauState) objects.readObject();
            } catch (ClassNotFoundException | InvalidClassException | ClassCastException e) {
                throw new IOException("file (" + file + ") holds a plateau state this version cannot read", e);
            }
        }
    }

    /** Length of the file without a state at its end. */
    private static long contentLength(Path path) throws IOException {
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = in.size();
            long length = payloadLength(in, size);
            return length < 0 ? size : size - TAIL - length;
        }
    }

    /** Length of the stored state, or -1 if the file does not end with one. */
    private static long payloadLength(FileChannel in, long size) throws IOException {
        if (size < TAIL) {
            return -1;
        }
        ByteBuffer tail = ByteBuffer.allocate(TAIL);
        while (tail.hasRemaining()) {
            if (in.read(tail, size - TAIL + tail.position()) < 0) {
                return -1;
            }
        }
        byte[] magic = Arrays.copyOfRange(tail.array(), 8, TAIL);
        long length = tail.getLong(0);
        if (!Arrays.equals(magic, MAGIC) || length < 0 || length > size - TAIL || length > Integer.MAX_VALUE) {
            return -1;
        }
        return length;
    }
}
