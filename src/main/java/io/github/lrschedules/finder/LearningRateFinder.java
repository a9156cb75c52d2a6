package io.github.lrschedules.finder;

import io.github.lrschedules.internal.Networks;
import io.github.lrschedules.internal.Args;
import io.github.lrschedules.updater.LearningRates;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leslie Smith's learning-rate range test, as fastai's {@code lr_find} runs it: the learning rate grows
 * exponentially from {@code minLr} to {@code maxLr} over {@code iterations} mini-batches while the loss is recorded;
 * the loss is smoothed with a bias-corrected exponential moving average, and the test stops early once the smoothed
 * loss exceeds {@code divergenceFactor} times its best value.
 *
 * <pre>
 * lr(i)       = minLr * (maxLr / minLr)^(i / (iterations - 1))
 * avg(i)      = beta * avg(i-1) + (1 - beta) * loss(i),   avg(-1) = 0
 * smoothed(i) = avg(i) / (1 - beta^(i+1))
 * </pre>
 *
 * <p>The test trains a copy of the network (rebuilt from its JSON configuration, with copies of its parameters and
 * updater state), so the network passed in is exactly as before: parameters, updater state, learning-rate
 * configuration, iteration and epoch counts, listeners. Every updater of the copy that has a learning rate (weights
 * and biases, every layer) gets the same exponential ramp. The copy needs as much memory again as the network.
 *
 * @see <a href="https://arxiv.org/abs/1506.01186">Smith, Cyclical Learning Rates for Training Neural Networks,
 *      section 3.3</a>
 */
public final class LearningRateFinder {

    private static final Logger log = LoggerFactory.getLogger(LearningRateFinder.class);

    private final double minLr;
    private final double maxLr;
    private final int iterations;
    private final double beta;
    private final double divergenceFactor;

    private LearningRateFinder(Builder b) {
        Args.lessThan("minLr", b.minLr, "maxLr", b.maxLr);
        this.minLr = b.minLr;
        this.maxLr = b.maxLr;
        this.iterations = b.iterations;
        this.beta = b.beta;
        this.divergenceFactor = b.divergenceFactor;
    }

    /** Defaults as fastai's: 1e-7 to 10 over 100 iterations, smoothing 0.98, stop at 4x the best loss. */
    public static Builder builder() {
        return new Builder();
    }

    /** Runs the range test on a copy of {@code network}, drawing mini-batches from {@code data}. */
    public LearningRateFinderResult run(MultiLayerNetwork network, DataSetIterator data) {
        MultiLayerNetwork copy = new MultiLayerNetwork(
                MultiLayerConfiguration.fromJson(network.getLayerWiseConfigurations().toJson()));
        copy.init(network.params().dup(), false);
        Updater updater = network.getUpdater(false);
        if (updater != null && updater.getStateViewArray() != null) {
            copy.getUpdater().setStateViewArray(copy, updater.getStateViewArray().dup(), false);
        }
        copy.setIterationCount(0);
        copy.setListeners();
        return search(copy, data);
    }

