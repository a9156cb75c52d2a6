package io.github.lrschedules.examples.train;

import io.github.lrschedules.examples.ExamplesException;
import io.github.lrschedules.plateau.MetricRuleListener;
import io.github.lrschedules.plateau.PlateauTracker;
import io.github.lrschedules.plateau.ReduceLROnPlateauListener;
import io.github.lrschedules.record.LearningRateRows;
import io.github.lrschedules.samediff.SameDiffLearningRates;
import io.github.lrschedules.samediff.SameDiffPlateau;
import io.github.lrschedules.samediff.SameDiffStatsListener;
import io.github.lrschedules.schedulefree.AdamWScheduleFree;
import io.github.lrschedules.schedulefree.ScheduleFree;
import io.github.lrschedules.schedulefree.SgdScheduleFree;
import io.github.lrschedules.ui.LearningRateReports;
import io.github.lrschedules.weights.SameDiffEvaluationWeights;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * Trains the run's MLP as a SameDiff graph in this JVM ({@code compare --api samediff}): the graph is built from the
 * MultiLayerNetwork the trainer made (dense ReLU layers and a softmax output with cross-entropy), its variables
 * ({@code 0_W}, {@code 0_b}, ...) start from that network's initialized parameters, and {@code sd.fit} sees the same
 * batches in the same order. The schedule's updater drives the graph's {@code TrainingConfig}; plateau decides with
 * {@link SameDiffPlateau} on the held-out loss; schedule-free is attached with {@code ScheduleFree.attach(sd)}; the
 * applied rates are {@link SameDiffLearningRates}' and the Schedules page's reports {@link SameDiffStatsListener}'s.
 *
 * <p>After every epoch the graph's values are copied into the network, which the trainer evaluates as for the other
 * backends (inference: the network's dropout plays no part); for schedule-free the copied values are the evaluation
 * weights {@code x}. The graph has no dropout: SameDiff cannot draw DL4J's dropout masks, so the MLP trains without
 * its dropout here (the run's description says so). The training loss of each step is computed by a forward pass of
 * the step's batch before the step, since SameDiff 1.0.0-M2.1 reports 0.0. Checkpoints are not written: a SameDiff run
 * cannot be resumed.
 */
final class SameDiffBackend implements Backend {

    /** The graph's output (probabilities) and loss variables. */
    static final String OUTPUT = "probabilities";
    static final String LOSS = "loss";

    private final RunSettings settings;

    SameDiffBackend(RunSettings settings) {
        this.settings = settings;
    }

    @Override
    public int stepsPerEpoch(int batches) {
        return batches;
    }

    /** The held-out loss is measured by the trainer on the network and reported to the SameDiff plateau. */
    @Override
    public boolean reportsValidation() {
        return true;
    }

    @Override
    public String description(int batches) {
        return "API: SameDiff (the " + settings.model().id() + " as a SameDiff graph, without dropout, from the same"
                + " initial weights and batches)";
    }

    @Override
    public boolean rowsIncludeResumedEpochs() {
        return false;
    }

    /** The network holds the evaluation weights x after each epoch of a schedule-free run. */
    @Override
    public boolean installsEvaluationWeights() {
        return true;
    }

    @Override
    public LearningRateRows train(Epochs run) throws IOException {
        if (run.resumed()) {
            throw new ExamplesException("a SameDiff run cannot be resumed: start it again without --resume");
        }
        MultiLayerNetwork net = run.network();
        IUpdater updater = run.setup().updater();
        boolean scheduleFree = updater instanceof SgdScheduleFree || updater instanceof AdamWScheduleFree;
        SameDiff sd = graph(net, updater.clone());
        if (scheduleFree) {
            ScheduleFree.attach(sd);
        }
        SameDiffPlateau plateau = plateau(run.setup().plateau());
        SameDiffLearningRates rates = new SameDiffLearningRates();
        Rows rows = new Rows(rates);
        List<Listener> listeners = new ArrayList<>(List.of(rows, rates));
        if (run.stats() != null) {
            listeners.add(new SameDiffStatsListener(run.stats(), run.sessionId()));
        }
        sd.addListeners(listeners.toArray(new Listener[0]));
        long reportsStart = System.currentTimeMillis();
        int reported = 0;
        for (int epoch = run.firstEpoch(); epoch < run.epochs(); epoch++) {
            run.train().startEpoch(epoch);
            long start = System.nanoTime();
            sd.fit(run.train(), 1);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (run.stats() != null) {
                // the recorded rate of every iteration, which the Schedules page draws, as for the other backends
                LearningRateReports.write(rows, run.stats(), run.sessionId(), LearningRateReports.WORKER_ID,
                        reportsStart, reported);
                reported = rows.size();
            }
            copyInto(sd, net, scheduleFree);
            if (plateau != null) {
                double loss = run.validationLoss().applyAsDouble(net);
                plateau.report(sd, loss);
                // the trainer's report reads the decisions from the schedule's own listener
                ((ReduceLROnPlateauListener) run.setup().plateau()).restore(plateau.state());
            }
            if (!run.epochEnd().epochDone(net, epoch, rows, seconds)) {
                break;
            }
        }
        return rows;
    }

    /** Plateau's SameDiff twin with the run's rule, or null for a schedule without a metric rule. */
    private SameDiffPlateau plateau(MetricRuleListener rule) {
        if (rule == null) {
            return null;
        }
        if (!(rule instanceof ReduceLROnPlateauListener)) {
            throw new ExamplesException(rule.getClass().getSimpleName() + " has no SameDiff twin: run it with --api dl4j");
        }
        return SameDiffPlateau.builder().factor(settings.plateauFactor()).patience(settings.plateauPatience())
                .minLr(settings.learningRate() / 1000).reported(PlateauTracker.Mode.MIN).build();
    }

    /**
     * The SameDiff graph of {@code net}, a stack of dense layers with a softmax cross-entropy output, at {@code net}'s
     * parameters, trained by {@code updater}.
     *
     * @throws ExamplesException for a network of other layers
     */
    static SameDiff graph(MultiLayerNetwork net, IUpdater updater) {
        SameDiff sd = SameDiff.create();
        int layers = net.getnLayers();
        INDArray firstW = net.getParam("0_W");
        INDArray lastB = net.getParam((layers - 1) + "_b");
        SDVariable in = sd.placeHolder("in", firstW.dataType(), -1, firstW.size(0));
        SDVariable label = sd.placeHolder("label", firstW.dataType(), -1, lastB.length());
        SDVariable x = in;
        for (int i = 0; i < layers; i++) {
            Layer layer = net.getLayerWiseConfigurations().getConf(i).getLayer();
            boolean output = i == layers - 1;
            if (!(output ? layer instanceof OutputLayer : layer instanceof DenseLayer)) {
                throw new ExamplesException("--api samediff builds dense layers and a softmax output; layer " + i
                        + " is a " + layer.getClass().getSimpleName() + ": use --model mlp");
            }
            SDVariable w = sd.var(i + "_W", net.getParam(i + "_W").dup('c'));
            SDVariable b = sd.var(i + "_b", net.getParam(i + "_b").dup('c'));
            SDVariable z = x.mmul(w).add(b);
            IActivation activation = ((BaseLayer) layer).getActivationFn();
            if (output) {
                if (!(activation instanceof ActivationSoftmax) || !(((OutputLayer) layer).getLossFn() instanceof LossMCXENT)) {
                    throw new ExamplesException("--api samediff builds a softmax output with cross-entropy; the network's"
                            + " output is " + activation + " with " + ((OutputLayer) layer).getLossFn());
                }
                sd.nn.softmax(OUTPUT, z);
                sd.loss.softmaxCrossEntropy(LOSS, label, z, null);
            } else if (activation instanceof ActivationReLU) {
                x = sd.nn.relu(z, 0);
            } else {
                throw new ExamplesException("--api samediff builds ReLU hidden layers; layer " + i + " uses "
                        + activation);
            }
        }
        sd.setTrainingConfig(TrainingConfig.builder().updater(updater).dataSetFeatureMapping("in")
                .dataSetLabelMapping("label").build());
        return sd;
    }

    /**
     * Copies the graph's variables (schedule-free: the evaluation weights x) into the network's parameters, and the
     * graph's iteration and epoch counts into the network's (the trainer measures a network once per iteration count).
     */
    static void copyInto(SameDiff sd, MultiLayerNetwork net, boolean scheduleFree) {
        net.setIterationCount(sd.getTrainingConfig().getIterationCount());
        net.setEpochCount(sd.getTrainingConfig().getEpochCount());
        try (SameDiffEvaluationWeights atX = scheduleFree ? ScheduleFree.evaluationWeights(sd) : null) {
            for (int i = 0; i < net.getnLayers(); i++) {
                for (String p : new String[] {"W", "b"}) {
                    String key = i + "_" + p;
                    net.getParam(key).assign(sd.getVariable(key).getArr().reshape(net.getParam(key).shape()));
                }
            }
        }
    }

    @Override
    public void close() {
    }

    /**
     * The rows the trainer reads: the applied rates of {@link SameDiffLearningRates} (one updater configuration, so
     * one rate for every variable) and the loss of each step's batch before the step.
     */
    static final class Rows extends BaseListener implements LearningRateRows {
        private final SameDiffLearningRates rates;
        private double[] losses = new double[256];
        private int size;
        private double loss;
        private List<String> keys = List.of(Trainer.LR_KEY);

        Rows(SameDiffLearningRates rates) {
            this.rates = rates;
        }

        @Override
        public boolean isActive(Operation operation) {
            return operation == Operation.TRAINING;
        }

        @Override
        public void iterationStart(SameDiff sd, At at, MultiDataSet data, long etlMs) {
            loss = sd.output(data, LOSS).get(LOSS).getDouble(0);
        }

        @Override
        public synchronized void iterationDone(SameDiff sd, At at, MultiDataSet dataSet, Loss reported) {
            if (size == losses.length) {
                losses = Arrays.copyOf(losses, 2 * size);
            }
            losses[size++] = loss;
        }

        @Override
        public synchronized int size() {
            return size;
        }

        @Override
        public List<String> parameterKeys() {
            return keys;
        }

        @Override
        public int[] iterations() {
            return rates.iterations();
        }

        @Override
        public int[] epochs() {
            return rates.epochs();
        }

        @Override
        public synchronized double[] scores() {
            return Arrays.copyOf(losses, size);
        }

        /** The one rate of the graph's updater, under any parameter key. */
        @Override
        public double[] learningRates(String parameterKey) {
            return rates.learningRates();
        }
    }
}
