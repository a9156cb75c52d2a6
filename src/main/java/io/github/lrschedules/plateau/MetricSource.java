package io.github.lrschedules.plateau;

import io.github.lrschedules.internal.Networks;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Where a {@link ReduceLROnPlateauListener} takes the value of each decision from: gathered during training (the
 * mean training loss), measured at the decision (validation loss, accuracy, F1), or passed in by the caller
 * ({@link ReduceLROnPlateauListener#report}). The listener calls it under its own lock.
 */
interface MetricSource {

    /** What is monitored. */
    ReduceLROnPlateauListener.Metric metric();

    /** Which way is better. */
    PlateauTracker.Mode mode();

    /** Called after every training iteration. */
    default void iterationDone(Model model) {
    }

    /** The value for a decision now. */
    double measure(Model model);

    /** Starts a new period after a decision: forgets what was gathered. */
    default void newPeriod() {
    }

    /** Sum of what was gathered since the last decision (for the resumable state). */
    default double gatheredSum() {
        return 0;
    }

    /** Number of values gathered since the last decision (for the resumable state). */
    default long gatheredCount() {
        return 0;
    }

    /** Continues a period from what {@link #gatheredSum()} and {@link #gatheredCount()} said. */
    default void restoreGathered(double sum, long count) {
    }

    static MetricSource trainingLoss() {
        return new TrainingLoss();
    }

    static MetricSource validation(ReduceLROnPlateauListener.Metric metric, DataSetIterator data) {
        return new Validation(metric, data);
    }

    static MetricSource reported(PlateauTracker.Mode mode) {
        return new Reported(mode);
    }

    /** The mean of the mini-batch scores since the last decision; NaN once a score was not finite. */
    final class TrainingLoss implements MetricSource {
        private double sum;
        private long count;

        @Override
        public ReduceLROnPlateauListener.Metric metric() {
            return ReduceLROnPlateauListener.Metric.TRAINING_LOSS;
        }

        @Override
        public PlateauTracker.Mode mode() {
            return PlateauTracker.Mode.MIN;
        }

        @Override
        public void iterationDone(Model model) {
            double score = model.score();
            sum = Double.isFinite(score) ? sum + score : Double.NaN;
            count++;
        }

        @Override
        public double measure(Model model) {
            return count == 0 ? Double.NaN : sum / count;
        }

        @Override
        public void newPeriod() {
            sum = 0;
            count = 0;
        }

        @Override
        public double gatheredSum() {
            return sum;
        }

        @Override
        public long gatheredCount() {
            return count;
        }

        @Override
        public void restoreGathered(double newSum, long newCount) {
            sum = newSum;
            count = newCount;
        }
    }

    /** Loss (averaged over examples), accuracy or F1 on a validation iterator, computed at each decision. */
    final class Validation implements MetricSource {
        private final ReduceLROnPlateauListener.Metric metric;
        private final DataSetIterator data;

        Validation(ReduceLROnPlateauListener.Metric metric, DataSetIterator data) {
            this.metric = metric;
            this.data = data;
        }

        @Override
        public ReduceLROnPlateauListener.Metric metric() {
            return metric;
        }

        @Override
        public PlateauTracker.Mode mode() {
            return metric == ReduceLROnPlateauListener.Metric.VALIDATION_LOSS ? PlateauTracker.Mode.MIN
                    : PlateauTracker.Mode.MAX;
        }

        @Override
        public double measure(Model model) {
            switch (metric) {
                case VALIDATION_LOSS:
                    return loss(model);
                case VALIDATION_ACCURACY:
                    return evaluate(model).accuracy();
                case VALIDATION_F1:
                    return evaluate(model).f1();
                default:
                    throw new IllegalStateException("metric " + metric + " is not measured on validation data");
            }
        }

        private double loss(Model model) {
            data.reset();
            double sum = 0;
            long examples = 0;
            while (data.hasNext()) {
                DataSet ds = data.next();
                int n = ds.numExamples();
                double score = Networks.of(model).loss(ds);
                sum += score * n;
                examples += n;
            }
            data.reset();
            if (examples == 0) {
                throw new IllegalStateException("the validation iterator gave no examples");
            }
            return sum / examples;
        }

        private Evaluation evaluate(Model model) {
            data.reset();
            Evaluation evaluation = Networks.of(model).evaluate(data);
            data.reset();
            return evaluation;
        }
    }

    /** Values the caller passes to {@link ReduceLROnPlateauListener#report}; nothing is measured. */
    final class Reported implements MetricSource {
        private final PlateauTracker.Mode mode;

        Reported(PlateauTracker.Mode mode) {
            this.mode = mode;
        }

        @Override
        public ReduceLROnPlateauListener.Metric metric() {
            return ReduceLROnPlateauListener.Metric.REPORTED;
        }

        @Override
        public PlateauTracker.Mode mode() {
            return mode;
        }

        @Override
        public double measure(Model model) {
            throw new IllegalStateException("metric REPORTED is reported with report(model, value), not measured");
        }
    }
}
