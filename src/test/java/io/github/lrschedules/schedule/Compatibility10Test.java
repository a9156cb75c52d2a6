package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Configurations saved by 1.0.0 still load: the JSON that 1.0.0 wrote for each schedule of the catalog (as it was in
 * 1.0.0, entries 0 to {@value #ENTRIES_IN_1_0} - 1; later entries are appended after them) gives an object equal to
 * today's catalog sample, and the values that 1.0.0 computed for it over steps 0..300, exactly.
 */
class Compatibility10Test {

    private static final int ENTRIES_IN_1_0 = 17;
    private static final String DIR = "/io/github/lrschedules/compat-1.0/";

    static Stream<Integer> entries() {
        return IntStream.range(0, ENTRIES_IN_1_0).boxed();
    }

    private static String name(int index) {
        return ScheduleCatalog.all().get(index).sample.getClass().getSimpleName() + "-" + index;
    }

    private static String read(String file) throws IOException {
        try (InputStream in = Compatibility10Test.class.getResourceAsStream(DIR + file)) {
            assertThat(in).as("resource %s", DIR + file).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyEntryOf10HasItsJson() {
        assertThat(ScheduleCatalog.all()).hasSizeGreaterThanOrEqualTo(ENTRIES_IN_1_0);
        assertThat(Compatibility10Test.class.getResource(DIR + "MilestoneStepSchedule-0.json")).isNotNull();
        assertThat(Compatibility10Test.class.getResource(DIR + "PiecewiseConstantSchedule-16.json")).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void jsonOf10LoadsAsTheCatalogSampleWithThe10Values(int index) throws IOException {
        ISchedule sample = ScheduleCatalog.all().get(index).sample;
        ISchedule loaded = NeuralNetConfiguration.mapper().readValue(read(name(index) + ".json"), ISchedule.class);

        assertThat(loaded).isInstanceOf(sample.getClass()).isEqualTo(sample).hasSameHashCodeAs(sample);
        List<String> lines = new ArrayList<>(List.of(read(name(index) + ".csv").split("\n")));
        assertThat(lines.remove(0)).isEqualTo("step,value");
        assertThat(lines).hasSize(301);
        for (String line : lines) {
            String[] cells = line.split(",");
            int k = Integer.parseInt(cells[0]);
            double value10 = Double.parseDouble(cells[1]);
            assertThat(loaded.valueAt(k, k)).as("%s loaded, valueAt(%s, %s)", name(index), k, k).isEqualTo(value10);
            assertThat(sample.valueAt(k, k)).as("%s sample, valueAt(%s, %s)", name(index), k, k)
                    .isEqualTo(loaded.valueAt(k, k));
        }
    }
}
