package io.github.lrschedules.examples.profile;

import io.github.lrschedules.examples.ExamplesException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Hardware settings of a run, from a {@code gpu-profiles/*.properties} file ({@code --profile FILE}): backend, batch
 * size, data type, workspace mode, prefetch depth and ND4J memory limits. Unknown keys and bad values are rejected
 * with the file, the key and the value. See {@code gpu-profiles/README.md} for each key.
 */
public final class RunProfile {

    /** Which ND4J backend the profile is written for. */
    public enum Backend {
        CPU, CUDA
    }

    /** Every key a profile may hold. */
    public static final List<String> KEYS = List.of("description", "backend", "batch", "dataType", "workspaceMode",
            "prefetch", "dl4j.layerHelpers", "nd4j.maxBytes", "nd4j.maxPhysicalBytes", "cuda.maxDeviceCache");

    static final int MAX_BATCH = 65_536;
    static final int MAX_PREFETCH = 64;
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmgt]?)", Pattern.CASE_INSENSITIVE);

    private final String name;
    private final String description;
    private final Backend backend;
    private final Integer batch;
    private final DataType dataType;
    private final WorkspaceMode workspaceMode;
    private final int prefetch;
    private final boolean layerHelpers;
    private final Long maxBytes;
    private final Long maxPhysicalBytes;
    private final Long cudaMaxDeviceCache;
    private final boolean builtIn;

    private RunProfile(String name, Map<String, Object> values, boolean builtIn) {
        this.name = name;
        this.builtIn = builtIn;
        this.description = (String) values.getOrDefault("description", "");
        this.backend = (Backend) values.getOrDefault("backend", Backend.CPU);
        this.batch = (Integer) values.get("batch");
        this.dataType = (DataType) values.getOrDefault("dataType", DataType.FLOAT);
        this.workspaceMode = (WorkspaceMode) values.getOrDefault("workspaceMode", WorkspaceMode.ENABLED);
        this.prefetch = (Integer) values.getOrDefault("prefetch", 2);
        this.layerHelpers = (Boolean) values.getOrDefault("dl4j.layerHelpers", false);
        this.maxBytes = (Long) values.get("nd4j.maxBytes");
        this.maxPhysicalBytes = (Long) values.get("nd4j.maxPhysicalBytes");
        this.cudaMaxDeviceCache = (Long) values.get("cuda.maxDeviceCache");
    }

    /**
     * No profile: CPU, float32, workspaces on, prefetch 2, the command's own batch size, no memory limits and no
     * JavaCPP accounting ({@code nd4j.maxBytes=0}, {@code nd4j.maxPhysicalBytes=0}: faster, BENCHMARKS.md section 4).
     */
    public static RunProfile defaults() {
        return new RunProfile("built-in defaults", Map.of("nd4j.maxBytes", 0L, "nd4j.maxPhysicalBytes", 0L), true);
    }

    /**
     * System property naming the profile used when {@code --profile} is not given; {@code examples/run} sets it to
     * {@code gpu-profiles/cpu-onednn.properties} when it picks ND4J's oneDNN build.
     */
    public static final String DEFAULT_PROFILE_PROPERTY = "lrschedules.examples.profile";

    /** {@code file} ({@code --profile FILE}), else the one {@link #DEFAULT_PROFILE_PROPERTY} names, else the defaults. */
    public static RunProfile chosen(Path file) {
        if (file != null) {
            return load(file);
        }
        String fallback = System.getProperty(DEFAULT_PROFILE_PROPERTY, "").trim();
        return fallback.isEmpty() ? defaults() : load(Path.of(fallback));
    }

    /** True for {@link #defaults()}: no file was given. */
    public boolean isDefaults() {
        return builtIn;
    }

    /**
     * Reads and checks a profile.
     *
     * @throws ExamplesException naming the file, key and value of the first problem
     */
    public static RunProfile load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new ExamplesException("--profile " + file + ": no such file (the shipped profiles are in gpu-profiles/)");
        } catch (IOException | IllegalArgumentException e) {
            throw new ExamplesException("--profile " + file + ": cannot be read as a properties file: " + e.getMessage(), e);
        }
        return parse(file.toString(), properties);
    }

    /** Checks {@code properties}; {@code source} names them in messages. */
    public static RunProfile parse(String source, Properties properties) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            String value = properties.getProperty(key).trim();
            if (!KEYS.contains(key)) {
                throw new ExamplesException(source + ": unknown key '" + key + "' (value '" + value + "'); known keys: "
                        + String.join(", ", KEYS));
            }
            values.put(key, value(source, key, value));
        }
        if (values.get("backend") != Backend.CUDA && values.containsKey("cuda.maxDeviceCache")) {
            throw new ExamplesException(source + ": key 'cuda.maxDeviceCache' (value '"
                    + properties.getProperty("cuda.maxDeviceCache").trim() + "') needs backend=cuda");
        }
        return new RunProfile(source, values, false);
    }

    private static Object value(String source, String key, String value) {
        switch (key) {
            case "description":
                return value;
            case "backend":
                return choice(source, key, value, Backend.values());
            case "batch":
                return integer(source, key, value, 1, MAX_BATCH);
            case "dataType": {
                DataType[] allowed = {DataType.FLOAT, DataType.DOUBLE, DataType.HALF, DataType.BFLOAT16};
                return choice(source, key, value, allowed);
            }
            case "workspaceMode": {
                WorkspaceMode[] allowed = {WorkspaceMode.ENABLED, WorkspaceMode.NONE};
                return choice(source, key, value, allowed);
            }
            case "prefetch":
                return integer(source, key, value, 0, MAX_PREFETCH);
            case "dl4j.layerHelpers":
                if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                    return Boolean.parseBoolean(value);
                }
                throw bad(source, key, value, "must be true or false");
            case "nd4j.maxBytes":
            case "nd4j.maxPhysicalBytes":
                // 0: JavaCPP's "no limit", which also skips its accounting of every allocation (BENCHMARKS.md)
                return value.equals("0") ? 0L : bytes(source, key, value);
            default:
                return bytes(source, key, value);
        }
    }

    private static <E extends Enum<E>> E choice(String source, String key, String value, E[] allowed) {
        StringBuilder names = new StringBuilder();
        for (E e : allowed) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
            names.append(names.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw bad(source, key, value, "must be one of " + names);
    }

    private static int integer(String source, String key, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(source, key, value, "must be an integer from " + min + " to " + max);
    }

    /** {@code 123}, {@code 512m}, {@code 8g}: bytes with an optional binary k/m/g/t suffix; must be &gt; 0. */
    static long bytes(String source, String key, String value) {
        Matcher m = SIZE.matcher(value);
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                int shift = 10 * " kmgt".indexOf(m.group(2).isEmpty() ? " " : m.group(2).toLowerCase(Locale.ROOT));
                if (n > 0 && n <= Long.MAX_VALUE >> shift) {
                    return n << shift;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw bad(source, key, value, "must be a size > 0 in bytes, optionally with k, m, g or t (e.g. 512m, 8g)");
    }

    private static ExamplesException bad(String source, String key, String value, String rule) {
        return new ExamplesException(source + ": key '" + key + "' has value '" + value + "': " + rule);
    }

    /** The file it came from, or "built-in defaults". */
    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public Backend backend() {
        return backend;
    }

    /** The batch size, or null to leave the command's default. */
    public Integer batch() {
        return batch;
    }

    public DataType dataType() {
        return dataType;
    }

    public WorkspaceMode workspaceMode() {
        return workspaceMode;
    }

    /** Batches prepared ahead on a background thread; 0 prepares them on the training thread. */
    public int prefetch() {
        return prefetch;
    }

    /**
     * DL4J's oneDNN layer helpers for convolutions and poolings on the CPU, which DL4J M2.1 leaves off (see
     * {@link LayerHelpers}; they take effect in the oneDNN build of the examples).
     */
    public boolean layerHelpers() {
        return layerHelpers;
    }

    /** JavaCPP's off-heap limit ({@code org.bytedeco.javacpp.maxbytes}), or null. */
    public Long maxBytes() {
        return maxBytes;
    }

    /** JavaCPP's limit on the process's physical memory ({@code org.bytedeco.javacpp.maxphysicalbytes}), or null. */
    public Long maxPhysicalBytes() {
        return maxPhysicalBytes;
    }

    /** ND4J CUDA's device memory cache limit, or null. */
    public Long cudaMaxDeviceCache() {
        return cudaMaxDeviceCache;
    }

    @Override
    public String toString() {
        return name + " [backend=" + backend.name().toLowerCase(Locale.ROOT) + (batch == null ? "" : ", batch=" + batch)
                + ", dataType=" + dataType.name().toLowerCase(Locale.ROOT) + ", workspaceMode="
                + workspaceMode.name().toLowerCase(Locale.ROOT) + ", prefetch=" + prefetch
                + (layerHelpers ? ", dl4j.layerHelpers=true" : "")
                + (maxBytes == null ? "" : ", nd4j.maxBytes=" + maxBytes)
                + (maxPhysicalBytes == null ? "" : ", nd4j.maxPhysicalBytes=" + maxPhysicalBytes)
                + (cudaMaxDeviceCache == null ? "" : ", cuda.maxDeviceCache=" + cudaMaxDeviceCache) + "]";
    }
}
