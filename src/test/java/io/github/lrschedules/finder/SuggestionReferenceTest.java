package io.github.lrschedules.finder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LearningRateFinderResult#valleyLr()}, {@link LearningRateFinderResult#slideLr()} and
 * {@link LearningRateFinderResult#steepestGradientLr()} against fastai's {@code valley} and {@code slide} (transcribed,
 * applied as {@code lr_find} applies them) and Lightning 2.6.6's {@code _LRFinder.suggestion()} on ten range-test
 * curves, two recorded by {@link LearningRateFinder} on the test networks
 * ({@code scripts/finder_suggestions_reference.py}): the same rate, exactly.
 */
class SuggestionReferenceTest {

    private static final class Curve {
        final String name;
        final LearningRateFinderResult result;
        final double valley;
        final double slide;
        final double lightning;

        Curve(String[] cells) {
            name = cells[0];
            int planned = Integer.parseInt(cells[1]);
            valley = Double.parseDouble(cells[2]);
            slide = Double.parseDouble(cells[3]);
            lightning = Double.parseDouble(cells[4]);
            double[] lrs = numbers(cells[5]);
            double[] losses = numbers(cells[6]);
            result = new LearningRateFinderResult(lrs, losses, losses, "reference", planned);
        }

        private static double[] numbers(String cell) {
            return Arrays.stream(cell.split(";")).mapToDouble(Double::parseDouble).toArray();
        }
    }

    private static List<Curve> curves() throws IOException {
        String path = "/io/github/lrschedules/finder/suggestions.csv";
        try (InputStream in = SuggestionReferenceTest.class.getResourceAsStream(path)) {
            assertThat(in).as("resource %s (run scripts/finder_suggestions_reference.py)", path).isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Curve> curves = new ArrayList<>();
            reader.readLine();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                curves.add(new Curve(line.split(",")));
            }
            return curves;
        }
    }

    @Test
    void valleyIsFastais() throws IOException {
        for (Curve c : curves()) {
            assertThat(c.result.valleyLr()).as(c.name).isEqualTo(c.valley);
        }
    }

    @Test
    void slideIsFastais() throws IOException {
        for (Curve c : curves()) {
            assertThat(c.result.slideLr()).as(c.name).isEqualTo(c.slide);
        }
    }

    @Test
    void steepestGradientIsLightnings() throws IOException {
        for (Curve c : curves()) {
            assertThat(c.result.steepestGradientLr()).as(c.name).isEqualTo(c.lightning);
        }
    }

    /** The curves tell the rules apart: a test that returned one rule for another could not pass. */
    @Test
    void theRulesDisagreeOnTheReferenceCurves() throws IOException {
        List<Curve> curves = curves();
        assertThat(curves).hasSize(10);
        assertThat(curves.stream().filter(c -> c.valley != c.slide).count()).isGreaterThanOrEqualTo(6);
        assertThat(curves.stream().filter(c -> c.lightning != c.slide && c.lightning != c.valley).count())
                .isGreaterThanOrEqualTo(6);
        assertThat(curves.stream().filter(c -> c.lightning > 1e-4).count()).as("interior minima of the gradient")
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void gradientIsNumpys() {
        double[] f = {1, 4, 9, 16};
        assertThat(LearningRateFinderResult.gradient(f, null)).containsExactly(3, 4, 6, 7);
        double[] x = {0, 1, 3, 4};
        // f = x^2: exact inside for the second-order formula, one-sided at the ends
        double[] g = LearningRateFinderResult.gradient(new double[]{0, 1, 9, 16}, x);
        assertThat(g[0]).isEqualTo(1);
        assertThat(g[1]).isCloseTo(2, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(g[2]).isCloseTo(6, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(g[3]).isEqualTo(7);
    }

    @Test
    void tooShortCurvesSayWhy() {
        double[] lrs = {1e-3, 1e-2, 1e-1};
        LearningRateFinderResult result = new LearningRateFinderResult(lrs, lrs, new double[]{3, 2, 4}, "test");
        assertThatThrownBy(result::valleyLr).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("run the range test longer");
        assertThatThrownBy(result::steepestGradientLr).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at least 2 finite points");
        assertThat(result.toString()).contains("valley=none");
        double[] twenty = new double[20];
        double[] falling = new double[20];
        for (int i = 0; i < 20; i++) {
            twenty[i] = Math.pow(10, -6 + i * 0.3);
            falling[i] = 3 - i * 0.1;
        }
        LearningRateFinderResult shortRun = new LearningRateFinderResult(twenty, falling, falling, "test");
        // fastai: start = end - length = -1 (one before the valley), index -1 + int(13/3) + int(13/6) = 5 of the
        // points from planned/10 = 2 on
        assertThat(shortRun.valleyLr()).isEqualTo(twenty[2 + 5]);
        assertThatThrownBy(shortRun::slideLr).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs more than 15 points after fastai's trimming, not 13");
    }
}
