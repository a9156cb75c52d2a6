package io.github.lrschedules.plateau;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.testing.TestData;
import io.github.lrschedules.testing.TestNets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * What becomes of the updater state (Adam's moments, Nesterov's velocity) between two {@code ParallelWrapper.fit}
 * calls, with a warmup-cosine schedule and the plateau listener reducing the rate between the fits (through
 * {@link ReduceLROnPlateauListener#report}). The state view of every worker is read before its first step of each
 * fit and compared with what the root model held when the previous fit ended.
 *
 * <p>Finding (DL4J 1.0.0-M2.1), which the README's plateau section states: a {@code MultiLayerNetwork} root loses
 * the state at every fit (DL4J clears the root, its solver and with it the updater, when the fit ends; the next fit
 * starts every worker from zeros), while a {@code ComputationGraph} root keeps it: its workers start the next fit from
 * a real state. Whether that is exactly the root's latest state depends on thread timing inside ParallelWrapper (in
 * some runs a worker steps before it receives it), so only "kept, not reset" is asserted for the graph. The learning rates carry
 * over in both cases: they live in the updater configurations.
 */
class ParallelWrapperUpdaterStateTest {

    private static final List<DataSet> TRAIN = TestData.noisyBlobs(320, 1);
    private static final int BATCH = 64;
    private static final int FITS = 3;

    enum Root {
        MULTI_LAYER_NETWORK_ADAM, MULTI_LAYER_NETWORK_NESTEROVS, COMPUTATION_GRAPH_ADAM, COMPUTATION_GRAPH_NESTEROVS;

        Model create() {
            WarmupCosineSchedule schedule = new WarmupCosineSchedule(ScheduleType.ITERATION, 0.05, 3, 40, 0.001, 0.0);
            IUpdater updater = name().endsWith("ADAM") ? new Adam(schedule) : new Nesterovs(schedule, 0.9);
            return name().startsWith("MULTI") ? TestNets.noisyMlp(updater) : TestNets.noisyGraph(updater, null, null);
        }

        boolean graph() {
            return name().startsWith("COMPUTATION_GRAPH");
        }
    }

    /** The model's updater state, copied; null when the model has no updater now. */
    private static INDArray stateOf(Model model) {
        Updater updater = model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getUpdater(false)
                : ((ComputationGraph) model).getUpdater(false);
        return updater == null || updater.getStateViewArray() == null ? null : updater.getStateViewArray().dup();
    }

    /** Per fit and worker model: the state before the worker's first step of that fit. Shared by the workers. */
    private static final class FirstStepProbe extends BaseTrainingListener {
        volatile int fit;
        final Map<Integer, Map<Model, INDArray[]>> firstState = new LinkedHashMap<>();
        /** Per fit: the state before the fit's very first step, whichever worker made it. */
        final Map<Integer, INDArray[]> firstOfFit = new LinkedHashMap<>();
        /** Per fit: the root model's state after its last step of the fit. */
        final Map<Integer, INDArray> rootAfterLastStep = new LinkedHashMap<>();
        Model root;

        @Override
        public synchronized void onGradientCalculation(Model model) {
            // The gradient is computed, the updater has not run yet: this is the state the step will start from.
            INDArray state = stateOf(model);
            firstOfFit.computeIfAbsent(fit, f -> new INDArray[] {state});
            firstState.computeIfAbsent(fit, f -> new IdentityHashMap<>())
                    .computeIfAbsent(model, m -> new INDArray[] {state});
        }

        @Override
        public synchronized void iterationDone(Model model, int iteration, int epoch) {
            if (model == root) {
                rootAfterLastStep.put(fit, stateOf(model));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Root.class)
    void updaterStateAcrossParallelWrapperFits(Root kind) throws Exception {
        Model root = kind.create();
        ReduceLROnPlateauListener plateau = ReduceLROnPlateauListener.builder().reported(PlateauTracker.Mode.MIN)
                .factor(0.5).patience(0).build();
        FirstStepProbe probe = new FirstStepProbe();
        probe.root = root;
        root.setListeners(probe);
        ParallelWrapper wrapper = new ParallelWrapper.Builder<>(root).workers(2).prefetchBuffer(2)
                .averagingFrequency(1).averageUpdaters(true).reportScoreAfterAveraging(false).build();
        List<INDArray> rootStateAfterFit = new ArrayList<>();
        plateau.report(root, 1.0);
        try {
            for (int f = 0; f < FITS; f++) {
                probe.fit = f;
                wrapper.fit(TestData.iterator(TRAIN, BATCH));
                // A constant metric: with patience 0 every report after the first reduces the rate.
                plateau.report(root, 1.0);
                rootStateAfterFit.add(stateOf(root));
            }
        } finally {
            wrapper.close();
        }
        assertThat(plateau.history()).as("a reduction between every two fits").hasSize(FITS);
        assertThat(plateau.history()).allMatch(r -> r.getNewLr() < r.getOldLr());

        for (int f = 1; f < FITS; f++) {
            Map<Model, INDArray[]> firstSteps = probe.firstState.getOrDefault(f, Collections.emptyMap());
            assertThat(firstSteps).as("fit %s: both workers trained", f).hasSize(2);
            INDArray previous = rootStateAfterFit.get(f - 1);
            if (kind.graph()) {
                assertThat(previous).as("fit %s: the graph root keeps its updater", f - 1).isNotNull();
                assertThat(previous.norm2Number().doubleValue()).as("a real state, not zeros").isGreaterThan(0);
                for (INDArray[] first : firstSteps.values()) {
                    assertThat(first[0]).as("fit %s: a worker's first step starts from a kept state", f).isNotNull();
                    assertThat(first[0].norm2Number().doubleValue())
                            .as("fit %s: a worker's first step starts from a real state, not zeros", f).isGreaterThan(0);
                    assertThat(first[0].shape()).isEqualTo(previous.shape());
                }
            } else {
                assertThat(previous).as("fit %s: DL4J cleared the MultiLayerNetwork root's updater", f - 1).isNull();
                INDArray lost = probe.rootAfterLastStep.get(f - 1);
                assertThat(lost.norm2Number().doubleValue()).as("fit %s ended with a real state", f - 1)
                        .isGreaterThan(0);
                INDArray first = probe.firstOfFit.get(f)[0];
                double norm = first == null ? 0 : first.norm2Number().doubleValue();
                assertThat(norm).as("fit %s: its first step starts from zero state, not from %s", f, lost).isZero();
            }
        }
    }
}
