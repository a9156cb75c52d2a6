package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.examples.data.DataLoader;
import io.github.lrschedules.examples.data.LoadedData;
import io.github.lrschedules.examples.data.MnistFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.deeplearning4j.common.resources.DL4JResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code --data auto} picks full MNIST when DL4J's cache has it and the embedded subset when not, and full MNIST is
 * read through DL4J's MnistDataSetIterator. The "full MNIST" here is the embedded digits repeated to MNIST's 60,000 /
 * 10,000 (the iterator accepts nothing else), written raw into a private DL4J cache directory.
 */
class DataSourceTest {

    @TempDir
    Path dir;
    private java.io.File originalBase;

    @BeforeEach
    void privateCache() {
        originalBase = DL4JResources.getBaseDirectory();
    }

    @AfterEach
    void restoreCache() {
        DL4JResources.setBaseDirectory(originalBase);
    }

    @Test
    void autoFallsBackToTheEmbeddedSubsetAndSaysHowToGetMnist() throws IOException {
        DL4JResources.setBaseDirectory(Files.createDirectory(dir.resolve("empty-cache")).toFile());
        assertThat(DataLoader.fullMnistCached()).isFalse();
        Cli cli = Cli.run("train", "--schedule", "constant", "--epochs", "1", "--train-limit", "64", "--test-limit",
                "64", "--batch", "32", "--no-progress", "--out", dir.resolve("out").toString());
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        assertThat(cli.out).contains("--data auto: full MNIST is not in DL4J's cache", "so the embedded subset is used."
                + " For full MNIST run once with --data mnist", "Data: embedded MNIST subset (8000 training");
    }

    @Test
    void autoUsesFullMnistFromDl4jsCacheThroughMnistDataSetIterator() throws IOException {
        Path cache = Files.createDirectory(dir.resolve("cache"));
        repeatEmbedded(cache, "train", 60_000);
        repeatEmbedded(cache, "t10k", 10_000);
        DL4JResources.setBaseDirectory(cache.toFile());
        assertThat(DataLoader.fullMnistCached()).isTrue();

        LoadedData mnist = DataLoader.fullMnist();
        assertThat(mnist.train().size()).isEqualTo(60_000);
        assertThat(mnist.test().size()).isEqualTo(10_000);
        LoadedData embedded = DataLoader.embedded();
        // bytes survive DL4J's scaling to [0, 1] and back: image 8,000 + i is embedded image i
        assertThat(mnist.train().slice("a", 8_005, 8_015).toDataSet(DataType.FLOAT))
                .isEqualTo(embedded.train().slice("b", 5, 15).toDataSet(DataType.FLOAT));
        assertThat(mnist.test().slice("a", 9_990, 10_000).toDataSet(DataType.FLOAT))
                .isEqualTo(embedded.test().slice("b", 1_990, 2_000).toDataSet(DataType.FLOAT));

        Cli cli = Cli.run("train", "--schedule", "constant", "--epochs", "1", "--train-limit", "64", "--test-limit",
                "64", "--batch", "32", "--no-progress", "--out", dir.resolve("out").toString());
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        assertThat(cli.out).contains("--data auto: full MNIST found in DL4J's cache (" + cache + ")",
                "Data: full MNIST (60000 training / 10000 test digits");
    }

    /** Writes {@code prefix-images/labels} with {@code count} images, cycling through the embedded ones. */
    private static void repeatEmbedded(Path dir, String prefix, int count) throws IOException {
        String from = prefix.equals("train") ? "train" : "t10k";
        byte[] images = embedded(from + "-images-idx3-ubyte");
        byte[] labels = embedded(from + "-labels-idx1-ubyte");
        int have = ByteBuffer.wrap(labels, 4, 4).getInt();
        try (OutputStream out = Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte"))) {
            out.write(ByteBuffer.allocate(16).putInt(0x803).putInt(count).putInt(28).putInt(28).array());
            for (int i = 0; i < count; i++) {
                out.write(images, 16 + (i % have) * 784, 784);
            }
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte"))) {
            out.write(ByteBuffer.allocate(8).putInt(0x801).putInt(count).array());
            for (int i = 0; i < count; i++) {
                out.write(labels[8 + i % have]);
            }
        }
        assertThat(MnistFiles.NAMES).contains(prefix + "-images-idx3-ubyte", prefix + "-labels-idx1-ubyte");
    }

    private static byte[] embedded(String name) throws IOException {
        try (InputStream in = new GZIPInputStream(DataLoader.class.getResourceAsStream(
                "/io/github/lrschedules/examples/data/mnist-subset/" + name + ".gz"))) {
            return in.readAllBytes();
        }
    }
}
