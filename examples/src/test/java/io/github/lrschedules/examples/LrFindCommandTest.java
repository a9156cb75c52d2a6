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
                "--min-lr", "1e-5", "--max-lr", "1", "--out", out.toString());
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
    }

    @Test
    void anEmptyRangeIsABadArgument() {
        Cli cli = Cli.run("lr-find", "--min-lr", "1", "--max-lr", "0.1", "--out", dir.resolve("x").toString());
        assertThat(cli.exitCode).as(cli.toString()).isEqualTo(2);
        assertThat(cli.err).contains("minLr (1.0) must be < maxLr (0.1)");
        Cli few = Cli.run("lr-find", "--iterations", "2", "--out", dir.resolve("y").toString());
        assertThat(few.exitCode).isEqualTo(2);
        assertThat(few.err).contains("iterations (2)");
    }
}
