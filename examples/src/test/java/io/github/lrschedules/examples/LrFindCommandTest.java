package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lr-find} on real digits of the embedded subset. */
class LrFindCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesTheCurvesAndPrintsASuggestionFromThem() throws IOException {
        Path out = dir.resolve("lrf");
        Cli cli = Cli.run("lr-find", "--data", "embedded", "--train-limit", "640", "--iterations", "25",
                "--start-lr", "1e-5", "--end-lr", "1", "--out", out.toString());
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        List<String> csv = Files.readAllLines(out.resolve("lr_find.csv"));
        assertThat(csv.get(0)).isEqualTo("lr,loss,smoothed_loss");
        assertThat(csv.size() - 1).isBetween(2, 25);
        assertThat(Double.parseDouble(csv.get(1).split(",")[0])).isEqualTo(1e-5);
        assertThat(Files.size(out.resolve("lr_find.png"))).isGreaterThan(5_000);
        Matcher m = Pattern.compile("suggested learning rate: (\\S+)").matcher(cli.out);
        assertThat(m.find()).as(cli.out).isTrue();
        double suggested = Double.parseDouble(m.group(1));
        boolean onTheCurve = csv.stream().skip(1)
                .map(line -> Double.parseDouble(line.split(",")[0]))
                .anyMatch(lr -> Math.abs(lr - suggested) <= 0.005 * lr);
        assertThat(onTheCurve).as("the suggestion %s is a learning rate of the curve", suggested).isTrue();
        // fastai's and Lightning's suggestions beside it, each a rate of the curve or the reason it has none
        Matcher others = Pattern.compile("fastai's valley: (\\S+|none \\(.*?\\)); fastai's slide: (\\S+|none \\(.*?\\));"
                + " Lightning's steepest gradient: (\\S+|none \\(.*\\))").matcher(cli.out);
        assertThat(others.find()).as(cli.out).isTrue();
        for (int g = 1; g <= 3; g++) {
            String value = others.group(g);
            if (!value.startsWith("none")) {
                double lr = Double.parseDouble(value);
                assertThat(csv.stream().skip(1).map(line -> Double.parseDouble(line.split(",")[0]))
                        .anyMatch(x -> Math.abs(x - lr) <= 0.005 * x)).as("%s is on the curve", value).isTrue();
            }
        }
    }

    @Test
    void compareWithMaxLrAutoPeaksOneCycleAtTheSuggestion() throws IOException {
        Path out = dir.resolve("auto");
        Cli cli = Cli.run("compare", "--schedules", "onecycle", "--data", "embedded", "--train-limit", "640",
                "--test-limit", "200", "--epochs", "2", "--max-lr", "auto", "--no-progress", "--out", out.toString());
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        Matcher m = Pattern.compile("--max-lr auto: the LR range test suggests (\\S+)").matcher(cli.out);
        assertThat(m.find()).as(cli.out).isTrue();
        double suggested = Double.parseDouble(m.group(1));
        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        int lrColumn = List.of(metrics.get(0).split(",")).indexOf("lr");
        double peak = metrics.stream().skip(1).mapToDouble(line -> Double.parseDouble(line.split(",")[lrColumn]))
                .max().orElseThrow();
        // printed with 3 significant digits; the cycle's top step lies at most one step before the exact peak
        assertThat(peak).isBetween(0.9 * suggested, 1.01 * suggested);
    }

    /** lr-find goes through the same run context as compare: the profile's hardware check applies to it too. */
    @Test
    void aCudaProfileStopsLrFindOnTheCpuBuildAsItStopsCompare() {
        Cli cli = Cli.run("lr-find", "--data", "embedded", "--train-limit", "640", "--profile",
                "../gpu-profiles/cuda.properties", "--out", dir.resolve("cuda").toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err.trim()).startsWith("error: profile ../gpu-profiles/cuda.properties asks for CUDA")
                .doesNotContain("\n");
        assertThat(dir.resolve("cuda")).doesNotExist();
    }

    @Test
    void aMaxLrThatIsNeitherANumberNorAutoIsRejected() {
        Cli cli = Cli.run("compare", "--max-lr", "fast", "--out", dir.resolve("z").toString());
        assertThat(cli.exitCode).as(cli.toString()).isNotZero();
        assertThat(cli.err).contains("--max-lr").contains("fast");
    }

    @Test
    void anEmptyRangeIsABadArgument() {
        Cli cli = Cli.run("lr-find", "--start-lr", "1", "--end-lr", "0.1", "--out", dir.resolve("x").toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err).contains("minLr (1.0) must be < maxLr (0.1)");
        Cli few = Cli.run("lr-find", "--iterations", "2", "--out", dir.resolve("y").toString());
        assertThat(few.exitCode).isEqualTo(2);
        assertThat(few.err).contains("iterations (2)");
    }
}
