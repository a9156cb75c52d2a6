package io.github.lrschedules.record;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.Networks;
import io.github.lrschedules.lrfree.LearningRateFree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Records, for every training iteration, the learning rate that each parameter's updater applies and the score,
 * in primitive arrays.
 *
 * <p>Parameters are named as in {@code model.paramTable()} and in DL4J's {@code StatsListener}: {@code "0_W"},
 * {@code "0_b"} for a {@code MultiLayerNetwork}, {@code "<layerName>_W"} for a {@code ComputationGraph}. Only
 * parameters whose updater has a learning rate are recorded (not frozen layers, not AdaDelta). The learning rate of
 * iteration {@code i} is read in {@code iterationDone(model, i, epoch)} from the updater configuration each
 * parameter is trained with at that moment, so a schedule installed by another listener (the plateau listener's
 * {@code ScaledSchedule}) is what gets recorded. For the learning-rate-free updaters ({@code Prodigy},
 * {@code DAdaptAdam}, {@code Dog}) the rate recorded is the one the step applied, the estimate {@code d} (or DoG's
 * {@code eta}) times the schedule, read from the updater state.
 *
 * <p>The rows are kept in a {@link LearningRateTable}: parameters that share a rate share a column, so a network
 * whose parameters all follow one schedule costs 24 bytes per iteration however many parameter arrays it has.
 * {@link #streamTo(Path)} writes the rows to a CSV as they come instead.
 *
 * <p>Built with {@link #builder()}, it records beside the rate each parameter's momentum (or Adam's {@code beta1}) and
 * weight decay, as Lightning's {@code LearningRateMonitor(log_momentum=True, log_weight_decay=True)} logs them:
 *
 * <pre>{@code
 * LearningRateRecorder recorder = LearningRateRecorder.builder().momentum(true).weightDecay(true).build();
 * net.setListeners(recorder);
 * net.fit(train, 10);
 * double[] beta1 = recorder.hyperparameters(Hyperparameter.MOMENTUM, "0_W");   // one per iteration
 * recorder.writeCsv(Path.of("lr.csv"));   // iteration,epoch,score,0_W,0_b,...,momentum:0_W,...,weightDecay:0_W,...
 * }</pre>
 *
 * {@link Hyperparameter} lists which updaters and regularizations each column reads. They are stored in the same
 * table as the rates (a value every parameter shares is one column of 8 bytes per iteration) and written after the
 * rates in the CSV; without them (the default, {@code new LearningRateRecorder()}) the CSV is the one of 1.0.
 *
 * <p>Safe to share between threads (ParallelWrapper shares listeners across workers). Recording allocates only when
 * a storage chunk of 4,096 rows fills up.
 */
public final class LearningRateRecorder extends BaseTrainingListener implements LearningRateRows {

    private final LearningRateTable table = new LearningRateTable();
    private final Set<Hyperparameter> recorded;
    private Layer[] layers = new Layer[0];
    private String[] paramNames = new String[0];
    private double[] rates = new double[0];
    /** Per hyperparameter column: which hyperparameter, of which parameter (index into {@link #layers}). */
    private Hyperparameter[] columnKinds = new Hyperparameter[0];
    private int[] columnParams = new int[0];
    private double[] hyperValues = new double[0];
    private Model boundModel;
    private boolean learningRateFree;

    /** A recorder of the learning rates alone. */
    public LearningRateRecorder() {
        this(EnumSet.noneOf(Hyperparameter.class));
    }

    private LearningRateRecorder(Set<Hyperparameter> recorded) {
        this.recorded = Collections.unmodifiableSet(EnumSet.copyOf(recorded));
    }

    /** A builder: rates alone unless {@link Builder#momentum(boolean)} or {@link Builder#weightDecay(boolean)}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The hyperparameters recorded beside the rate (empty by default). */
    public Set<Hyperparameter> recordedHyperparameters() {
        return recorded;
    }

    @Override
    public synchronized void iterationDone(Model model, int iteration, int epoch) {
        if (model != boundModel) {
            bind(model);
        }
        for (int p = 0; p < paramNames.length; p++) {
            IUpdater updater = Networks.updater(layers[p], paramNames[p]);
            rates[p] = updater.hasLearningRate() ? updater.getLearningRate(iteration, epoch) : Double.NaN;
        }
        for (int h = 0; h < columnKinds.length; h++) {
            int p = columnParams[h];
            Layer layer = layers[p];
            hyperValues[h] = columnKinds[h].valueAt(Networks.updater(layer, paramNames[p]),
                    layer.getConfig().getRegularizationByParam(paramNames[p]), iteration, epoch);
        }
        if (learningRateFree) {
            // the rate a learning-rate-free updater applied is its estimate times the schedule: read it from its state
            Map<String, Double> effective = LearningRateFree.effectiveLearningRatesByParameter(model);
            List<String> keys = table.parameterKeys();
            for (int p = 0; p < paramNames.length; p++) {
                Double rate = effective.get(keys.get(p));
                if (rate != null) {
                    rates[p] = rate;
                }
            }
        }
        table.append(iteration, epoch, model.score(), rates, hyperValues);
    }

    private void bind(Model model) {
        learningRateFree = false;
        List<String> newKeys = new ArrayList<>();
        List<Layer> newLayers = new ArrayList<>();
        List<String> newParams = new ArrayList<>();
        for (Layer layer : Networks.layers(model)) {
            for (String param : layer.paramTable(false).keySet()) {
                IUpdater updater = Networks.updater(layer, param);
                if (updater != null && updater.hasLearningRate()) {
                    learningRateFree |= LearningRateFree.isLearningRateFree(updater);
                    newKeys.add(LearningRateTable.key(model, layer, param));
                    newLayers.add(layer);
                    newParams.add(param);
                }
            }
        }
        // hyperparameter columns: by kind, then by parameter (the CSV's order), where the configuration has one
        List<String> hyperKeys = new ArrayList<>();
        List<Hyperparameter> kinds = new ArrayList<>();
        List<Integer> params = new ArrayList<>();
        for (Hyperparameter h : recorded) {
            for (int p = 0; p < newParams.size(); p++) {
                Layer layer = newLayers.get(p);
                String param = newParams.get(p);
                double value = h.valueAt(Networks.updater(layer, param),
                        layer.getConfig().getRegularizationByParam(param), 0, 0);
                if (!Double.isNaN(value)) {
                    hyperKeys.add(h.key(newKeys.get(p)));
                    kinds.add(h);
                    params.add(p);
                }
            }
        }
        if (table.size() > 0 && !(newKeys.equals(table.parameterKeys())
                && hyperKeys.equals(table.hyperparameterKeys()))) {
            throw new IllegalStateException("LearningRateRecorder recorded parameters " + table.parameterKeys() + " "
                    + table.hyperparameterKeys() + " and cannot continue on a model with parameters " + newKeys + " "
                    + hyperKeys + "; use a new recorder");
        }
        table.keys(newKeys, hyperKeys);
        layers = newLayers.toArray(new Layer[0]);
        paramNames = newParams.toArray(new String[0]);
        rates = new double[paramNames.length];
        columnKinds = kinds.toArray(new Hyperparameter[0]);
        columnParams = params.stream().mapToInt(Integer::intValue).toArray();
        hyperValues = new double[columnKinds.length];
        boundModel = model;
    }

    /** Number of recorded iterations. */
    @Override
    public synchronized int size() {
        return table.size();
    }

    /** Recorded parameter names, in the order of the CSV columns. */
    @Override
    public synchronized List<String> parameterKeys() {
        return table.parameterKeys();
    }

    /** Iteration numbers as DL4J counted them (a copy). */
    @Override
    public synchronized int[] iterations() {
        return table.iterations();
    }

    /** Epoch numbers, one per recorded iteration (a copy). */
    @Override
    public synchronized int[] epochs() {
        return table.epochs();
    }

    /** Scores (loss of the mini-batch), one per recorded iteration (a copy). */
    @Override
    public synchronized double[] scores() {
        return table.scores();
    }

    /**
     * Learning rates of one parameter, one per recorded iteration (a copy).
     *
     * @throws IllegalArgumentException if {@code parameterKey} was not recorded
     */
    @Override
    public synchronized double[] learningRates(String parameterKey) {
        return table.learningRates(parameterKey);
    }

    /**
     * Hyperparameter column keys ({@code momentum:0_W}, {@code weightDecay:0_W}, ...), in the order of the CSV's
     * columns after the rates: by hyperparameter, then by parameter; a parameter whose configuration has none of a
     * hyperparameter (Sgd has no momentum) has no column for it.
     */
    @Override
    public synchronized List<String> hyperparameterKeys() {
        return table.hyperparameterKeys();
    }

    /**
     * Values of one hyperparameter column, one per recorded iteration (a copy).
     *
     * @param columnKey such as {@code "momentum:0_W"} ({@link Hyperparameter#key(String)})
     * @throws IllegalArgumentException if {@code columnKey} was not recorded
     */
    @Override
    public synchronized double[] hyperparameters(String columnKey) {
        return table.hyperparameters(columnKey);
    }

    /**
     * Values of {@code hyperparameter} for one parameter, one per recorded iteration (a copy): the momentum or
     * {@code beta1} each step used, or its weight decay.
     *
     * @throws IllegalArgumentException if it was not recorded for {@code parameterKey} (not asked for with the
     *                                  builder, or the parameter's configuration has none)
     */
    public synchronized double[] hyperparameters(Hyperparameter hyperparameter, String parameterKey) {
        Args.notNull("hyperparameter", hyperparameter);
        return table.hyperparameters(hyperparameter.key(parameterKey));
    }

    @Override
    public synchronized double hyperparameter(int h, int row) {
        return table.hyperparameter(h, row);
    }

    @Override
    public synchronized int iteration(int row) {
        return table.iteration(row);
    }

    @Override
    public synchronized int epoch(int row) {
        return table.epoch(row);
    }

    @Override
    public synchronized double score(int row) {
        return table.score(row);
    }

    @Override
    public synchronized double learningRate(int p, int row) {
        return table.learningRate(p, row);
    }

    /** Number of distinct rate columns the recorder stores (see {@link LearningRateTable}). */
    public synchronized int columnCount() {
        return table.columnCount();
    }

    /**
     * From now on writes each recorded row to {@code file} (the CSV of {@link #writeCsv(Path)}) and keeps none in
     * memory: for runs too long to hold. The array accessors then refuse; {@link #close()} ends the file.
     *
     * @throws IOException if the file cannot be written
     */
    public synchronized void streamTo(Path file) throws IOException {
        table.streamTo(file);
    }

    /** Flushes and closes the file of {@link #streamTo(Path)} (no-op when not streaming). */
    public synchronized void close() throws IOException {
        table.close();
    }

    /** Flushes streamed rows at the end of every epoch, so that the file holds every finished epoch. */
    @Override
    public synchronized void onEpochEnd(Model model) {
        try {
            table.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Forgets everything recorded, so that the recorder can follow another model. */
    public synchronized void clear() {
        table.clear();
        boundModel = null;
    }

    /**
     * Writes {@code iteration,epoch,score,<param>...} with one row per recorded iteration (then the hyperparameter
     * columns, {@code momentum:<param>...}, if the builder asked for them). The file is written
     * beside its destination first and then moved, so a failed write never leaves a half-written file.
     */
    public synchronized void writeCsv(Path file) throws IOException {
        table.writeCsv(file);
    }

    /** Writes the CSV of {@link #writeCsv(Path)} to {@code out}. */
    public synchronized void writeCsv(Writer out) throws IOException {
        table.writeCsv(out);
    }

    /** Chooses what {@link LearningRateRecorder} records beside the learning rate. */
    public static final class Builder {
        private final Set<Hyperparameter> recorded = EnumSet.noneOf(Hyperparameter.class);

        private Builder() {
        }

        /**
         * Records each parameter's momentum or {@code beta1} ({@link Hyperparameter#MOMENTUM}) in columns
         * {@code momentum:<param>}. Default: false.
         */
        public Builder momentum(boolean record) {
            return set(record, Hyperparameter.MOMENTUM);
        }

        /**
         * Records each parameter's weight decay in columns {@code weightDecay:<param>} (multiplied by the rate, as
         * PyTorch's AdamW), {@code weightDecayWithoutLr:<param>} (DL4J's {@code WeightDecay(coeff, false)}),
         * {@code l2:<param>} and {@code l1:<param>}, each where the configuration has it. Default: false.
         */
        public Builder weightDecay(boolean record) {
            return set(record, Hyperparameter.WEIGHT_DECAY, Hyperparameter.WEIGHT_DECAY_WITHOUT_LR,
                    Hyperparameter.L2, Hyperparameter.L1);
        }

        private Builder set(boolean record, Hyperparameter... hyperparameters) {
            for (Hyperparameter h : hyperparameters) {
                if (record) {
                    recorded.add(h);
                } else {
                    recorded.remove(h);
                }
            }
            return this;
        }

        /** The recorder. */
        public LearningRateRecorder build() {
            return new LearningRateRecorder(recorded);
        }
    }
}