    /** Runs the range test on a copy of {@code graph}, drawing mini-batches from {@code data}. */
    public LearningRateFinderResult run(ComputationGraph graph, DataSetIterator data) {
        ComputationGraph copy = new ComputationGraph(
                ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson()));
        copy.init(graph.params().dup(), false);
        ComputationGraphUpdater updater = graph.getUpdater(false);
        if (updater != null && updater.getStateViewArray() != null) {
            copy.getUpdater().setStateViewArray(updater.getStateViewArray().dup());
        }
        copy.getConfiguration().setIterationCount(0);
        copy.setListeners();
        return search(copy, data);
    }

    private LearningRateFinderResult search(Model copy, DataSetIterator data) {
        Args.notNull("data", data);
        double gamma = Math.pow(maxLr / minLr, 1.0 / (iterations - 1));
        ExponentialSchedule ramp = new ExponentialSchedule(ScheduleType.ITERATION, minLr, gamma);
        if (LearningRates.change(copy, schedule -> ramp).isEmpty()) {
            throw new IllegalArgumentException("the network has no updater with a learning rate (NoOp or AdaDelta only)");
        }
        double[] lrs = new double[iterations];
        double[] losses = new double[iterations];
        double[] smoothed = new double[iterations];
        double average = 0;
        double best = Double.POSITIVE_INFINITY;
        int done = 0;
        String stop = "reached maxLr";
        boolean resetWarned = false;
        for (int i = 0; i < iterations; i++) {
            if (!data.hasNext()) {
                if (!data.resetSupported()) {
                    stop = "the data iterator ran dry after " + i + " mini-batches and does not support reset";
                    break;
                }
                if (!resetWarned) {
                    log.info("LR finder: data ran out after {} mini-batches; resetting the iterator", i);
                    resetWarned = true;
                }
                data.reset();
                if (!data.hasNext()) {
                    throw new IllegalArgumentException("the data iterator gives no mini-batches");
                }
            }
            DataSet batch = data.next();
            lrs[i] = ramp.valueAt(i, 0);
            Networks.of(copy).fit(batch);
            double loss = copy.score();
            if (!Double.isFinite(loss)) {
                if (i == 0) {
                    throw new IllegalStateException("the loss is " + loss + " at the first mini-batch (lr " + lrs[0]
                            + "): check the data, the loss function and the initialisation before searching a learning rate");
                }
                stop = "the loss became " + loss + " at lr " + lrs[i];
                break;
            }
            losses[i] = loss;
            average = beta * average + (1 - beta) * loss;
            smoothed[i] = average / (1 - Math.pow(beta, i + 1));
            done = i + 1;
            best = Math.min(best, smoothed[i]);
            if (i > 0 && smoothed[i] > divergenceFactor * best) {
                stop = "the smoothed loss exceeded " + divergenceFactor + "x its best at lr " + lrs[i];
                break;
            }
        }
        if (done < 2) {
            throw new IllegalStateException("the range test recorded " + done + " point(s): " + stop);
        }
        log.info("LR finder: {} mini-batches, stopped because {}", done, stop);
        return new LearningRateFinderResult(Arrays.copyOf(lrs, done), Arrays.copyOf(losses, done),
                Arrays.copyOf(smoothed, done), stop, iterations);
    }

    public double getMinLr() {
        return minLr;
    }

    public double getMaxLr() {
        return maxLr;
    }

    public int getIterations() {
        return iterations;
    }

    /** Builds a {@link LearningRateFinder}; every setter checks its argument. */
    public static final class Builder {
        private double minLr = 1e-7;
        private double maxLr = 10;
        private int iterations = 100;
        private double beta = 0.98;
        private double divergenceFactor = 4;

        private Builder() {
        }

        /** Learning rate of the first mini-batch, &gt; 0. */
        public Builder minLr(double minLr) {
            this.minLr = Args.positive("minLr", minLr);
            return this;
        }

        /** Learning rate of the last mini-batch, &gt; minLr. */
        public Builder maxLr(double maxLr) {
            this.maxLr = Args.positive("maxLr", maxLr);
            return this;
        }

        /** Number of mini-batches from minLr to maxLr, at least 5. */
        public Builder iterations(int iterations) {
            // Fewer points show no loss curve.
            this.iterations = Args.atLeast("iterations", iterations, 5);
            return this;
        }

        /** Weight of the past in the exponential moving average of the loss, in [0, 1). */
        public Builder smoothing(double beta) {
            this.beta = Args.inHalfOpenRange("smoothing", beta, 0, 1);
            return this;
        }

        /** Stop once the smoothed loss exceeds this multiple of its best, &gt; 1. */
        public Builder divergenceFactor(double divergenceFactor) {
            this.divergenceFactor = Args.greaterThan("divergenceFactor", divergenceFactor, 1);
            return this;
        }

        public LearningRateFinder build() {
            return new LearningRateFinder(this);
        }
    }
}
