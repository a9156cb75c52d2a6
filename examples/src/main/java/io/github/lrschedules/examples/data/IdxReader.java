package io.github.lrschedules.examples.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and look-alikes (Fashion-MNIST, EMNIST): images ({@code idx3-ubyte}, magic
 * {@code 0x00000803}) and labels ({@code idx1-ubyte}, magic {@code 0x00000801}), raw or gzip-compressed (recognised by
 * content, not by name).
 *
 * <pre>
 * images: int32 0x00000803, int32 count, int32 rows, int32 columns, count*rows*columns unsigned bytes
 * labels: int32 0x00000801, int32 count, count unsigned bytes
 * </pre>
 *
 * All integers are big-endian. Every failure names the file and says what was expected.
 */
public final class IdxReader {

    /** Unsigned bytes, three dimensions (count, rows, columns). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned bytes, one dimension (count). */
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /** Images: {@code count} row-major {@code rows x columns} byte images. */
    public static final class Images {
        private final int count;
        private final int rows;
        private final int columns;
        private final byte[] pixels;

        Images(int count, int rows, int columns, byte[] pixels) {
            this.count = count;
            this.rows = rows;
            this.columns = columns;
            this.pixels = pixels;
        }

        public int count() {
            return count;
        }

        public int rows() {
            return rows;
        }

        public int columns() {
            return columns;
        }

        /** All pixels, image after image; not copied. */
        public byte[] pixels() {
            return pixels;
        }
    }

    public static Images readImages(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return readImages(in, file.toString());
        }
    }

    public static byte[] readLabels(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return readLabels(in, file.toString());
        }
    }

    /** Reads an images file from {@code in} (raw or gzip); {@code name} is used in error messages. */
    public static Images readImages(InputStream in, String name) throws IOException {
        try (DataInputStream data = new DataInputStream(decompressed(in, name))) {
            int magic = header(data, name, "the magic number");
            if (magic != IMAGES_MAGIC) {
                throw new IdxFormatException(name + ": magic number " + hex(magic) + " is not " + hex(IMAGES_MAGIC)
                        + " (IDX images: unsigned bytes, 3 dimensions)" + (magic == LABELS_MAGIC
                        ? "; this is a labels file" : "; is this an MNIST images file?"));
            }
            int count = header(data, name, "the image count");
            int rows = header(data, name, "the row count");
            int columns = header(data, name, "the column count");
            if (count < 0 || rows <= 0 || columns <= 0) {
                throw new IdxFormatException(name + ": header says " + count + " images of " + rows + "x" + columns
                        + " pixels; expected a count >= 0 and sizes > 0");
            }
            long size = (long) count * rows * columns;
            if (size > Integer.MAX_VALUE - 16) {
                throw new IdxFormatException(name + ": " + count + " images of " + rows + "x" + columns
                        + " pixels do not fit in one array (" + size + " bytes)");
            }
            byte[] pixels = body(data, name, (int) size, count + " images of " + rows + "x" + columns + " pixels");
            return new Images(count, rows, columns, pixels);
        }
    }

    /** Reads a labels file from {@code in} (raw or gzip); {@code name} is used in error messages. */
    public static byte[] readLabels(InputStream in, String name) throws IOException {
        try (DataInputStream data = new DataInputStream(decompressed(in, name))) {
            int magic = header(data, name, "the magic number");
            if (magic != LABELS_MAGIC) {
                throw new IdxFormatException(name + ": magic number " + hex(magic) + " is not " + hex(LABELS_MAGIC)
                        + " (IDX labels: unsigned bytes, 1 dimension)" + (magic == IMAGES_MAGIC
                        ? "; this is an images file" : "; is this an MNIST labels file?"));
            }
            int count = header(data, name, "the label count");
            if (count < 0) {
                throw new IdxFormatException(name + ": header says " + count + " labels; expected a count >= 0");
            }
            return body(data, name, count, count + " labels");
        }
    }

    private static InputStream open(Path file) throws IOException {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new IdxFormatException(file + ": no such file", e);
        }
    }

    /** gzip streams start with 0x1f 0x8b; anything else is read as it is. */
    private static InputStream decompressed(InputStream in, String name) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(2);
        int b1 = buffered.read();
        int b2 = buffered.read();
        buffered.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            try {
                return new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
            } catch (ZipException | EOFException e) {
                throw new IdxFormatException(name + ": not a valid gzip file (" + e.getMessage() + ")", e);
            }
        }
        return buffered;
    }

    private static int header(DataInputStream data, String name, String what) throws IOException {
        try {
            return data.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(name + ": truncated: the file ends before " + what + " of the header", e);
        } catch (ZipException e) {
            throw new IdxFormatException(name + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] body(DataInputStream data, String name, int size, String what) throws IOException {
        byte[] bytes = new byte[size];
        int read = 0;
        try {
            while (read < size) {
                int n = data.read(bytes, read, size - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
        } catch (EOFException e) {
            // gzip data that ends early: reported below as a truncated file
        } catch (ZipException e) {
            throw new IdxFormatException(name + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
        if (read < size) {
            throw new IdxFormatException(name + ": truncated: the header announces " + what + " (" + size
                    + " bytes of data) but the file holds only " + read);
        }
        return bytes;
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
    }
}
