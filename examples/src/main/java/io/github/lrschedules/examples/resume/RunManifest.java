package io.github.lrschedules.examples.resume;

import io.github.lrschedules.examples.ExamplesException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * What a resumable run was started with, in {@code DIR/resume/run.properties}: the format of the saved state, the
 * version of the examples and of the library, the command, its options as given on the command line (without
 * {@code --out} and the options that only change what is shown), and the settings lines the run printed about its
 * data and model (so that {@code --data auto}, a profile or a data directory that changed since are noticed).
 *
 * <p>Example: {@code compare --model mlp --epochs 3} gives {@code command=compare}, {@code arg.0=--model},
 * {@code arg.1=mlp}, {@code arg.2=--epochs}, {@code arg.3=3}.
 */
public final class RunManifest {

    /** The folder inside a run's output directory that holds what {@code --resume} needs. */
    public static final String FOLDER = "resume";
    /** The manifest's file name inside {@link #FOLDER}. */
    public static final String FILE = "run.properties";
    /** Version of the saved state's layout; a run saved in another layout is refused. */
    public static final int FORMAT = 2;

    private final int format;
    private final String version;
    private final String command;
    private final List<String> arguments;
    private final List<String> settings;

    /**
     * @param version   the examples' and the library's version, as {@link #currentVersion(String)} gives it
     * @param command   {@code compare} or {@code train}
     * @param arguments the options to give the command again to redo the run
     * @param settings  the lines describing the data and the model that the run printed
     */
    public RunManifest(String version, String command, List<String> arguments, List<String> settings) {
        this(FORMAT, version, command, arguments, settings);
    }

    private RunManifest(int format, String version, String command, List<String> arguments, List<String> settings) {
        this.format = format;
        this.version = Objects.requireNonNull(version, "version");
        this.command = Objects.requireNonNull(command, "command");
        this.arguments = List.copyOf(arguments);
        this.settings = List.copyOf(settings);
    }

    /**
     * {@code examplesVersion} with the library's version from its jar, e.g.
     * {@code "dl4j-lr-schedules examples 1.0.0, library 1.0.0"}.
     */
    public static String currentVersion(String examplesVersion) {
        String library = "unknown";
        try (InputStream in = RunManifest.class.getResourceAsStream(
                "/META-INF/maven/io.github.lrschedules/dl4j-lr-schedules/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                library = p.getProperty("version", library);
            }
        } catch (IOException e) {
            library = "unknown";
        }
        return examplesVersion + ", library " + library;
    }

    /** The manifest's path inside a run's output directory. */
    public static Path file(Path dir) {
        return dir.resolve(FOLDER).resolve(FILE);
    }

    /** True if {@code dir} holds a run that {@code --resume} can continue. */
    public static boolean existsIn(Path dir) {
        return Files.isRegularFile(file(dir));
    }

    public String version() {
        return version;
    }

    public String command() {
        return command;
    }

    public List<String> arguments() {
        return arguments;
    }

    public List<String> settings() {
        return settings;
    }

    /** This manifest with {@code settings} in place of the recorded ones. */
    public RunManifest withSettings(List<String> settings) {
        return new RunManifest(format, version, command, arguments, settings);
    }

