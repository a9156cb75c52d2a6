package io.github.lrschedules.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.record.EpochMetricsRecorder;
import io.github.lrschedules.record.EpochMetricsReport;
import io.github.lrschedules.record.TestAccuracyListener;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.github.lrschedules.record.LearningRateRecorder;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The Schedules page in a real browser: three tiny networks are trained with three schedules of this library into
 * one {@link FileStatsStorage} (with test accuracy per epoch), the finished file is reopened as a user would reopen a
 * comparison, the DL4J UI serves it on a free port, and headless Chromium renders {@code /schedules}. The rendered
 * DOM must show the three sessions by name, as legend entries and as series of all three charts, and one session's
 * accuracy at averaged weights as a dashed line beside its test accuracy. A screenshot is left at {@value #SCREENSHOT}
 * for people to look at.
 */
class SchedulesPageBrowserTest {

    static final String SCREENSHOT = "target/schedules-page.png";
    private static final int EPOCHS = 6;
    private static final int ITERATIONS = EPOCHS * TestData.ITERATIONS_PER_EPOCH;

    @TempDir
    Path temp;

    @Test
    void pageDrawsEverySessionOfAFinishedComparison() throws Exception {
        Map<String, ISchedule> schedules = new LinkedHashMap<>();
        schedules.put("milestones", new MilestoneStepSchedule(ScheduleType.ITERATION, 0.1, 0.1, 16, 32));
        schedules.put("warmup-cosine", new WarmupCosineSchedule(ScheduleType.ITERATION, 0.1, 8, ITERATIONS, 1e-4, 0.01));
        schedules.put("one-cycle", new OneCycleSchedule(ScheduleType.ITERATION, 0.1, ITERATIONS, 0.3, 25, 1e4,
                OneCycleSchedule.Anneal.COS, false));
        File statsFile = temp.resolve("comparison.dl4j").toFile();

        StatsStorage writing = new FileStatsStorage(statsFile);
        for (Map.Entry<String, ISchedule> run : schedules.entrySet()) {
            boolean oneCycle = run.getKey().equals("one-cycle");
            // one-cycle also cycles Nesterov's momentum, recorded beside the rate and drawn in the momentum chart
            MultiLayerNetwork net = TestNets.mlp(oneCycle
                    ? new Nesterovs(run.getValue(), OneCycleSchedule.momentum(ScheduleType.ITERATION, ITERATIONS, 0.3,
                            0.85, 0.95, OneCycleSchedule.Anneal.COS, false))
                    : new Nesterovs(run.getValue(), 0.9));
            LearningRateRecorder recorder = LearningRateRecorder.builder().momentum(true).build();
            net.setListeners(new StatsListener(writing, 1, run.getKey()),
                    new TestAccuracyListener(writing, run.getKey(), heldOut()), recorder);
            TestNets.fitEpochs(net, TestData.blobs(), EPOCHS);
            if (!run.getKey().equals("warmup-cosine")) { // that one is drawn from StatsListener's reports
                LearningRateReports.write(recorder, writing, run.getKey(), LearningRateReports.WORKER_ID,
                        System.currentTimeMillis(), 0);
            }
            if (run.getKey().equals("milestones")) {
                // an accuracy at averaged weights beside the test accuracy (what compare --average records): dashed
                EpochMetricsRecorder averaged = new EpochMetricsRecorder(writing, run.getKey(), "averaged");
                for (int epoch = 0; epoch < EPOCHS; epoch++) {
                    averaged.record(epoch, Map.of(EpochMetricsReport.AVERAGED_TEST_ACCURACY, 0.5 + 0.05 * epoch));
                }
            }
        }
        writing.close();

        StatsStorage reopened = new FileStatsStorage(statsFile);
        try {
            assertPageShows(schedules.keySet(), SchedulesUi.start(0, reopened));
        } finally {
            SchedulesUi.stop();
            reopened.close();
        }
    }

    private void assertPageShows(Set<String> sessions, String url) throws Exception {
        assertThat(url).matches("http://localhost:\\d+/schedules");

        Chromium chromium = Chromium.require();
        String dom = chromium.dumpDom(url, temp);
        Path screenshot = Paths.get(SCREENSHOT);
        chromium.screenshot(url, screenshot, 1280, 900, temp);
        Files.writeString(Paths.get("target/schedules-page.html"), dom);

        assertThat(dom).as("the page's script finished rendering").contains("data-state=\"ready\"");
        assertThat(attribute(dom, "<body", "data-session-count")).isEqualTo(String.valueOf(sessions.size()));
        for (String chart : List.of("lr-chart", "score-chart", "accuracy-chart")) {
            String svg = element(dom, chart);
            // the accuracy chart draws milestones' accuracy at its averaged weights too
            assertThat(attribute(svg, "<svg", "data-series-count")).as(chart + " series drawn")
                    .isEqualTo(String.valueOf(sessions.size() + (chart.equals("accuracy-chart") ? 1 : 0)));
            for (String session : sessions) {
                assertThat(svg).as(chart + " draws " + session)
                        .containsPattern("<path[^>]*class=\"series-line\"[^>]*data-session=\"" + session + "\"");
            }
        }
        String accuracy = element(dom, "accuracy-chart");
        assertThat(attribute(accuracy, "<svg", "data-x-first")).as("epochs are numbered from 1").isEqualTo("1");
        assertThat(attribute(accuracy, "<svg", "data-x-last")).isEqualTo(String.valueOf(EPOCHS));
        assertThat(accuracy).as("the averaged weights' accuracy, dashed").containsPattern(
                "<path[^>]*data-session=\"milestones \\(averaged weights\\)\"[^>]*stroke-dasharray=\"6 4\"");
        assertThat(accuracy).as("only that series is dashed").containsOnlyOnce("stroke-dasharray");
        for (String session : sessions) {
            assertThat(dom).as("legend entry of " + session)
                    .containsPattern("<label class=\"legend-entry\" data-session=\"" + session + "\"")
                    .contains("<span class=\"name\">" + session + "</span>");
        }
        // the learning-rate curves are whole runs, not a point or two
        Matcher points = Pattern.compile("class=\"series-line\"[^>]*data-points=\"(\\d+)\"").matcher(element(dom, "lr-chart"));
        int curves = 0;
        while (points.find()) {
            assertThat(Integer.parseInt(points.group(1))).isGreaterThan(ITERATIONS / 4);
            curves++;
        }
        assertThat(curves).isEqualTo(sessions.size());
        assertThat(Files.size(screenshot)).isGreaterThan(10_000L);

        String momentum = element(dom, "momentum-chart");
        assertThat(attribute(momentum, "<svg", "data-series-count")).as("only one-cycle's momentum changes")
                .isEqualTo("1");
        assertThat(momentum).containsPattern("<path[^>]*class=\"series-line\"[^>]*data-session=\"one-cycle\"");
        assertThat(dom).as("the constant momentum of milestones, once as text").contains("momentum 0.9");
        assertThat(dom).as("no weight decay was recorded: its chart is hidden")
                .containsPattern("<section[^>]*id=\"decay-box\"[^>]*hidden");
    }

    /** The training blobs with extra noise: the same classes, harder to tell apart. */
    private static DataSetIterator heldOut() {
        DataSet data = TestData.blobs(TestData.FEATURES, 12345L);
        Random random = new Random(7);
        double[][] noise = new double[TestData.EXAMPLES][TestData.FEATURES];
        for (double[] row : noise) {
            for (int d = 0; d < row.length; d++) {
                row[d] = 2.5 * random.nextGaussian();
            }
        }
        data.getFeatures().addi(Nd4j.create(noise).castTo(DataType.DOUBLE));
        return TestData.iterator(data);
    }

    /** The {@code <svg id="...">} element of the DOM. */
    private static String element(String dom, String id) {
        Matcher m = Pattern.compile("<svg id=\"" + id + "\".*?</svg>", Pattern.DOTALL).matcher(dom);
        assertThat(m.find()).as("<svg id=\"" + id + "\"> in the page").isTrue();
        return m.group();
    }

    /** The value of {@code name} in the first tag that starts with {@code tagStart}. */
    private static String attribute(String html, String tagStart, String name) {
        int start = html.indexOf(tagStart);
        assertThat(start).as(tagStart + " in the page").isGreaterThanOrEqualTo(0);
        String tag = html.substring(start, html.indexOf('>', start));
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(tag);
        assertThat(m.find()).as(name + " on " + tag).isTrue();
        return m.group(1);
    }
}
