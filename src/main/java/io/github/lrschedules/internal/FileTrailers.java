package io.github.lrschedules.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keeps listener states at the end of a file, after whatever the file holds: SameDiff's saved graph (whose reader,
 * {@code SameDiff.load}, finds the graph from the start of the file and ignores bytes after it) or any other file.
 * Each state is a trailer of one kind, told apart by an 8-byte magic; a file may end with several of different
 * kinds (a plateau state and a weight average). Layout of one trailer:
 *
 * <pre>
 * [state: Java serialization][state length: 8 bytes, big-endian][magic: 8 bytes]
 * </pre>
 *
 * Writing a kind again replaces its earlier trailer and keeps the others; every write goes through
 * {@link AtomicFiles}, so a failure leaves the previous file intact. Reading deserializes only the classes its filter
 * allows.
 */
public final class FileTrailers {

    /** The trailer of {@code SameDiffPlateau}'s state. */
    public static final Kind PLATEAU = new Kind("LRSPLAT1", "plateau state", "SameDiffPlateau.saveState(file)",
            "io.github.lrschedules.plateau.*;java.util.ArrayList;java.lang.Object;maxdepth=10;!*");
    /** The trailer of a SameDiff weight average. */
    public static final Kind WEIGHT_AVERAGE = new Kind("LRSWAVG1", "weight averaging state",
            "SameDiffWeightAveraging.saveState(file)",
            "io.github.lrschedules.averaging.*;java.lang.Enum;[B;maxdepth=10;!*");

    private static final Kind[] KINDS = {PLATEAU, WEIGHT_AVERAGE};
    private static final int TAIL = 16;

    /** One kind of trailer: its magic, what it holds (for messages) and what its reader may deserialize. */
    public static final class Kind {
        private final byte[] magic;
        private final String what;
        private final String writer;
        private final ObjectInputFilter classes;

        private Kind(String magic, String what, String writer, String classes) {
            this.magic = magic.getBytes(StandardCharsets.US_ASCII);
            this.what = what;
            this.writer = writer;
            this.classes = ObjectInputFilter.Config.createFilter(classes);
        }

        @Override
        public String toString() {
            return what;
        }
    }

    /** One trailer found in a file: bytes {@code [start, end)}. */
    private static final class Segment {
        final Kind kind;
        final long start;
        final long end;

        Segment(Kind kind, long start, long end) {
            this.kind = kind;
            this.start = start;
            this.end = end;
        }
    }

    private FileTrailers() {
    }

    /**
     * Writes {@code state} as the trailer of {@code kind} at the end of {@code file} (created if missing), replacing an
     * earlier trailer of that kind and keeping the file's content and its other trailers.
     */
    public static void write(File file, Kind kind, Serializable state) throws IOException {
        Path path = file.toPath();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(state);
        }
        byte[] payload = bytes.toByteArray();
        List<Segment> segments = Files.isRegularFile(path) ? segments(path) : new ArrayList<>();
        long contentLength = !Files.isRegularFile(path) ? 0
                : segments.isEmpty() ? Files.size(path) : segments.get(segments.size() - 1).start;
        AtomicFiles.write(path, temp -> {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                if (Files.isRegularFile(path)) {
                    try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
                        copy(in, 0, contentLength, out);
                        // the other kinds, oldest first, as they were
                        for (int i = segments.size() - 1; i >= 0; i--) {
                            Segment s = segments.get(i);
                            if (s.kind != kind) {
                                copy(in, s.start, s.end - s.start, out);
                            }
                        }
                    }
                }
                ByteBuffer tail = ByteBuffer.allocate(payload.length + TAIL);
                tail.put(payload).putLong(payload.length).put(kind.magic).flip();
                while (tail.hasRemaining()) {
                    out.write(tail);
                }
            }
        });
    }

    /**
     * The state of {@code kind} stored in {@code file}.
     *
     * @throws IllegalArgumentException if {@code file} is not a file or holds no trailer of that kind
     * @throws IOException              if the stored state cannot be read, or holds classes its kind does not allow
     */
    public static <T> T read(File file, Kind kind, Class<T> type) throws IOException {
        Path path = file.toPath();
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("file (" + file + ") is not a file");
        }
        Segment found = null;
        for (Segment s : segments(path)) {
            if (s.kind == kind) {
                found = s;
                break;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("file (" + file + ") holds no " + kind.what + "; write it with "
                    + kind.writer);
        }
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer payload = ByteBuffer.allocate((int) (found.end - TAIL - found.start));
            while (payload.hasRemaining()) {
                if (in.read(payload, found.start + payload.position()) < 0) {
                    throw new IOException("file (" + file + ") ended inside its " + kind.what);
                }
            }
            try (ObjectInputStream objects = new ObjectInputStream(new ByteArrayInputStream(payload.array()))) {
                objects.setObjectInputFilter(kind.classes);
                return type.cast(objects.readObject());
            } catch (ClassNotFoundException | InvalidClassException | ClassCastException e) {
                throw new IOException("file (" + file + ") holds a " + kind.what + " this version cannot read", e);
            }
        }
    }

    private static void copy(FileChannel in, long position, long length, FileChannel out) throws IOException {
        long copied = 0;
        while (copied < length) {
            copied += in.transferTo(position + copied, length - copied, out);
        }
    }

    /** The trailers at the end of the file, newest (last) first. */
    private static List<Segment> segments(Path path) throws IOException {
        List<Segment> segments = new ArrayList<>();
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            long end = in.size();
            while (end >= TAIL) {
                ByteBuffer tail = ByteBuffer.allocate(TAIL);
                while (tail.hasRemaining()) {
                    if (in.read(tail, end - TAIL + tail.position()) < 0) {
                        return segments;
                    }
                }
                byte[] magic = Arrays.copyOfRange(tail.array(), 8, TAIL);
                long length = tail.getLong(0);
                Kind kind = null;
                for (Kind k : KINDS) {
                    if (Arrays.equals(k.magic, magic)) {
                        kind = k;
                    }
                }
                if (kind == null || length < 0 || length > end - TAIL || length > Integer.MAX_VALUE) {
                    return segments;
                }
                long start = end - TAIL - length;
                segments.add(new Segment(kind, start, end));
                end = start;
            }
        }
        return segments;
    }
}
