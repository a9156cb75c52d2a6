package io.github.lrschedules.spark;

import io.github.lrschedules.record.LearningRateTable;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import io.github.lrschedules.record.LearningRateRecorder;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.learning.config.IUpdater;

/** The checks that turn Spark's stack traces into messages that say what to do. */
final class SparkChecks {

    static final String SHARED_TRAINING_MASTER = "SharedTrainingMaster";

    private SparkChecks() {
    }

    /**
     * Accepts {@code ParameterAveragingTrainingMaster} only.
     *
     * @throws IllegalArgumentException for any other training master, with the reason for gradient sharing
     */
    static ParameterAveragingTrainingMaster parameterAveraging(TrainingMaster<?, ?> master) {
        if (master instanceof ParameterAveragingTrainingMaster) {
            return (ParameterAveragingTrainingMaster) master;
        }
        String name = master == null ? "null" : master.getClass().getName();
        if (master != null && isSharedTrainingMaster(master.getClass())) {
            throw new IllegalArgumentException("trainingMaster (" + name + ") is not supported: SparkTrainingLoop "
                    + "needs ParameterAveragingTrainingMaster. With SharedTrainingMaster (gradient sharing) the "
                    + "workers take the iteration and epoch counts from the ModelParameterServer instead of the "
                    + "driver, so the driver can neither tell which learning rates they applied nor hand them a "
                    + "plateau decision, and in Spark local mode with workersPerNode=2 it deadlocked (a "
                    + "ParallelWrapper thread holds the network lock in EncodedGradientsAccumulator.synchronize). "
                    + "Use new ParameterAveragingTrainingMaster.Builder(examplesPerDataSet)");
        }
        throw new IllegalArgumentException("trainingMaster (" + name + ") is not supported: SparkTrainingLoop needs "
                + "ParameterAveragingTrainingMaster, whose workers start at the driver's iteration and epoch counts");
    }

    /** Whether the master trains an RDD of DataSets directly (no export); it has no getter, its JSON has it. */
    static boolean directMode(ParameterAveragingTrainingMaster master) {
        try {
            JsonNode approach = new ObjectMapper().readTree(master.toJson()).findValue("rddTrainingApproach");
            return approach != null && RDDTrainingApproach.Direct.name().equals(approach.asText());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the training master's configuration: " + e, e);
        }
    }

    private static boolean isSharedTrainingMaster(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getSimpleName().equals(SHARED_TRAINING_MASTER)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks that every listener survives Java serialization, which is how Spark ships them to the workers.
     *
     * @throws IllegalArgumentException naming the listener, the class that is not serializable, and what to use
     */
    static void workerListeners(String argument, Collection<? extends TrainingListener> listeners) {
        int i = 0;
        for (TrainingListener listener : listeners) {
            String where = argument + "[" + i++ + "]";
            if (listener == null) {
                throw new IllegalArgumentException(where + " must not be null");
            }
            String driverSide = driverSideHint(listener);
            if (driverSide != null) {
                throw new IllegalArgumentException(where + " (" + listener.getClass().getName() + ") would run on "
                        + "throwaway copies on the Spark workers, where it never sees the driver's model: "
                        + driverSide);
            }
            try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
                out.writeObject(listener);
            } catch (NotSerializableException e) {
                throw new IllegalArgumentException(where + " (" + listener.getClass().getName() + ") is not "
                        + "serializable (" + e.getMessage() + " is not): Spark ships worker listeners to the "
                        + "executors with Java serialization and would fail with \"Task not serializable\". Make it "
                        + "Serializable, or keep it on the driver; the learning rates the workers applied are "
                        + "recorded by SparkTrainingLoop (learningRateCsv, statsStorage)", e);
            } catch (IOException e) {
                throw new IllegalArgumentException(where + " (" + listener.getClass().getName() + ") cannot be "
                        + "serialized for the Spark workers: " + e, e);
            }
        }
    }

    private static String driverSideHint(TrainingListener listener) {
        if (listener instanceof ReduceLROnPlateauListener) {
            return "give it to SparkTrainingLoop.Builder.plateau(listener, metric), which decides on the driver "
                    + "between epochs";
        }
        if (listener instanceof LearningRateRecorder) {
            return "SparkTrainingLoop records the learning rates the workers applied (learningRateCsv, statsStorage, "
                    + "Result.learningRates())";
        }
        return null;
    }

    /**
     * The warnings for learning-rate schedules that do not reach their final value within the run: for every
     * distinct updater with a learning rate, and for each counter it reads (iteration, epoch), the first step from
     * which the rate stays at its final value, compared with the step the run ends at. Schedules that never settle
     * (cyclic, restarts) have no horizon and get no warning.
     */
    static List<String> horizonWarnings(Model model, int endIteration, int endEpoch, String runDescription) {
        Set<String> warnings = new LinkedHashSet<>();
        List<IUpdater> seen = new ArrayList<>();
        for (Map.Entry<String, IUpdater> e : LearningRateTable.updatersByKey(model).entrySet()) {
            IUpdater updater = e.getValue();
            if (seen.contains(updater)) {
                continue;
            }
            seen.add(updater);
            int iterationHorizon = horizon(updater, true, endIteration);
            if (iterationHorizon > endIteration) {
                warnings.add("the learning rate of " + e.getKey() + " (" + updater + ") reaches its final value at "
                        + "iteration " + iterationHorizon + ", but the run ends at iteration " + endIteration + " ("
                        + runDescription + "): size ITERATION schedules with SparkSteps.perEpoch(batches, workers, "
                        + "averagingFrequency) * epochs, or use an EPOCH schedule");
            }
            int epochHorizon = horizon(updater, false, endEpoch);
            if (epochHorizon > endEpoch) {
                warnings.add("the learning rate of " + e.getKey() + " (" + updater + ") reaches its final value at "
                        + "epoch " + epochHorizon + ", but the run ends at epoch " + endEpoch + " (" + runDescription
                        + ")");
            }
        }
        return new ArrayList<>(warnings);
    }

    /**
     * The first step {@code k} from which {@code getLearningRate} along one counter (the other held at 0) equals its
     * value far past {@code end}; 0 for a constant rate, -1 for a rate that does not settle.
     */
    static int horizon(IUpdater updater, boolean iterationCounter, int end) {
        long farLong = Math.max(8L * end, end + 1_000_000L);
        int far = (int) Math.min(farLong, Integer.MAX_VALUE / 2);
        double last = rate(updater, iterationCounter, far);
        for (int probe : new int[] {1, 7, 101, 1009, 99_991}) {
            if (Double.compare(rate(updater, iterationCounter, far + probe), last) != 0) {
                return -1;
            }
        }
        if (Double.compare(rate(updater, iterationCounter, 0), last) == 0
                && Double.compare(rate(updater, iterationCounter, end), last) == 0) {
            return 0;
        }
        int low = 0;
        int high = far;
        while (low < high) {
            int mid = low + (high - low) / 2;
            if (Double.compare(rate(updater, iterationCounter, mid), last) == 0) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    private static double rate(IUpdater updater, boolean iterationCounter, int step) {
        return iterationCounter ? updater.getLearningRate(step, 0) : updater.getLearningRate(0, step);
    }
}
