package io.github.lrschedules.examples.train;

import io.github.lrschedules.examples.data.DigitSet;
import io.github.lrschedules.examples.data.EpochIterator;
import io.github.lrschedules.examples.schedule.SchedulePlan;
import io.github.lrschedules.finder.LearningRateFinder;
import io.github.lrschedules.finder.LearningRateFinderResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * The LR range test on the examples' network and data: what {@code lr-find} and {@code compare --max-lr auto} both
 * run.
 */
public final class RangeTest {

    private RangeTest() {
    }

    /**
     * Runs {@code finder} on a freshly initialised network of {@code settings.model()} (seed {@code settings.seed()}),
     * on the training images shuffled as every run shuffles them, in batches of {@code settings.batch()}.
     */
    public static LearningRateFinderResult run(LearningRateFinder finder, RunSettings settings, PreparedData data) {
        MultiLayerNetwork net = settings.model().build(new Nesterovs(finder.getMinLr(), SchedulePlan.MOMENTUM),
                settings.seed(), settings.dataType(), settings.workspaceMode(), data.rows(), data.columns(),
                DigitSet.CLASSES);
        return finder.run(net, EpochIterator.shuffled(data.train(), settings.batch(), settings.seed()));
    }
}
