package io.github.lrschedules.ui;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium for the browser test: loads a page, lets its scripts run for a few seconds of virtual time,
 * and returns the DOM or writes a screenshot. Each run gets a fresh profile and no network beyond the page; the
 * profile (with the home folder Chromium is given, so nothing lands in the real {@code ~/.config} or
 * {@code ~/.cache}) is removed after the run.
 *
 * <p>The executable is {@code $CHROMIUM}, else the first of {@code chromium}, {@code chromium-browser},
 * {@code google-chrome} on the {@code PATH}. When none is found the test fails with install instructions; only
 * outside CI (environment variable {@code CI} unset) it is skipped instead, with the reason printed.
 */
final class Chromium {

    private static final String INSTALL = "Install it with: sudo apt-get install -y chromium (Debian/Ubuntu), "
            + "or point the environment variable CHROMIUM at a Chromium or Chrome executable. "
            + ".ci/run installs it on CI.";
    private static final int VIRTUAL_TIME_BUDGET_MS = 10_000;
    private static final long TIMEOUT_SECONDS = 90;

    private final String executable;

    private Chromium(String executable) {
        this.executable = executable;
    }

    /** The browser, or the test fails (CI) or is skipped (not CI) if there is none. */
    static Chromium require() {
        String found = find();
        if (found == null) {
            String message = "Headless Chromium is needed for the Schedules page browser test but was not found. " + INSTALL;
            if (System.getenv("CI") == null) {
                System.err.println("SKIPPED (CI is not set): " + message);
                Assumptions.abort(message);
            }
            fail(message);
        }
        return new Chromium(found);
    }

    private static String find() {
        String configured = System.getenv("CHROMIUM");
        if (configured != null && !configured.isEmpty()) {
            if (!new File(configured).canExecute()) {
                fail("CHROMIUM=" + configured + " is not an executable file. " + INSTALL);
            }
            return configured;
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String name : Arrays.asList("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : path.split(File.pathSeparator)) {
                File candidate = new File(dir, name);
                if (candidate.isFile() && candidate.canExecute()) {
                    return candidate.getAbsolutePath();
                }
            }
        }
        return null;
    }

    /** The DOM of {@code url} after its scripts ran. */
    String dumpDom(String url, Path workDir) throws IOException, InterruptedException {
        return run(workDir, "dom", Arrays.asList("--dump-dom", url));
    }

    /** Writes a PNG of {@code url} at {@code width x height} to {@code png}. */
    void screenshot(String url, Path png, int width, int height, Path workDir) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.deleteIfExists(png);
        run(workDir, "screenshot", Arrays.asList("--screenshot=" + png.toAbsolutePath(),
                "--window-size=" + width + "," + height, "--hide-scrollbars", url));
        if (!Files.isRegularFile(png) || Files.size(png) == 0) {
            fail("Chromium wrote no screenshot to " + png);
        }
    }

    private String run(Path workDir, String name, List<String> args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(workDir, "chromium-profile-");
        Path stdout = workDir.resolve(name + ".out");
        Path stderr = workDir.resolve(name + ".err");
        List<String> command = new ArrayList<>(Arrays.asList(executable,
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile.toAbsolutePath(),
                "--virtual-time-budget=" + VIRTUAL_TIME_BUDGET_MS));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        // --user-data-dir does not cover everything: headless Chromium still writes "Crash Reports" under
        // $XDG_CONFIG_HOME (~/.config/chromium) and dconf its cache under ~/.cache. Give it a home inside the profile.
        Path home = Files.createDirectories(profile.resolve("home"));
        builder.environment().put("HOME", home.toString());
        builder.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        builder.environment().put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        builder.environment().put("XDG_DATA_HOME", home.resolve(".local/share").toString());
        try {
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                fail("Chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command + "\n" + read(stderr));
            }
            if (process.exitValue() != 0) {
                fail("Chromium exited with " + process.exitValue() + ": " + command + "\n" + read(stderr));
            }
            return read(stdout);
        } finally {
            deleteRecursively(profile);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    }
}
