package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.examples.data.DataLoader;
import io.github.lrschedules.examples.data.DigitSet;
import io.github.lrschedules.examples.data.IdxFormatException;
import io.github.lrschedules.examples.data.IdxReader;
import io.github.lrschedules.examples.data.LoadedData;
import io.github.lrschedules.examples.data.MnistFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader on real digits, raw and gzip, and on every kind of broken file. */
class IdxReaderTest {

    @TempDir
    Path dir;

    /** 3 images of 2x3 pixels and their labels. */
    private static final byte[] PIXELS = {0, 1, 2, 3, 4, 5, 10, 20, 30, 40, 50, (byte) 255, 7, 7, 7, 7, 7, 7};
    private static final byte[] LABELS = {3, 9, 0};

    static byte[] images(int magic, int count, int rows, int columns, byte[] pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length);
        b.putInt(magic).putInt(count).putInt(rows).putInt(columns).put(pixels);
        return b.array();
    }

    static byte[] labels(int magic, byte[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(magic).putInt(labels.length).put(labels);
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void readsRawAndGzipAlike() throws IOException {
        byte[] raw = images(IdxReader.IMAGES_MAGIC, 3, 2, 3, PIXELS);
        IdxReader.Images fromRaw = IdxReader.readImages(write("a-idx3-ubyte", raw));
        IdxReader.Images fromGz = IdxReader.readImages(write("b-idx3-ubyte.gz", gzip(raw)));
        for (IdxReader.Images images : new IdxReader.Images[] {fromRaw, fromGz}) {
            assertThat(images.count()).isEqualTo(3);
            assertThat(images.rows()).isEqualTo(2);
            assertThat(images.columns()).isEqualTo(3);
            assertThat(images.pixels()).containsExactly(PIXELS);
        }
        assertThat(IdxReader.readLabels(write("l-idx1-ubyte", labels(IdxReader.LABELS_MAGIC, LABELS))))
                .containsExactly(LABELS);
        assertThat(IdxReader.readLabels(write("l-idx1-ubyte.gz", gzip(labels(IdxReader.LABELS_MAGIC, LABELS)))))
                .containsExactly(LABELS);
    }

    @Test
    void embeddedSubsetIsRealMnistSplitPerDigit() throws IOException {
        LoadedData data = DataLoader.embedded();
        assertThat(data.train().size()).isEqualTo(8000);
        assertThat(data.test().size()).isEqualTo(2000);
        assertThat(data.train().rows()).isEqualTo(28);
        assertThat(data.train().columns()).isEqualTo(28);
        // the npm package's digits per class, split 80/20 within each class (rounded half up)
        int[] perDigit = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
        int[] train = data.train().classCounts();
        int[] test = data.test().classCounts();
        for (int d = 0; d < 10; d++) {
            assertThat(train[d] + test[d]).as("digit %d", d).isEqualTo(perDigit[d]);
            assertThat(test[d]).as("digit %d", d).isEqualTo((perDigit[d] * 2 + 5) / 10);
        }
        // the files are shuffled: the first 100 training images hold every digit
        assertThat(data.train().limit(100).classCounts()).doesNotContain(0);
    }

    @Test
    void wrongMagicNumberSaysWhatTheFileIs() throws IOException {
        Path labelsAsImages = write("labels-idx1-ubyte", labels(IdxReader.LABELS_MAGIC, LABELS));
        assertThatThrownBy(() -> IdxReader.readImages(labelsAsImages))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining(labelsAsImages.toString())
                .hasMessageContaining("magic number 0x00000801 is not 0x00000803")
                .hasMessageContaining("this is a labels file");
        Path imagesAsLabels = write("images-idx3-ubyte", images(IdxReader.IMAGES_MAGIC, 3, 2, 3, PIXELS));
        assertThatThrownBy(() -> IdxReader.readLabels(imagesAsLabels))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("magic number 0x00000803 is not 0x00000801")
                .hasMessageContaining("this is an images file");
        Path text = write("notes.txt", "hello, world".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> IdxReader.readImages(text))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("is not 0x00000803");
    }

    @Test
    void truncatedFilesAreReportedWithWhatIsMissing() throws IOException {
        byte[] whole = images(IdxReader.IMAGES_MAGIC, 3, 2, 3, PIXELS);
        Path cutData = write("cut-idx3-ubyte", Arrays.copyOf(whole, whole.length - 5));
        assertThatThrownBy(() -> IdxReader.readImages(cutData))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining("3 images of 2x3 pixels (18 bytes of data) but the file holds only 13");
        Path cutHeader = write("header-idx3-ubyte", Arrays.copyOf(whole, 10));
        assertThatThrownBy(() -> IdxReader.readImages(cutHeader))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("truncated: the file ends before the row count");
        byte[] gz = gzip(whole);
        Path cutGzip = write("cut-idx3-ubyte.gz", Arrays.copyOf(gz, gz.length - 12));
        assertThatThrownBy(() -> IdxReader.readImages(cutGzip))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("truncated");
        byte[] labels = labels(IdxReader.LABELS_MAGIC, LABELS);
        Path cutLabels = write("cut-idx1-ubyte", Arrays.copyOf(labels, labels.length - 1));
        assertThatThrownBy(() -> IdxReader.readLabels(cutLabels))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("3 labels (3 bytes of data) but the file holds only 2");
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        IdxReader.Images images = IdxReader.readImages(new ByteArrayInputStream(
                images(IdxReader.IMAGES_MAGIC, 3, 2, 3, PIXELS)), "imgs");
        byte[] twoLabels = {1, 2};
        assertThatThrownBy(() -> DigitSet.of("set", images, "imgs", twoLabels, "lbls"))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("image/label count mismatch: imgs holds 3 images but lbls holds 2 labels");
        byte[] badLabel = {1, 12, 3};
        assertThatThrownBy(() -> DigitSet.of("set", images, "imgs", badLabel, "lbls"))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("label 12 at index 1 is not a class 0-9");
    }

    @Test
    void missingFileListsTheExpectedNames() throws IOException {
        write(MnistFiles.TRAIN_IMAGES, images(IdxReader.IMAGES_MAGIC, 3, 2, 3, PIXELS));
        assertThatThrownBy(() -> DataLoader.directory(dir))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("no train-labels-idx1-ubyte")
                .hasMessageContaining("train-labels-idx1-ubyte.gz")
                .hasMessageContaining("train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
                        + "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]");
        assertThatThrownBy(() -> IdxReader.readImages(dir.resolve("absent-idx3-ubyte")))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("absent-idx3-ubyte: no such file");
    }

    @Test
    void aDirectoryOfRawAndGzipFilesLoads() throws IOException {
        write(MnistFiles.TRAIN_IMAGES, images(IdxReader.IMAGES_MAGIC, 3, 2, 3, PIXELS));
        write(MnistFiles.TRAIN_LABELS + ".gz", gzip(labels(IdxReader.LABELS_MAGIC, LABELS)));
        write("t10k-images.idx3-ubyte", images(IdxReader.IMAGES_MAGIC, 1, 2, 3, Arrays.copyOf(PIXELS, 6)));
        write(MnistFiles.TEST_LABELS, labels(IdxReader.LABELS_MAGIC, new byte[] {4}));
        LoadedData data = DataLoader.directory(dir);
        assertThat(data.train().size()).isEqualTo(3);
        assertThat(data.train().label(1)).isEqualTo(9);
        assertThat(data.test().size()).isEqualTo(1);
        assertThat(data.test().label(0)).isEqualTo(4);
        assertThat(data.description()).contains("3 training / 1 test images of 2x3");
    }
}
