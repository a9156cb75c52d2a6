package io.github.lrschedules.averaging;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.checkpoint.Checkpoint;
import io.github.lrschedules.checkpoint.Checkpointable;
import io.github.lrschedules.internal.Networks;
import io.github.lrschedules.weights.EvaluationWeights;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An average of a network's weights kept beside training, as a drop-in {@code TrainingListener}: the exponential
 * moving average (EMA) of PyTorch's {@code AveragedModel(multi_avg_fn=get_ema_multi_avg_fn(decay))} and of timm's
 * {@code ModelEmaV3} (decay warmup, {@code update_after_step}), or stochastic weight averaging (SWA), the equal
 * average of {@code AveragedModel}'s default. Evaluate at the average, then train on:
 *
 * <pre>
 * WeightAveraging ema = WeightAveraging.ema(0.999).warmup().build();
 * net.addListeners(ema);
 * net.fit(train, epochs);
 * try (EvaluationWeights at = ema.evaluationWeights(net)) {
 *     at.recomputeBatchNormStatistics(train);      // networks with BatchNorm: PyTorch's update_bn
 *     Evaluation eval = net.evaluate(test);        // at the averaged weights
 * }                                                // the training weights are back, bit for bit
 * </pre>
 *
 * <p>What is averaged: the network's whole parameter vector {@code params()}. DL4J keeps BatchNorm's running mean
 * and variance there, so they are averaged too, as timm does and {@code AveragedModel(use_buffers=True)} does (a
 * BatchNorm layer with {@code useLogStd}, DL4J's default, stores {@code log10} of the standard deviation, whose
 * average is a geometric mean). After SWA, recompute the statistics at the averaged weights with
 * {@link EvaluationWeights#recomputeBatchNormStatistics}.
 *
 * <p>When, with {@code s} the number of parameter updates so far including this one (the iteration count after the
 * step), and {@code avg = avg + w (params - avg)}:
 * <ul>
 * <li>EMA ({@link #ema(double)}): after every parameter update, or after those with {@code s % n == 0}
 * ({@link EmaBuilder#everyIterations(int)}). {@code w = 1 - d} with timm's rule: {@code k = max(0, s -
 * updateAfterStep - 1)}; {@code k == 0} gives {@code d = 0} (a copy); otherwise {@code d = decay}, or with warmup
 * {@code max(min(1 - (1 + k/gamma)^-power, decay), minDecay)}. The first update always copies.</li>
 * <li>SWA ({@link #swa()}): at the end of epoch {@code e} (0-based, as {@code onEpochEnd} sees it) when
 * {@code e >= startEpoch} and {@code (e - startEpoch) % everyEpochs == 0}, or after the parameter updates with
 * {@code s % n == 0} in epochs {@code >= startEpoch} ({@link SwaBuilder#everyIterations(int)}).
 * {@code w = 1 / (n + 1)} with {@code n} the updates so far: the first copies.</li>
 * </ul>
 * PyTorch's canonical SWA loop ({@code if epoch > swa_start: swa_model.update_parameters(model)}) is
 * {@code swa().startEpoch(swa_start + 1)}, with {@link io.github.lrschedules.schedule.SwaSchedule} as its SWALR.
 *
 * <p>SameDiff graphs: {@link SameDiffWeightAveraging#of(WeightAveraging)} applies the same rule to a graph's
 * trainable variables as a SameDiff listener, keeping the average in this object.
 *
 * <p>Loops without DL4J's callbacks on the network they train (a Spark driver; {@code ParallelWrapper}, whose workers
 * train copies and would call a listener with those) call {@link #epochEnded(Model, int)} on that network after each
 * epoch instead of adding the listener, or {@link #update(Model)} whenever they choose. {@link #checkpoint} and
 * {@link #saveState} keep the average and its counters in the model zip; {@link #restoreState} on a listener built
 * the same way continues exactly.
 *
 * <p>DL4J applies weight constraints ({@code constrainWeights}, max-norm and the like) after the listeners of an
 * iteration: with constraints, each update averages the parameters before that iteration's constraint. One listener
 * per network. Thread-safe. Per update, on the CPU backend with float or double parameters: one pass over the
 * parameters and no allocation after the first update.
 *
 * @see <a href="https://arxiv.org/abs/1803.05407">Izmailov et al., Averaging Weights Leads to Wider Optima and
 *      Better Generalization (2018)</a>
 */
public final class WeightAveraging extends BaseTrainingListener implements Checkpointable<AveragingState> {

    /** Key of the listener's state among the model zip's extra objects. */
    public static final String STATE_KEY = "weightAveraging";

    private final AveragingRule rule;
    private final Lerp lerp = new Lerp();
    /** The average, in the layout of {@code params()}; null before the first update. */
    private INDArray average;
    private long updates;

    private WeightAveraging(AveragingRule rule) {
        this.rule = rule;
    }

    /**
     * An exponential moving average with {@code decay} in [0, 1) and timm's defaults otherwise: no warmup,
     * {@code minDecay} 0, {@code updateAfterStep} 0, every iteration. {@code ema(decay).build()} is PyTorch's
     * {@code AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay))} updated after every optimizer step.
     */
    public static EmaBuilder ema(double decay) {
        return new EmaBuilder(decay);
    }

    /**
     * Stochastic weight averaging: the equal average of the weights at the end of every epoch from epoch 0 on
     * (change with {@link SwaBuilder#startEpoch}, {@link SwaBuilder#everyEpochs}, {@link SwaBuilder#everyIterations}).
     */
    public static SwaBuilder swa() {
        return new SwaBuilder();
    }

    // ---- training callbacks -------------------------------------------------------------------------------------

    @Override
    public synchronized void iterationDone(Model model, int iteration, int epoch) {
        // iterationDone sees the count before the step: this is update iteration + 1
        long s = (long) iteration + 1;
        if (rule.averagesAfterIteration(s, epoch)) {
            average(model, s);
        }
    }

    @Override
    public synchronized void onEpochEnd(Model model) {
        if (rule.averagesAfterEpoch(Networks.epochCount(model))) {
            average(model, Networks.iterationCount(model));
        }
    }

    // ---- for loops without DL4J's callbacks ----------------------------------------------------------------------

    /**
     * What the end of epoch {@code epoch} means to this average, for a loop that gives no epoch callbacks (a Spark
     * driver after each {@code fit}, before or after its epoch count advanced: pass the 0-based epoch that ended).
     * SWA averages {@code net}'s parameters if the rule selects {@code epoch}; EMA averages them once, its decay
     * evaluated at {@code s} = {@code net}'s iteration count.
     *
     * @return true if the average was updated
     * @throws IllegalStateException    for a rule timed by iterations (SWA with {@code everyIterations}, EMA with
     *                                  {@code everyIterations} above 1): such a loop has no iterations to count
     * @throws IllegalArgumentException for a network that is neither a MultiLayerNetwork nor a ComputationGraph,
     *                                  or a negative epoch
     */
    public synchronized boolean epochEnded(Model net, int epoch) {
        Networks.require("net", net);
        Args.nonNegative("epoch", epoch);
        if (followsIterations()) {
            throw new IllegalStateException("WeightAveraging." + rule + " averages every " + rule.everyIterations
                    + " iterations, which a loop without iteration callbacks cannot follow: build it without"
                    + " everyIterations (SWA: everyEpochs) to average after each epoch");
        }
        boolean due = rule.kind == AveragingRule.Kind.EMA || rule.averagesAfterEpoch(epoch);
        if (due) {
            average(net, Networks.iterationCount(net));
        }
        return due;
    }

    /**
     * True if the rule is timed by iterations (SWA with {@code everyIterations}, EMA with {@code everyIterations}
     * above 1), which a loop without iteration callbacks, such as a Spark driver, cannot follow.
     */
    public boolean followsIterations() {
        return rule.kind == AveragingRule.Kind.SWA ? rule.everyIterations > 0 : rule.everyIterations > 1;
    }

    /**
     * Averages {@code net}'s parameters now, as one more update: the first copies; EMA's decay is evaluated at
     * {@code s} = {@code net}'s iteration count, SWA weighs it equally with the earlier ones.
     *
     * @throws IllegalArgumentException for a network that is neither a MultiLayerNetwork nor a ComputationGraph
     */
    public synchronized void update(Model net) {
        Networks.require("net", net);
        average(net, Networks.iterationCount(net));
    }

    private void average(Model net, long s) {
        if (EvaluationWeights.isOpen(net)) {
            throw new IllegalStateException("the network holds evaluation weights (an EvaluationWeights block is"
                    + " open): close it before training or averaging");
        }
        average(average == null ? net.params() : FlatParameters.of(net), s);
    }

    /**
     * One update of the average with {@code params} after the parameter update {@code s}: the first copies (outside
     * any workspace), the others move the average by the rule's weight. Also the update of
     * {@link SameDiffWeightAveraging}, with the graph's trainable variables flattened into {@code params}.
     */
    synchronized void average(INDArray params, long s) {
        if (average == null) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                average = params.dup();
            }
        } else {
            if (average.length() != params.length()) {
                throw new IllegalStateException("the average has " + average.length() + " values, the network "
                        + params.length() + " parameters: use one WeightAveraging per network");
            }
            lerp.apply(average, params, rule.weight(s, updates));
        }
        updates++;
    }

    /** The averaging rule, for {@link SameDiffWeightAveraging}. */
    AveragingRule rule() {
        return rule;
    }

    // ---- the average ---------------------------------------------------------------------------------------------

    /** The number of updates of the average, the first copy included (PyTorch's {@code n_averaged}). */
    public synchronized long updates() {
        return updates;
    }

    /**
     * A copy of the averaged parameters, in the layout of the network's {@code params()}.
     *
     * @throws IllegalStateException before the first update
     */
    public synchronized INDArray averagedParameters() {
        INDArray a = requireAverage();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return a.dup();
        }
    }

    /**
     * Puts the averaged parameters into {@code net} until {@code close()}, which restores the training parameters
     * bit for bit; {@link EvaluationWeights#recomputeBatchNormStatistics} inside recomputes BatchNorm's statistics at
     * the averaged weights (PyTorch's {@code update_bn}, exact averages), and {@code close()} restores those too.
     *
     * @throws IllegalStateException    before the first update, or if evaluation weights are already open on
     *                                  {@code net}
     * @throws IllegalArgumentException for a network whose parameter count differs from the average's
     */
    public synchronized EvaluationWeights evaluationWeights(Model net) {
        return EvaluationWeights.of(net, requireAverage());
    }

    private INDArray requireAverage() {
        if (average == null) {
            throw new IllegalStateException("no average yet: WeightAveraging." + rule + " has not averaged (updates()"
                    + " is 0); train first, or restore a saved state");
        }
        return average;
    }

    // ---- state ---------------------------------------------------------------------------------------------------

    /**
     * Adds the average and its counters to an existing model zip (written by {@code ModelSerializer}), replacing an
     * earlier state; the zip is rewritten beside itself and moved into place.
     *
     * @throws IllegalArgumentException if {@code modelZip} is not a file
     */
    public void saveState(File modelZip) throws IOException {
        Args.notNull("modelZip", modelZip);
        if (!modelZip.isFile()) {
            throw new IllegalArgumentException("modelZip (" + modelZip + ") is not a file; write the model first");
        }
        Checkpoint.update(modelZip.toPath(), this);
    }

    /**
     * Writes {@code model} with its updater state and this average to {@code modelZip} in one atomic step: a
     * checkpoint to resume from (save it outside any evaluation-weights block).
     *
     * @throws IllegalArgumentException for a network that is neither a MultiLayerNetwork nor a ComputationGraph
     */
    public void checkpoint(Model model, File modelZip) throws IOException {
        Networks.require("model", model);
        Args.notNull("modelZip", modelZip);
        Checkpoint.of(model).state(this).write(modelZip.toPath());
    }

    /**
     * Continues from the state stored in a model zip by {@link #saveState} or {@link #checkpoint}: the average and
     * the update count, replacing this listener's.
     *
     * @throws IllegalArgumentException if the zip holds no such state, or the state of a listener built another way
     */
    public synchronized void restoreState(File modelZip) {
        Args.notNull("modelZip", modelZip);
        try {
            if (!Checkpoint.keys(modelZip.toPath()).contains(STATE_KEY)) {
                throw new IllegalArgumentException("modelZip (" + modelZip + ") holds no WeightAveraging state (key \""
                        + STATE_KEY + "\"); save it with saveState or checkpoint");
            }
            restore(Checkpoint.object(modelZip.toPath(), STATE_KEY, AveragingState.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the WeightAveraging state from " + modelZip, e);
        }
    }

    /** {@value #STATE_KEY}: the key of the average in a {@link Checkpoint}. */
    @Override
    public String checkpointKey() {
        return STATE_KEY;
    }

    /**
     * Continues from {@code state} (the average and the update count), replacing this listener's.
     *
     * @throws IllegalArgumentException if it is the state of a listener built another way
     */
    @Override
    public synchronized void restore(AveragingState state) {
        Args.notNull("state", state);
        if (!state.rule.equals(rule)) {
            throw new IllegalArgumentException("the checkpoint holds the state of WeightAveraging."
                    + state.rule + ", not of WeightAveraging." + rule + ": restore it into a listener built the same way");
        }
        average = state.average();
        updates = state.updates;
    }

    /** The average and its counters, as a checkpoint stores them. */
    @Override
    public synchronized AveragingState state() {
        return new AveragingState(rule, updates, average);
    }

    @Override
    public synchronized String toString() {
        return "WeightAveraging." + rule + "{updates=" + updates + "}";
    }

    // ---- builders ------------------------------------------------------------------------------------------------

    /** Builds an EMA {@link WeightAveraging}; defaults are timm's {@code ModelEmaV3}'s. */
    public static final class EmaBuilder {
        private final double decay;
        private boolean warmup;
        private double warmupGamma = 1.0;
        private double warmupPower = 2.0 / 3.0;
        private double minDecay = 0.0;
        private int updateAfterStep = 0;
        private int everyIterations = 1;

        private EmaBuilder(double decay) {
            this.decay = decay;
        }

        /**
         * timm's decay warmup, {@code d = max(min(1 - (1 + k/gamma)^-power, decay), minDecay)}, with
         * {@code gamma} and {@code power} &gt; 0 (timm's defaults: 1 and 2/3; 1 and 3/4 suit long runs).
         */
        public EmaBuilder warmup(double gamma, double power) {
            this.warmup = true;
            this.warmupGamma = gamma;
            this.warmupPower = power;
            return this;
        }

        /** The decay warmup with timm's defaults: {@code gamma} 1, {@code power} 2/3. */
        public EmaBuilder warmup() {
            return warmup(1.0, 2.0 / 3.0);
        }

        /** The lower bound of the warmed-up decay, in [0, decay]; default 0; only used with a warmup. */
        public EmaBuilder minDecay(double minDecay) {
            this.minDecay = minDecay;
            return this;
        }

        /** Copy instead of averaging until {@code s > updateAfterStep + 1}; &gt;= 0, default 0. */
        public EmaBuilder updateAfterStep(int updateAfterStep) {
            this.updateAfterStep = updateAfterStep;
            return this;
        }

        /** Average only after the parameter updates {@code s} with {@code s % n == 0}; &gt; 0, default 1. */
        public EmaBuilder everyIterations(int n) {
            this.everyIterations = n;
            return this;
        }

        /**
         * @throws IllegalArgumentException for a value out of range, naming it: {@code decay} in [0, 1),
         *                                  {@code minDecay} in [0, decay], warmup {@code gamma} and {@code power}
         *                                  &gt; 0 and finite, {@code updateAfterStep} &gt;= 0,
         *                                  {@code everyIterations} &gt; 0
         */
        public WeightAveraging build() {
            Args.inHalfOpenRange("decay", decay, 0, 1);
            Args.inHalfOpenRange("minDecay", minDecay, 0, 1);
            if (!(minDecay <= decay)) {
                throw new IllegalArgumentException("minDecay (" + minDecay + ") must be <= decay (" + decay + ")");
            }
            Args.positive("warmup gamma", warmupGamma);
            Args.positive("warmup power", warmupPower);
            Args.nonNegative("updateAfterStep", updateAfterStep);
            Args.positive("everyIterations", everyIterations);
            return new WeightAveraging(AveragingRule.ema(decay, minDecay, warmup, warmupGamma, warmupPower,
                    updateAfterStep, everyIterations));
        }
    }

    /** Builds an SWA {@link WeightAveraging}: by default at the end of every epoch from epoch 0 on. */
    public static final class SwaBuilder {
        private int startEpoch = 0;
        private Integer everyEpochs;
        private Integer everyIterations;

        private SwaBuilder() {
        }

        /** The first epoch (0-based) whose end, or whose iterations, are averaged; &gt;= 0, default 0. */
        public SwaBuilder startEpoch(int startEpoch) {
            this.startEpoch = startEpoch;
            return this;
        }

        /** Average at the end of every {@code n}-th epoch from {@code startEpoch}; &gt; 0, default 1. */
        public SwaBuilder everyEpochs(int n) {
            this.everyEpochs = n;
            return this;
        }

        /** Average after the parameter updates {@code s} with {@code s % n == 0} instead of at epoch ends; &gt; 0. */
        public SwaBuilder everyIterations(int n) {
            this.everyIterations = n;
            return this;
        }

        /**
         * @throws IllegalArgumentException for a value out of range, naming it
         * @throws IllegalStateException    for {@code everyEpochs} together with {@code everyIterations}
         */
        public WeightAveraging build() {
            Args.nonNegative("startEpoch", startEpoch);
            if (everyEpochs != null && everyIterations != null) {
                throw new IllegalStateException("everyEpochs(" + everyEpochs + ") and everyIterations("
                        + everyIterations + ") contradict each other: choose one");
            }
            if (everyIterations != null) {
                Args.positive("everyIterations", everyIterations);
                return new WeightAveraging(AveragingRule.swa(startEpoch, 0, everyIterations));
            }
            int epochs = everyEpochs == null ? 1 : everyEpochs;
            Args.positive("everyEpochs", epochs);
            return new WeightAveraging(AveragingRule.swa(startEpoch, epochs, 0));
        }
    }
}
