package io.github.lrschedules.averaging;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.FileTrailers;
import io.github.lrschedules.weights.SameDiffEvaluationWeights;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerResponse;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.listeners.records.LossCurve;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A {@link WeightAveraging} on DL4J's SameDiff graphs: a {@code org.nd4j.autodiff.listeners.Listener} for
 * {@code sd.fit} that applies the wrapped averaging's rule (EMA with timm's warmup, {@code minDecay},
 * {@code updateAfterStep} and {@code everyIterations}; SWA by epochs or iterations) and keeps its average and update
 * count in it, so {@code updates()}, {@code averagedParameters()} and the state are the wrapped object's.
 *
 * <pre>
 * SameDiffWeightAveraging ema = SameDiffWeightAveraging.of(WeightAveraging.ema(0.999).warmup().build());
 * sd.addListeners(ema);
 * sd.fit(trainIterator, epochs);
 * try (SameDiffEvaluationWeights at = ema.evaluationWeights(sd)) {
 *     Evaluation eval = sd.evaluate(testIterator, "probabilities", new Evaluation());   // at the average
 * }                                                                                    // training weights back
 * sd.save(file, true);
 * ema.saveState(file);                           // the average travels at the end of the graph's file
 * </pre>
 *
 * <p>What is averaged: the graph's trainable variables ({@code VariableType.VARIABLE}, floating point), flattened in
 * the graph's variable order, each in c order ({@link SameDiffEvaluationWeights#trainableVariables}). Constants and
 * placeholders are not averaged, and SameDiff keeps no BatchNorm running statistics as variables unless the graph
 * declares them so: a graph that keeps such statistics in {@code VARIABLE}s has them averaged with the weights.
 *
 * <p>The counters are those of the graph's {@code TrainingConfig}, as the other SameDiff listeners read them: the
 * parameter update {@code s} of an {@code iterationDone} is the iteration count before the step plus one, and SWA by
 * epochs averages in {@code epochEnd}, which SameDiff calls in {@code fit(iterator, epochs)} only (its
 * {@code fit(DataSet)} never advances the epoch count). Everything else, the formulas included, is
 * {@link WeightAveraging}'s.
 *
 * <p>Listeners are not saved with a graph: {@link #saveState(File)} writes the average and its counters at the end of
 * any file, the one {@code sd.save(file, true)} wrote included ({@code SameDiff.load} still reads it, and a
 * {@code SameDiffPlateau} state there is kept), and {@link #restoreState(File)} on an averaging built the same way
 * continues exactly. Per update: one copy of the variables into a kept flat buffer and one pass of
 * {@link WeightAveraging}'s update over it. Thread-safe; one per graph.
 */
public final class SameDiffWeightAveraging extends BaseListener {

    /** The variables SameDiff's gradient function adds to the user's. */
    private static final String[] GRADIENT_FUNCTION_VARIABLES = {"one-var", "grad"};

    private final WeightAveraging averaging;
    /** The variables flattened, reused while the graph keeps its arrays; null before the first update. */
    private INDArray flat;
    /** The arrays {@link #flat} was laid out for, and the views of {@link #flat} shaped like them. */
    private List<INDArray> boundArrays = new ArrayList<>();
    private List<INDArray> flatViews = new ArrayList<>();

    private SameDiffWeightAveraging(WeightAveraging averaging) {
        this.averaging = averaging;
    }

    /**
     * The listener that applies {@code averaging}'s rule to a SameDiff graph and keeps the average in
     * {@code averaging}. Do not add {@code averaging} itself to a network at the same time.
     *
     * @throws IllegalArgumentException if {@code averaging} is null
     */
    public static SameDiffWeightAveraging of(WeightAveraging averaging) {
        return new SameDiffWeightAveraging(Args.notNull("averaging", averaging));
    }

    /** The wrapped averaging, which holds the average and its update count. */
    public WeightAveraging weightAveraging() {
        return averaging;
    }

    /** Active during training only. */
    @Override
    public boolean isActive(Operation operation) {
        return operation == Operation.TRAINING;
    }

    /** EMA, and SWA by iterations. */
    @Override
    public void iterationDone(SameDiff sd, At at, MultiDataSet dataSet, Loss loss) {
        // at.iteration() is the count before the step: this is parameter update iteration + 1
        long s = (long) at.iteration() + 1;
        if (averaging.rule().averagesAfterIteration(s, at.epoch())) {
            update(sd, s);
        }
    }

    /**
     * The live arrays of the variables averaged, by name, in the graph's order: the trainable variables of
     * {@link SameDiffEvaluationWeights#trainableVariables}. SameDiff 1.0.0-M2.1 calls {@code iterationDone} with its
     * gradient function, a graph of its own that shares the user's variables and adds two trainable variables without
     * gradient ({@code "one-var"}, the loss's initial gradient, and {@code "grad"}): those are left out.
     */
    private static Map<String, INDArray> trainableArrays(SameDiff sd) {
        Map<String, INDArray> variables = new LinkedHashMap<>(SameDiffEvaluationWeights.trainableVariables(sd));
        boolean gradientFunction = false;
        for (String name : variables.keySet()) {
            gradientFunction |= sd.getVariable(name).getGradient() != null;
        }
        if (gradientFunction) {
            for (String own : GRADIENT_FUNCTION_VARIABLES) {
                if (variables.containsKey(own) && sd.getVariable(own).getGradient() == null) {
                    variables.remove(own);
                }
            }
        }
        return variables;
    }

    /** SWA by epochs; the epoch count has not advanced yet, as in a network's {@code onEpochEnd}. */
    @Override
    public ListenerResponse epochEnd(SameDiff sd, At at, LossCurve lossCurve, long epochTimeMillis) {
        if (averaging.rule().averagesAfterEpoch(at.epoch())) {
            update(sd, trainingConfig(sd).getIterationCount());
        }
        return ListenerResponse.CONTINUE;
    }

    /**
     * Averages {@code sd}'s trainable variables now, as one more update, for loops that choose their own moments: the
     * first copies; EMA's decay is evaluated at {@code s} = the {@code TrainingConfig}'s iteration count.
     *
     * @throws IllegalStateException if {@code sd} has no training configuration, or holds evaluation weights
     */
    public void update(SameDiff sd) {
        update(sd, trainingConfig(sd).getIterationCount());
    }

    private synchronized void update(SameDiff sd, long s) {
        if (SameDiffEvaluationWeights.isOpen(sd)) {
            throw new IllegalStateException("the SameDiff graph holds evaluation weights (a SameDiffEvaluationWeights"
                    + " block is open): close it before training or averaging");
        }
        List<INDArray> arrays = new ArrayList<>(trainableArrays(sd).values());
        if (arrays.isEmpty()) {
            throw new IllegalStateException("the SameDiff graph has no trainable floating-point variable to average");
        }
        if (!sameArrays(arrays)) {
            bind(arrays);
        }
        for (int i = 0; i < arrays.size(); i++) {
            flatViews.get(i).assign(arrays.get(i));
        }
        averaging.average(flat, s);
    }

    private boolean sameArrays(List<INDArray> arrays) {
        if (arrays.size() != boundArrays.size()) {
            return false;
        }
        for (int i = 0; i < arrays.size(); i++) {
            if (arrays.get(i) != boundArrays.get(i)) {
                return false;
            }
        }
        return true;
    }

    private void bind(List<INDArray> arrays) {
        long n = 0;
        for (INDArray a : arrays) {
            n += a.length();
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            flat = Nd4j.create(arrays.get(0).dataType(), n);
            flatViews = views(flat, arrays);
        }
        boundArrays = arrays;
    }

    /** Views of {@code flat}, consecutive, each shaped (c order) like the array at its index. */
    private static List<INDArray> views(INDArray flat, List<INDArray> arrays) {
        List<INDArray> views = new ArrayList<>(arrays.size());
        long offset = 0;
        for (INDArray a : arrays) {
            INDArray part = flat.get(NDArrayIndex.interval(offset, offset + a.length()));
            views.add(a.rank() == 1 ? part : part.reshape('c', a.shape()));
            offset += a.length();
        }
        return views;
    }

    private static TrainingConfig trainingConfig(SameDiff sd) {
        Args.notNull("sd", sd);
        TrainingConfig config = sd.getTrainingConfig();
        if (config == null) {
            throw new IllegalStateException("the SameDiff graph has no TrainingConfig: call sd.setTrainingConfig(...)"
                    + " before training");
        }
        return config;
    }

    // ---- the average ---------------------------------------------------------------------------------------------

    /** The number of updates of the average, the first copy included (PyTorch's {@code n_averaged}). */
    public long updates() {
        return averaging.updates();
    }

    /**
     * A copy of the averaged variables flattened: each trainable variable in c order, in the graph's variable order.
     *
     * @throws IllegalStateException before the first update
     */
    public INDArray averagedParameters() {
        return averaging.averagedParameters();
    }

    /**
     * Copies of the averaged values of {@code sd}'s trainable variables, by name, each in its variable's shape.
     *
     * @throws IllegalStateException    before the first update
     * @throws IllegalArgumentException if {@code sd}'s trainable variables do not hold as many values as the average
     */
    public Map<String, INDArray> averagedVariables(SameDiff sd) {
        Map<String, INDArray> split = split(sd, averagedParameters());
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            split.replaceAll((name, values) -> values.dup('c'));
        }
        return split;
    }

    /**
     * Puts the averaged values into {@code sd}'s trainable variables until {@code close()}, which restores the
     * training values bit for bit. Do not train inside the block.
     *
     * @throws IllegalStateException    before the first update, or if evaluation weights are already open on
     *                                  {@code sd}
     * @throws IllegalArgumentException if {@code sd}'s trainable variables do not hold as many values as the average
     */
    public SameDiffEvaluationWeights evaluationWeights(SameDiff sd) {
        return SameDiffEvaluationWeights.of(sd, split(sd, averagedParameters()));
    }

    /** {@code average} cut into views shaped like {@code sd}'s trainable variables. */
    private static Map<String, INDArray> split(SameDiff sd, INDArray average) {
        Args.notNull("sd", sd);
        Map<String, INDArray> variables = trainableArrays(sd);
        long n = 0;
        for (INDArray a : variables.values()) {
            n += a.length();
        }
        if (n != average.length()) {
            throw new IllegalArgumentException("the average has " + average.length() + " values, the graph's"
                    + " trainable variables " + n + " (" + variables.keySet() + "): use one averaging per graph");
        }
        INDArray flat = average.reshape('c', new long[] {average.length()});
        List<INDArray> views = views(flat, new ArrayList<>(variables.values()));
        Map<String, INDArray> split = new LinkedHashMap<>();
        int i = 0;
        for (String name : variables.keySet()) {
            split.put(name, views.get(i++));
        }
        return split;
    }

    // ---- state ---------------------------------------------------------------------------------------------------

    /**
     * Writes the average and its counters at the end of {@code file}: the file {@code sd.save(file, true)} wrote
     * (which {@code SameDiff.load} still reads), or any other; a missing file is created. An earlier averaging state
     * in the file is replaced, a {@code SameDiffPlateau} state kept. The file is rewritten beside itself and moved
     * into place, so a failure leaves it intact.
     */
    public void saveState(File file) throws IOException {
        Args.notNull("file", file);
        FileTrailers.write(file, FileTrailers.WEIGHT_AVERAGE, averaging.state());
    }

    /**
     * Continues from the state {@link #saveState(File)} wrote into {@code file}: the average and the update count,
     * replacing the wrapped averaging's.
     *
     * @throws IllegalArgumentException if the file holds no such state, or the state of an averaging built another
     *                                  way
     */
    public void restoreState(File file) throws IOException {
        Args.notNull("file", file);
        averaging.restore(FileTrailers.read(file, FileTrailers.WEIGHT_AVERAGE, AveragingState.class));
    }

    @Override
    public String toString() {
        return "SameDiffWeightAveraging{" + averaging + ", variables=" + Arrays.toString(shapes()) + "}";
    }

    private synchronized String[] shapes() {
        String[] shapes = new String[boundArrays.size()];
        for (int i = 0; i < shapes.length; i++) {
            shapes[i] = Arrays.toString(boundArrays.get(i).shape());
        }
        return shapes;
    }
}
