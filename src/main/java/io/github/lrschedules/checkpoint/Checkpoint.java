package io.github.lrschedules.checkpoint;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.AtomicFiles;
import io.github.lrschedules.internal.Networks;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One file that holds everything a training run needs to continue exactly: the network with its updater state
 * (Adam's moments, Nesterov's velocity) and iteration/epoch counts, plus the state of any number of listeners or
 * loops ({@link Checkpointable}) and other serializable objects, written in one pass and moved into place only once
 * complete.
 *
 * <h2>Format</h2>
 * A zip with DL4J's {@code ModelSerializer} layout, so DL4J alone reads it:
 * <pre>
 * configuration.json      the MultiLayerConfiguration or ComputationGraphConfiguration (toJson)
 * coefficients.bin        the parameters (Nd4j.write), or noParams.marker for a network without any
 * updaterState.bin        the updater's state view (Nd4j.write), when it has one
 * objects/&lt;key&gt;           one Java-serialized object per key, as ModelSerializer.addObjectToFile stores it
 * </pre>
 * {@code ModelSerializer.restoreMultiLayerNetwork(file, true)} (or {@code restoreComputationGraph}) restores the
 * network and {@code ModelSerializer.getObjectFromFile(file, key)} each object; {@link #restoreMultiLayerNetwork},
 * {@link #restoreComputationGraph}, {@link #restore(Path, Checkpointable[])} and {@link #object} do the same with
 * messages that name the file and the key. The zip written by {@code ReduceLROnPlateauListener.checkpoint} in 1.0.0
 * is such a file (key {@code reduceLROnPlateau}) and still loads.
 *
 * <h2>Writing</h2>
 * <pre>{@code
 * Checkpoint.of(net).state(plateau).object("run", myRecord).write(Paths.get("run/checkpoint.zip"));
 * }</pre>
 * The file is written beside its destination, forced to disk and moved into place atomically: a failure or a kill
 * at any moment leaves the previous checkpoint intact. {@link Builder#snapshot()} copies what it needs at once (the
 * parameters and updater state as detached arrays, the objects serialized), so the writing itself can run on
 * another thread while training goes on. Entries are deflated like ModelSerializer's by default;
 * {@link Compression#NONE} stores them (network parameters hardly compress, and deflating them costs time).
 *
 * <p>Not for {@code SameDiff} (its own {@code save(file, true)} holds counters and updater state).
 */
public final class Checkpoint {

    /** The folder of the extra objects inside the zip, as {@code ModelSerializer.addObjectToFile} names it. */
    public static final String OBJECTS = "objects/";

    // ModelSerializer's entry names (1.0.0-M2.1); its addObjectToFile refuses them as keys.
    private static final String CONFIGURATION = "configuration.json";
    private static final String COEFFICIENTS = "coefficients.bin";
    private static final String NO_PARAMS = "noParams.marker";
    private static final String UPDATER_STATE = "updaterState.bin";
    private static final Set<String> RESERVED = Set.of(CONFIGURATION, COEFFICIENTS, NO_PARAMS, UPDATER_STATE,
            "normalizer.bin", "preprocessor.bin");

    /** How the entries are stored in the zip. */
    public enum Compression {
        /** Deflated, as {@code ModelSerializer} writes them (the default). */
        DEFLATE,
        /** Stored as they are: larger for JSON, about as large for parameters, and no time spent compressing. */
        NONE
    }

    private Checkpoint() {
    }

    /**
     * Starts a checkpoint of {@code model} (a MultiLayerNetwork or ComputationGraph), with its updater state.
     *
     * @throws IllegalArgumentException for another kind of model
     */
    public static Builder of(Model model) {
        return new Builder(Networks.require("model", model));
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    /** The keys of the objects stored in {@code file}, sorted. */
    public static Set<String> keys(Path file) throws IOException {
        Set<String> keys = new TreeSet<>();
        try (ZipFile zip = open(file)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.startsWith(OBJECTS) && name.length() > OBJECTS.length()) {
                    keys.add(name.substring(OBJECTS.length()));
                }
            }
        }
        return Collections.unmodifiableSet(keys);
    }

    /**
     * The object stored under {@code key}.
     *
     * @throws IllegalArgumentException if {@code file} holds no such object, or one of another class (naming both)
     * @throws IOException              if it cannot be read, or was written by an incompatible version of its class
     */
    public static <T> T object(Path file, String key, Class<T> type) throws IOException {
        Args.notNull("type", type);
        Object value = read(file, key);
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("checkpoint (" + file + ") holds a " + value.getClass().getName()
                    + " under \"" + key + "\", not a " + type.getName());
        }
        return type.cast(value);
    }

    /**
     * Gives each of {@code states} the state stored under its key.
     *
     * @throws IllegalArgumentException if {@code file} lacks one of them (naming the key and the keys it holds), or
     *                                  holds a state of another class
     */
    public static void restore(Path file, Checkpointable<?>... states) throws IOException {
        Args.noNulls("states", states);
        for (Checkpointable<?> state : states) {
            restoreOne(file, state);
        }
    }

    /**
     * Adds the states of {@code states} to an existing checkpoint or {@code ModelSerializer} zip, replacing earlier
     * objects under the same keys and keeping every other entry; the zip is rewritten beside itself in one pass and
     * moved into place, so a failure leaves it intact. {@link Builder#write(Path)} writes model and states at once.
     *
     * @throws IllegalArgumentException if {@code file} is not a file
     */
    public static void update(Path file, Checkpointable<?>... states) throws IOException {
        Args.noNulls("states", states);
        requireFile(file);
        Map<String, byte[]> added = new LinkedHashMap<>();
        for (Checkpointable<?> state : states) {
            String key = checkKey(state.checkpointKey());
            added.put(OBJECTS + key, Builder.serialize(key, state.state()));
        }
        AtomicFiles.write(file, temp -> {
            try (ZipFile source = open(file);
                 OutputStream raw = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16);
                 ZipOutputStream zip = new ZipOutputStream(raw)) {
                Enumeration<? extends ZipEntry> entries = source.entries();
                while (entries.hasMoreElements()) {
                    ZipEntry entry = entries.nextElement();
                    if (added.containsKey(entry.getName())) {
                        continue;
                    }
                    zip.putNextEntry(new ZipEntry(entry.getName()));
                    try (InputStream in = source.getInputStream(entry)) {
                        in.transferTo(zip);
                    }
                    zip.closeEntry();
                }
                for (Map.Entry<String, byte[]> object : added.entrySet()) {
                    zip.putNextEntry(new ZipEntry(object.getKey()));
                    zip.write(object.getValue());
                    zip.closeEntry();
                }
            }
        });
    }

    private static <S extends Serializable> void restoreOne(Path file, Checkpointable<S> target) throws IOException {
        String key = target.checkpointKey();
        Object value = read(file, key);
        @SuppressWarnings("unchecked")
        S state = (S) value;
        try {
            target.restore(state);
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("checkpoint (" + file + ") holds a " + value.getClass().getName()
                    + " under \"" + key + "\", which " + target.getClass().getName() + " cannot restore", e);
        }
    }

    /** The MultiLayerNetwork stored in {@code file}, with its updater state and counts. */
    public static MultiLayerNetwork restoreMultiLayerNetwork(Path file) throws IOException {
        requireFile(file);
        return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
    }

    /** The ComputationGraph stored in {@code file}, with its updater state and counts. */
    public static ComputationGraph restoreComputationGraph(Path file) throws IOException {
        requireFile(file);
        return ModelSerializer.restoreComputationGraph(file.toFile(), true);
    }

    private static Object read(Path file, String key) throws IOException {
        checkKey(key);
        try (ZipFile zip = open(file)) {
            ZipEntry entry = zip.getEntry(OBJECTS + key);
            if (entry == null) {
                throw new IllegalArgumentException("checkpoint (" + file + ") holds no object \"" + key + "\" (it holds "
                        + keys(file) + ")");
            }
            try (InputStream raw = zip.getInputStream(entry); ObjectInputStream in = new ObjectInputStream(raw)) {
                return in.readObject();
            } catch (InvalidClassException | ClassNotFoundException e) {
                throw new IOException("checkpoint (" + file + "): the object \"" + key + "\" was written by another"
                        + " version of its class and cannot be read here (" + e.getMessage() + ")", e);
            }
        }
    }

    private static ZipFile open(Path file) throws IOException {
        requireFile(file);
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new IOException("checkpoint (" + file + ") is not a zip file (" + e.getMessage() + ")", e);
        }
    }

    private static void requireFile(Path file) {
        Args.notNull("file", file);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("checkpoint (" + file + ") is not a file");
        }
    }

    private static String checkKey(String key) {
        Args.notEmpty("key", key);
        if (RESERVED.contains(key.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("key (" + key + ") is one of ModelSerializer's own entry names "
                    + RESERVED + "; choose another");
        }
        return key;
    }

    // ---- writing ------------------------------------------------------------------------------------------------

    /** Collects what a checkpoint holds; {@link #write(Path)} or {@link #snapshot()} to finish. */
    public static final class Builder {
        private final Model model;
        private final Map<String, Object> objects = new LinkedHashMap<>();
        private Compression compression = Compression.DEFLATE;

        private Builder(Model model) {
            this.model = model;
        }

        /**
         * Adds {@code state}'s state under its key (taken when the checkpoint is written or snapshot).
         *
         * @throws IllegalArgumentException if the key is taken already or reserved
         */
        public Builder state(Checkpointable<?> state) {
            Args.notNull("state", state);
            return put(state.checkpointKey(), state);
        }

        /**
         * Adds {@code value} under {@code key}.
         *
         * @throws IllegalArgumentException if the key is taken already or reserved
         */
        public Builder object(String key, Serializable value) {
            return put(key, Args.notNull("value", value));
        }

        private Builder put(String key, Object value) {
            checkKey(key);
            if (objects.containsKey(key)) {
                throw new IllegalArgumentException("key (" + key + ") is given twice; each object needs its own key");
            }
            objects.put(key, value);
            return this;
        }

        /** How the entries are stored; {@link Compression#DEFLATE} unless given. */
        public Builder compression(Compression compression) {
            this.compression = Args.notNull("compression", compression);
            return this;
        }

        /**
         * Copies the network's configuration, parameters and updater state, and serializes every object, now; the
         * snapshot can be written later, on any thread, whatever the network does meanwhile.
         *
         * @throws IOException if an object cannot be serialized (naming its key)
         */
        public Snapshot snapshot() throws IOException {
            Map<String, byte[]> serialized = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : objects.entrySet()) {
                Object value = e.getValue() instanceof Checkpointable ? ((Checkpointable<?>) e.getValue()).state()
                        : e.getValue();
                serialized.put(e.getKey(), serialize(e.getKey(), value));
            }
            String json;
            INDArray params;
            INDArray updaterState;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                if (model instanceof MultiLayerNetwork) {
                    MultiLayerNetwork net = (MultiLayerNetwork) model;
                    json = net.getLayerWiseConfigurations().toJson();
                    updaterState = net.getUpdater().getStateViewArray();
                } else {
                    ComputationGraph graph = (ComputationGraph) model;
                    json = graph.getConfiguration().toJson();
                    updaterState = graph.getUpdater().getStateViewArray();
                }
                params = model.params() == null ? null : model.params().dup();
                updaterState = updaterState == null || updaterState.length() == 0 ? null : updaterState.dup();
            }
            return new Snapshot(json, params, updaterState, serialized, compression);
        }

        /**
         * Writes the checkpoint to {@code file}, replacing an earlier one only once the new one is complete on disk.
         */
        public void write(Path file) throws IOException {
            snapshot().write(file);
        }

        private static byte[] serialize(String key, Object value) throws IOException {
            if (!(value instanceof Serializable)) {
                throw new IllegalArgumentException("the state under \"" + key + "\" ("
                        + (value == null ? "null" : value.getClass().getName()) + ") is not Serializable");
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(value);
            } catch (IOException e) {
                throw new IOException("cannot serialize the state under \"" + key + "\": " + e, e);
            }
            return bytes.toByteArray();
        }
    }

    /** What a checkpoint holds, copied at one moment; {@link #write(Path)} may run on any thread, more than once. */
    public static final class Snapshot {
        private final String configuration;
        private final INDArray params;
        private final INDArray updaterState;
        private final Map<String, byte[]> objects;
        private final Compression compression;

        private Snapshot(String configuration, INDArray params, INDArray updaterState, Map<String, byte[]> objects,
                         Compression compression) {
            this.configuration = configuration;
            this.params = params;
            this.updaterState = updaterState;
            this.objects = objects;
            this.compression = compression;
        }

        /**
         * This snapshot with {@code state}'s state now (serialized at once) under its key, replacing an object of the
         * same key in its place (else last): for a state that is complete only after the network's moment was taken (a record of what the epoch
         * measured, measured while the next epoch trains). This snapshot is unchanged.
         *
         * @throws IOException if the state cannot be serialized (naming its key)
         */
        public Snapshot with(Checkpointable<?> state) throws IOException {
            Args.notNull("state", state);
            Map<String, byte[]> more = new LinkedHashMap<>(objects);
            more.put(state.checkpointKey(), Builder.serialize(state.checkpointKey(), state.state()));
            return new Snapshot(configuration, params, updaterState, more, compression);
        }

        /** The keys of the objects, in the order they were added. */
        public Set<String> keys() {
            return Collections.unmodifiableSet(objects.keySet());
        }

        /**
         * Writes the zip beside {@code file}, forces it to disk and moves it into place: a failure leaves the previous
         * file intact.
         */
        public void write(Path file) throws IOException {
            Args.notNull("file", file);
            AtomicFiles.write(file, temp -> {
                try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16);
                     ZipOutputStream zip = new ZipOutputStream(raw)) {
                    // ModelSerializer writes the JSON in the platform charset; so does its reader.
                    entry(zip, CONFIGURATION, configuration.getBytes(Charset.defaultCharset()));
                    if (params != null) {
                        entry(zip, COEFFICIENTS, array(params));
                    } else {
                        entry(zip, NO_PARAMS, new byte[0]);
                    }
                    if (updaterState != null) {
                        entry(zip, UPDATER_STATE, array(updaterState));
                    }
                    for (Map.Entry<String, byte[]> object : objects.entrySet()) {
                        entry(zip, OBJECTS + object.getKey(), object.getValue());
                    }
                }
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
            });
        }

        private void entry(ZipOutputStream zip, String name, byte[] content) throws IOException {
            ZipEntry entry = new ZipEntry(name);
            if (compression == Compression.NONE) {
                CRC32 crc = new CRC32();
                crc.update(content);
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(content.length);
                entry.setCompressedSize(content.length);
                entry.setCrc(crc.getValue());
            }
            zip.putNextEntry(entry);
            zip.write(content);
            zip.closeEntry();
        }

        private static byte[] array(INDArray array) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8,
                    array.length() * array.dataType().width() + 256));
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                Nd4j.write(array, out);
            }
            return bytes.toByteArray();
        }
    }
}
