package io.github.lrschedules.plateau;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.plateau.PlateauTracker.Mode;
import io.github.lrschedules.plateau.PlateauTracker.ThresholdMode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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

/** The decision rule against real PyTorch ReduceLROnPlateau (files {@code golden/plateau_*.csv}). */
class PlateauTrackerTest {

    /** Rows of {@code epoch,metric,lr}. */
    static List<double[]> load(String file) throws IOException {
        try (InputStream in = PlateauTrackerTest.class.getResourceAsStream("/io/github/lrschedules/golden/" + file)) {
            assertThat(in).as(file).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            assertThat(reader.readLine()).isEqualTo("epoch,metric,lr");
            List<double[]> rows = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] f = line.split(",");
                rows.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])});
            }
            return rows;
        }
    }

    static Stream<Arguments> goldenCases() {
        return Stream.of(
                Arguments.of("plateau_min_rel.csv", 1.0, (Supplier<PlateauTracker>) () -> PlateauTracker.builder()
                        .mode(Mode.MIN).factor(0.5).patience(2).threshold(1e-2).thresholdMode(ThresholdMode.REL)
                        .cooldown(1).minLr(0.02).eps(1e-8).build()),
                Arguments.of("plateau_max_abs.csv", 1.0, (Supplier<PlateauTracker>) () -> PlateauTracker.builder()
                        .mode(Mode.MAX).factor(0.1).patience(1).threshold(0.05).thresholdMode(ThresholdMode.ABS)
                        .cooldown(0).minLr(0).eps(1e-8).build()),
                Arguments.of("plateau_eps.csv", 1.0, (Supplier<PlateauTracker>) () -> PlateauTracker.builder()
                        .mode(Mode.MIN).factor(0.5).patience(0).threshold(1e-4).thresholdMode(ThresholdMode.REL)
                        .cooldown(0).minLr(0.0).eps(0.1).build()),
                Arguments.of("plateau_min_abs_patience0.csv", 0.1, (Supplier<PlateauTracker>) () -> PlateauTracker.builder()
                        .mode(Mode.MIN).factor(0.3).patience(0).threshold(0.0).thresholdMode(ThresholdMode.ABS)
                        .cooldown(2).minLr(0.001).eps(1e-8).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCases")
    void sameLearningRatesAsPyTorch(String file, double startLr, Supplier<PlateauTracker> factory) throws IOException {
        List<double[]> rows = load(file);
        PlateauTracker tracker = factory.get();
        double lr = startLr;
        int changes = 0;
        for (double[] row : rows) {
            double next = tracker.step(row[1], lr);
            assertThat(next).as("%s epoch %s metric %s", file, (int) row[0], row[1]).isEqualTo(row[2]);
            if (next != lr) {
                changes++;
            }
            lr = next;
        }
        assertThat(changes).as("reductions in %s", file).isGreaterThanOrEqualTo(2);
        assertThat(tracker.state().getReductions()).isEqualTo(changes);
        assertThat(tracker.state().getSteps()).isEqualTo(rows.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCases")
    void restoringTheStateMidwayGivesTheSameDecisions(String file, double startLr, Supplier<PlateauTracker> factory)
            throws IOException, ClassNotFoundException {
        List<double[]> rows = load(file);
        for (int cut = 1; cut < rows.size(); cut++) {
            PlateauTracker first = factory.get();
            double lr = startLr;
            for (int i = 0; i < cut; i++) {
                lr = first.step(rows.get(i)[1], lr);
            }
            PlateauTracker resumed = factory.get();
            resumed.restore(roundTrip(first.state()));
            assertThat(resumed.state()).isEqualTo(first.state());
            for (int i = cut; i < rows.size(); i++) {
                lr = resumed.step(rows.get(i)[1], lr);
                assertThat(lr).as("%s resumed at %s, epoch %s", file, cut, i).isEqualTo(rows.get(i)[2]);
            }
        }
    }

    private static PlateauTracker.State roundTrip(PlateauTracker.State state) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(state);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (PlateauTracker.State) in.readObject();
        }
    }

    @Test
    void patienceCountsToleratedBadPeriods() {
        for (int patience : new int[] {0, 1, 2, 10}) {
            PlateauTracker tracker = PlateauTracker.builder().patience(patience).factor(0.5).build();
            double lr = tracker.step(1.0, 1.0);
            int period = 0;
            while (lr == 1.0) {
                period++;
                lr = tracker.step(1.0, lr);
            }
            assertThat(period).as("patience %s", patience).isEqualTo(patience + 1);
        }
    }

    @Test
    void nonFiniteMetricsCountAsNoImprovementAndNeverReachTheLearningRate() {
        PlateauTracker tracker = PlateauTracker.builder().patience(1).factor(0.5).build();
        double lr = tracker.step(1.0, 0.1);
        lr = tracker.step(Double.NaN, lr);
        assertThat(lr).isEqualTo(0.1);
        assertThat(tracker.state().getBest()).isEqualTo(1.0);
        lr = tracker.step(Double.NEGATIVE_INFINITY, lr);
        assertThat(lr).isEqualTo(0.05);
        assertThat(tracker.state().getBest()).isEqualTo(1.0);
        lr = tracker.step(Double.POSITIVE_INFINITY, lr);
        lr = tracker.step(Double.NaN, lr);
        assertThat(lr).isEqualTo(0.025).isFinite();
        // a finite improvement still counts afterwards
        lr = tracker.step(0.5, lr);
        assertThat(tracker.state().getBest()).isEqualTo(0.5);
        assertThat(tracker.state().getBadEpochs()).isZero();
    }

    @Test
    void badConfigurationNamesTheArgumentAndValue() {
        assertThatThrownBy(() -> PlateauTracker.builder().factor(1.0)).hasMessageContaining("factor (1.0)");
        assertThatThrownBy(() -> PlateauTracker.builder().factor(0.0)).hasMessageContaining("factor (0.0)");
        assertThatThrownBy(() -> PlateauTracker.builder().factor(Double.NaN)).hasMessageContaining("factor (NaN)");
        assertThatThrownBy(() -> PlateauTracker.builder().patience(-1)).hasMessageContaining("patience (-1)");
        assertThatThrownBy(() -> PlateauTracker.builder().cooldown(-2)).hasMessageContaining("cooldown (-2)");
        assertThatThrownBy(() -> PlateauTracker.builder().minLr(-1e-3)).hasMessageContaining("minLr (-0.001)");
        assertThatThrownBy(() -> PlateauTracker.builder().threshold(Double.NaN)).hasMessageContaining("threshold (NaN)");
        assertThatThrownBy(() -> PlateauTracker.builder().eps(-1)).hasMessageContaining("eps (-1.0)");
        assertThatThrownBy(() -> PlateauTracker.builder().mode(null)).hasMessageContaining("mode");
        assertThatThrownBy(() -> PlateauTracker.builder().build().step(1.0, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("currentLr (NaN)");
    }
}