    /** Writes {@code DIR/resume/run.properties}, replacing it only once complete. */
    public void write(Path dir) throws IOException {
        Properties p = new Properties() {
            private static final long serialVersionUID = 1L;

            // Properties.store writes in hash order; sorted keys keep the file the same from run to run.
            @Override
            public synchronized java.util.Enumeration<Object> keys() {
                List<Object> sorted = new ArrayList<>(keySet());
                sorted.sort((a, b) -> compareKeys((String) a, (String) b));
                return java.util.Collections.enumeration(sorted);
            }

            @Override
            public java.util.Set<java.util.Map.Entry<Object, Object>> entrySet() {
                java.util.Set<java.util.Map.Entry<Object, Object>> sorted = new java.util.TreeSet<>(
                        (a, b) -> compareKeys((String) a.getKey(), (String) b.getKey()));
                sorted.addAll(super.entrySet());
                return java.util.Collections.unmodifiableSet(sorted);
            }
        };
        p.setProperty("format", Integer.toString(format));
        p.setProperty("version", version);
        p.setProperty("command", command);
        for (int i = 0; i < arguments.size(); i++) {
            p.setProperty("arg." + i, arguments.get(i));
        }
        for (int i = 0; i < settings.size(); i++) {
            p.setProperty("setting." + i, settings.get(i));
        }
        StringWriter text = new StringWriter();
        p.store(text, null);
        // store() starts with a date comment; without it the file is the same for the same run.
        String body = text.toString().replaceFirst("^#[^\n]*\n", "");
        // written beside its place and moved there, so a kill never leaves half a manifest
        Path file = file(dir);
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling("." + FILE + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(temp, body, StandardCharsets.UTF_8);
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Reads the manifest of the run in {@code dir}.
     *
     * @throws ExamplesException if there is none or it cannot be read
     */
    public static RunManifest read(Path dir) throws IOException {
        Path file = file(dir);
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new ExamplesException("--resume " + dir + ": no run to resume there (" + FOLDER + "/" + FILE
                    + " is missing; only runs of this version of compare and train can be resumed)");
        }
        String formatText = p.getProperty("format");
        String version = p.getProperty("version");
        String command = p.getProperty("command");
        if (formatText == null || version == null || command == null) {
            throw new ExamplesException("--resume " + dir + ": " + file + " is incomplete (needs format, version and"
                    + " command)");
        }
        int format;
        try {
            format = Integer.parseInt(formatText.trim());
        } catch (NumberFormatException e) {
            throw new ExamplesException("--resume " + dir + ": format '" + formatText + "' in " + file
                    + " is not a number");
        }
        return new RunManifest(format, version, command, indexed(p, "arg."), indexed(p, "setting."));
    }

    /**
     * Refuses a run saved by another version or in another layout.
     *
     * @throws ExamplesException naming both versions
     */
    public void checkVersion(Path dir, String currentVersion) {
        if (format != FORMAT || !version.equals(currentVersion)) {
            throw new ExamplesException("--resume " + dir + ": the run there was started by " + version
                    + (format != FORMAT ? " (saved state format " + format + ")" : "") + ", this is " + currentVersion
                    + (format != FORMAT ? " (format " + FORMAT + ")" : "") + "; resume it with that version, or start"
                    + " a new run");
        }
    }

    /**
     * Refuses to continue a run whose data or model, as this run describes them, differ from the recorded ones.
     *
     * @throws ExamplesException quoting both lines
     */
    public void checkSettings(Path dir, List<String> now) {
        for (int i = 0; i < settings.size(); i++) {
            String recorded = settings.get(i);
            String current = i < now.size() ? now.get(i) : "(nothing)";
            if (!recorded.equals(current)) {
                throw new ExamplesException("--resume " + dir + ": the run there was started with \"" + recorded
                        + "\" but now it would be \"" + current + "\"; resume it where the same data (and profile) are"
                        + " there, or start a new run");
            }
        }
    }

    private static List<String> indexed(Properties p, String prefix) {
        List<String> values = new ArrayList<>();
        for (int i = 0; p.containsKey(prefix + i); i++) {
            values.add(p.getProperty(prefix + i));
        }
        return values;
    }

    /** format, version, command, then arg.N and setting.N in numeric order. */
    private static int compareKeys(String a, String b) {
        int ra = rank(a);
        int rb = rank(b);
        if (ra != rb) {
            return Integer.compare(ra, rb);
        }
        if (ra >= 3) {
            return Integer.compare(Integer.parseInt(a.substring(a.indexOf('.') + 1)),
                    Integer.parseInt(b.substring(b.indexOf('.') + 1)));
        }
        return a.compareTo(b);
    }

    private static int rank(String key) {
        switch (key) {
            case "format":
                return 0;
            case "version":
                return 1;
            case "command":
                return 2;
            default:
                return key.startsWith("arg.") ? 3 : 4;
        }
    }
}
