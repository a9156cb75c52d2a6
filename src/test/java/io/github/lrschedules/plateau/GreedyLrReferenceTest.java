package io.github.lrschedules.plateau;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link GreedyLr} against Hugging Face transformers 5.18 {@code GreedyLR} ({@code scripts/catalogue_reference.py},
 * files under {@code src/test/resources/io/github/lrschedules/plateau/reference}) on scripted metric sequences:
 * improving (up to {@code maxLr}), flat (down to {@code minLr}, then a reset), noisy with smoothing, MAX mode with a
 * relative threshold, cooldown and warmup, and Hugging Face's defaults. Every rate equal to the reference's (float64,
 * relative error at most 1e-9), also after the rule is saved and restored (Java serialization) mid-sequence.
 */
class GreedyLrReferenceTest {

    private static final String DIR = "/io/github/lrschedules/plateau/reference/";
    /** The step after which the script saves Hugging Face's state and resumes a fresh rule from it. */
    private static final int RESTORE_AT = 17;

    static double[][] load(String file) {
        try (InputStream in = GreedyLrReferenceTest.class.getResourceAsStream(DIR + file)) {
            assertThat(in).as(DIR + file).isNotNull();
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            assertThat(lines[0]).isEqualTo("step,metric,lr");
            List<double[]> rows = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                String[] cells = lines[i].split(",");
                rows.add(new double[] {Double.parseDouble(cells[1]), Double.parseDouble(cells[2])});
            }
            return rows.toArray(new double[0][]);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("greedy_improving.csv", 0.1,
                        (Supplier<GreedyLr>) () -> GreedyLr.builder().patience(3).factor(0.8).build()),
                Arguments.of("greedy_flat_reset.csv", 0.05,
                        (Supplier<GreedyLr>) () -> GreedyLr.builder().patience(2).factor(0.5).resetStart(4).build()),
                Arguments.of("greedy_noisy_smooth.csv", 0.02,
                        (Supplier<GreedyLr>) () -> GreedyLr.builder().patience(2).factor(0.9).smooth(true).windowSize(5)
                                .minLr(0.005).maxLr(0.05).build()),
                Arguments.of("greedy_max_rel_cooldown_warmup.csv", 0.01,
                        (Supplier<GreedyLr>) () -> GreedyLr.builder().mode(PlateauTracker.Mode.MAX).threshold(0.01)
                                .thresholdMode(PlateauTracker.ThresholdMode.REL).patience(1).factor(0.7).cooldown(2)
                                .warmup(3).minLr(0.001).maxLr(0.04).build()),
                Arguments.of("greedy_defaults.csv", 0.1, (Supplier<GreedyLr>) () -> GreedyLr.builder().build()));
    }

    private static void assertRate(double actual, double expected, String what) {
        assertThat(Math.abs(actual - expected)).as("%s: %s vs transformers %s", what, actual, expected)
                .isLessThanOrEqualTo(1e-9 * Math.abs(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void givesTransformersRatesAtEveryStep(String file, double initialLr, Supplier<GreedyLr> rule) {
        double[][] rows = load(file);
        GreedyLr greedy = rule.get();
        double lr = initialLr;
        for (int k = 0; k < rows.length; k++) {
            lr = greedy.step(rows[k][0], lr);
            assertRate(lr, rows[k][1], file + " step " + k);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aRuleSavedAndRestoredMidSequenceContinuesExactly(String file, double initialLr, Supplier<GreedyLr> rule)
            throws IOException, ClassNotFoundException {
        double[][] rows = load(file);
        GreedyLr greedy = rule.get();
        double lr = initialLr;
        for (int k = 0; k <= RESTORE_AT; k++) {
            lr = greedy.step(rows[k][0], lr);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(greedy);
        }
        GreedyLr restored;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            restored = (GreedyLr) in.readObject();
        }
        GreedyLr copy = greedy.copy();
        double lrCopy = lr;
        for (int k = RESTORE_AT + 1; k < rows.length; k++) {
            double original = greedy.step(rows[k][0], lr);
            lrCopy = copy.step(rows[k][0], lrCopy);
            lr = restored.step(rows[k][0], lr);
            assertRate(lr, rows[k][1], file + " restored, step " + k);
            assertThat(lr).isEqualTo(original).isEqualTo(lrCopy);
        }
    }

    @Test
    void referenceSequencesReachBothBoundsAndAReset() {
        double[][] improving = load("greedy_improving.csv");
        assertThat(improving[improving.length - 1][1]).isEqualTo(1.0);
        double[][] flat = load("greedy_flat_reset.csv");
        boolean atMin = false;
        boolean resetAfterMin = false;
        for (double[] row : flat) {
            atMin |= row[1] == 1e-3;
            resetAfterMin |= atMin && row[1] == 0.05;
        }
        assertThat(atMin).isTrue();
        assertThat(resetAfterMin).isTrue();
    }

    @Test
    void defaultsAreHuggingFaces() {
        GreedyLr rule = GreedyLr.builder().build();
        assertThat(rule.getMode()).isEqualTo(PlateauTracker.Mode.MIN);
        assertThat(rule.getFactor()).isEqualTo(0.95);
        assertThat(rule.getPatience()).isEqualTo(10);
        assertThat(rule.getThreshold()).isEqualTo(1e-6);
        assertThat(rule.getThresholdMode()).isEqualTo(PlateauTracker.ThresholdMode.ABS);
        assertThat(rule.getMinLr()).isEqualTo(1e-3);
        assertThat(rule.getMaxLr()).isEqualTo(1.0);
        assertThat(rule.getEps()).isEqualTo(1e-8);
        assertThat(rule.getWindowSize()).isEqualTo(50);
        assertThat(rule.getResetStart()).isEqualTo(500);
        assertThat(rule.isSmooth()).isFalse();
    }

    @Test
    void javadocExample() {
        GreedyLr rule = GreedyLr.builder().patience(2).factor(0.5).build();
        assertThat(rule.step(1.0, 0.1)).isEqualTo(0.1);
        assertThat(rule.step(0.9, 0.1)).isEqualTo(0.1);
        assertThat(rule.step(0.8, 0.1)).isEqualTo(0.2);
    }

    @Test
    void aNonFiniteMetricIsABadPeriodAndStaysOutOfTheWindow() {
        GreedyLr rule = GreedyLr.builder().patience(0).factor(0.5).smooth(true).windowSize(3).build();
        assertThat(rule.step(1.0, 0.1)).isEqualTo(0.2);
        assertThat(rule.step(Double.NaN, 0.2)).isEqualTo(0.1);
        // The window holds 1.0 and 0.5: mean 0.75 improves on 1.0.
        assertThat(rule.step(0.5, 0.1)).isEqualTo(0.2);
        assertThat(rule.getBest()).isEqualTo(0.75);
    }

    @Test
    void badArgumentsAreRefusedWithTheArgumentNamed() {
        assertThatThrownBy(() -> GreedyLr.builder().factor(1.0)).hasMessageContaining("factor (1.0)");
        assertThatThrownBy(() -> GreedyLr.builder().windowSize(0)).hasMessageContaining("windowSize (0)");
        assertThatThrownBy(() -> GreedyLr.builder().maxLr(Double.NaN)).hasMessageContaining("maxLr (NaN)");
        assertThatThrownBy(() -> GreedyLr.builder().minLr(0.5).maxLr(0.1).build())
                .hasMessageContaining("minLr (0.5) must be <= maxLr (0.1)");
        assertThatThrownBy(() -> GreedyLr.builder().build().step(1.0, -1)).hasMessageContaining("currentLr (-1.0)");
    }
}
