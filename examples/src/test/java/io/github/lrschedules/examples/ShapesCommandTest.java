package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.examples.cli.ShapesCommand;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.schedule.ISchedule;

/** {@code examples/run shapes}: the CSV holds what the schedules compute, the PNG is a real chart. */
class ShapesCommandTest {

    @Test
    void writesEveryScheduleValueAndAChart(@TempDir Path dir) throws Exception {
        Cli cli = Cli.run("shapes", "--steps", "200", "--peak", "0.05", "--out", dir.toString());
        assertThat(cli.exitCode).as(cli.toString()).isZero();
        assertThat(cli.out).contains("8 schedules over 220 steps");

        List<String> lines = Files.readAllLines(dir.resolve(ShapesCommand.CSV));
        Map<String, ISchedule> shapes = ShapesCommand.schedules(200, 0.05);
        assertThat(lines).hasSize(1 + 221);
        assertThat(lines.get(0)).startsWith("step,\"WSD, 1-sqrt cool-down (last 20%)\"");
        List<ISchedule> columns = new ArrayList<>(shapes.values());
        for (int k = 0; k <= 220; k++) {
            String[] cells = lines.get(1 + k).split(",");
            assertThat(cells).hasSize(1 + columns.size());
            assertThat(Integer.parseInt(cells[0])).isEqualTo(k);
            for (int c = 0; c < columns.size(); c++) {
                assertThat(Double.parseDouble(cells[1 + c])).as("step %s column %s", k, c)
                        .isEqualTo(columns.get(c).valueAt(k, 0));
            }
        }
        // The 1-sqrt cool-down: the peak until step 160, 0 from step 200 on.
        assertThat(columns.get(0).valueAt(159, 0)).isEqualTo(0.05);
        assertThat(columns.get(0).valueAt(200, 0)).isZero();

        BufferedImage png = ImageIO.read(dir.resolve(ShapesCommand.PNG).toFile());
        assertThat(png.getWidth()).isEqualTo(1100);
        assertThat(png.getHeight()).isEqualTo(560);

        // the schedules added since 1.0, in their own CSV and chart
        assertThat(cli.out).contains("7 schedules over 220 steps");
        List<String> newLines = Files.readAllLines(dir.resolve(ShapesCommand.NEW_CSV));
        List<ISchedule> newColumns = new ArrayList<>(ShapesCommand.newSchedules(200, 0.05).values());
        assertThat(newLines).hasSize(1 + 221);
        assertThat(newLines.get(0)).startsWith("step,\"tanh (timm), lb -7, ub 3\"");
        for (int k = 0; k <= 220; k++) {
            String[] cells = newLines.get(1 + k).split(",(?=[^\"]|$)");
            for (int c = 0; c < newColumns.size(); c++) {
                assertThat(Double.parseDouble(cells[1 + c])).as("new, step %s column %s", k, c)
                        .isEqualTo(newColumns.get(c).valueAt(k, 0));
            }
        }
        assertThat(ImageIO.read(dir.resolve(ShapesCommand.NEW_PNG).toFile()).getWidth()).isEqualTo(1100);
    }

    @Test
    void tooShortAHorizonIsAUsageError(@TempDir Path dir) {
        Cli cli = Cli.run("shapes", "--steps", "5", "--out", dir.toString());
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err).contains("--steps", "5", "must be >= 20");
        assertThat(dir.resolve(ShapesCommand.CSV)).doesNotExist();
    }
}
