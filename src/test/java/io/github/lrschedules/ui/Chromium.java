package io.github.lrschedules.ui;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium for the browser test: loads a page, lets its scripts run for a few seconds of virtual time,
 * and returns the DOM or writes a screenshot. Each run gets a fresh profile and no network beyond the page.
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
        Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("Chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command + "\n" + read(stderr));
        }
        if (process.exitValue() != 0) {
            fail("Chromium exited with " + process.exitValue() + ": " + command + "\n" + read(stderr));
        }
        return read(stdout);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    }
}
