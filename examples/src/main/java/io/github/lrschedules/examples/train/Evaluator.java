package io.github.lrschedules.examples.train;

import io.github.lrschedules.examples.model.ModelKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Accuracy and mean cross-entropy of a network over data sets, in one pass over their mini-batches. A network that
 * diverged predicts NaN: those examples count as wrong and the loss is NaN (DL4J's Evaluation would refuse to count
 * them at all).
 *
 * <p>Where ND4J computes on the CPU with at most half the cores per operation (the examples' default on 2 cores is one
 * OpenMP thread), a second thread can measure half the mini-batches at the same time, on a copy of the network that
 * gets the parameters first: the core that waits while the epoch's evaluation runs then works. Whether that is faster
 * depends on the network and on what else the machine runs (on a shared 2-core machine it was for the MLP, not for
 * LeNet), so the evaluations try both ways, one thread first, and keep the faster ({@link Speeds}). Each mini-batch
 * gives the same outputs on either network, and the sums are taken in the batches' order, so the results are the
 * same bits either way.
 */
final class Evaluator implements AutoCloseable {
    /** Per model, the evaluation speeds of this JVM ({@link #speeds(ModelKind)}). */
    private static final Map<ModelKind, Speeds> SPEEDS = new ConcurrentHashMap<>();

    private final MultiLayerNetwork like;
    /** True or false: always two threads or always one; null: the faster of the two according to speeds. */
    private final Boolean forced;
    private final Speeds speeds;
    private ExecutorService helper;
    private MultiLayerNetwork copy;
    private boolean lastParallel;

    /**
     * Measures on two threads where {@link #inParallel()} and where {@code speeds} found that faster.
     *
     * @param like a network of the configuration to be measured (the copy is built from it when needed)
     */
    Evaluator(MultiLayerNetwork like, Speeds speeds) {
        this.like = like;
        this.forced = inParallel() ? null : Boolean.FALSE;
        this.speeds = speeds;
    }

    /** Measures always on two threads ({@code parallel}) or always on one. */
    Evaluator(MultiLayerNetwork like, boolean parallel) {
        this.like = like;
        this.forced = parallel;
        this.speeds = new Speeds();
    }

    /** True where a second evaluation thread finds a core: a CPU backend using at most half of them per op. */
    static boolean inParallel() {
        Environment environment = Nd4j.getEnvironment();
        return environment.isCPU() && 2 * environment.maxThreads() <= Runtime.getRuntime().availableProcessors();
    }

    /** True if the last measurement ran on two threads. */
    boolean lastParallel() {
        return lastParallel;
    }

    /** Two threads or one for the next measurement of more than one mini-batch. */
    private boolean twoThreads() {
        if (forced != null) {
            return forced;
        }
        return speeds.twoThreadsNext();
    }

    /** Loss and accuracy of {@code net} on each of {@code sets}, in their order. */
    Measured[] measure(MultiLayerNetwork net, DataSetIterator... sets) {
        Batches batches = new Batches(sets);
        AtomicInteger next = new AtomicInteger();
        Future<?> helped = null;
        boolean parallel = batches.size() > 1 && twoThreads();
        lastParallel = parallel;
        long start = System.nanoTime();
        if (parallel) {
            MultiLayerNetwork other = copyOf(net);
            helped = helper().submit(() -> batches.measure(other, next));
        }
        batches.measure(net, next);
        if (helped != null) {
            try {
                helped.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the network was evaluated", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("the evaluation failed: " + e.getCause(), e.getCause());
            }
        }
        if (batches.size() > 1) {
            speeds.record(parallel, (System.nanoTime() - start) / 1e9 / batches.examples());
        }
        return batches.results(sets.length);
    }

    /** The mini-batches of one measurement and what each gave. */
    private static final class Batches {
        final List<DataSet> batches = new ArrayList<>();
        final List<Integer> setOf = new ArrayList<>();
        final BatchResult[] results;

        Batches(DataSetIterator... sets) {
            for (int s = 0; s < sets.length; s++) {
                sets[s].reset();
                while (sets[s].hasNext()) {
                    batches.add(sets[s].next());
                    setOf.add(s);
                }
                sets[s].reset();
            }
            results = new BatchResult[batches.size()];
        }

        int size() {
            return batches.size();
        }

        long examples() {
            long examples = 0;
            for (DataSet batch : batches) {
                examples += batch.numExamples();
            }
            return examples;
        }

        /** Takes the next mini-batch not yet taken until none is left. */
        void measure(MultiLayerNetwork net, AtomicInteger next) {
            for (int b = next.getAndIncrement(); b < batches.size(); b = next.getAndIncrement()) {
                results[b] = measureBatch(net, batches.get(b));
            }
        }

        /** Sums in the batches' order: the same bits however many threads measured them. */
        Measured[] results(int sets) {
            Measured[] measured = new Measured[sets];
            for (int s = 0; s < sets; s++) {
                long correct = 0;
                long examples = 0;
                double lossSum = 0;
                for (int b = 0; b < results.length; b++) {
                    if (setOf.get(b) == s) {
                        correct += results[b].correct;
                        for (double term : results[b].logLikelihoods) {
                            lossSum -= term;
                        }
                        examples += results[b].logLikelihoods.length;
                    }
                }
                measured[s] = new Measured(lossSum / examples, (double) correct / examples);
            }
            return measured;
        }
    }

    /** The copy that the helper thread measures, with {@code net}'s parameters now. */
    private MultiLayerNetwork copyOf(MultiLayerNetwork net) {
        if (copy == null) {
            // given its parameters, init() draws no random numbers: the run's dropout masks stay those of one
            // thread (and of a resumed run)
            copy = new MultiLayerNetwork(like.getLayerWiseConfigurations().clone());
            copy.init(net.params().dup(), false);
        } else {
            copy.setParams(net.params());
        }
        return copy;
    }

    private ExecutorService helper() {
        if (helper == null) {
            helper = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "evaluation");
                thread.setDaemon(true);
                return thread;
            });
        }
        return helper;
    }

    private static BatchResult measureBatch(MultiLayerNetwork net, DataSet batch) {
        // whole arrays at once (toDoubleMatrix copies row by row, which cost the MLP more than its forward pass)
        INDArray out = net.output(batch.getFeatures(), false);
        int n = (int) out.rows();
        int classes = (int) out.columns();
        double[] output = out.dup('c').data().asDouble();
        double[] labels = batch.getLabels().dup('c').data().asDouble();
        long correct = 0;
        double[] logLikelihoods = new double[n];
        for (int i = 0; i < n; i++) {
            int from = i * classes;
            int label = argMax(labels, from, classes);
            int predicted = argMax(output, from, classes);
            if (predicted == label) {
                correct++;
            }
            logLikelihoods[i] = predicted < 0 ? Double.NaN
                    : Math.log(Math.max(output[from + label], 1e-12));
        }
        return new BatchResult(correct, logLikelihoods);
    }

    /** Stops the helper thread. */
    @Override
    public void close() {
        if (helper != null) {
            helper.shutdown();
        }
    }

    /** Loss and accuracy of one measurement; NaN for none. */
    static final class Measured {
        static final Measured NONE = new Measured(Double.NaN, Double.NaN);
        final double loss;
        final double accuracy;

        Measured(double loss, double accuracy) {
            this.loss = loss;
            this.accuracy = accuracy;
        }
    }

    /**
     * Seconds per example of the evaluations on one thread and on two, for every trainer of this JVM that trains the
     * same model ({@link Evaluator#speeds(ModelKind)}): the first {@value #TRIES} of each way alternate, one thread
     * first, and after them the way of the faster best time is kept.
     */
    static final class Speeds {
        static final int TRIES = 2;
        private int oneTries;
        private int twoTries;
        private double oneBest = Double.POSITIVE_INFINITY;
        private double twoBest = Double.POSITIVE_INFINITY;

        /** True if the next evaluation of more than one mini-batch runs on two threads. */
        synchronized boolean twoThreadsNext() {
            if (oneTries < TRIES || twoTries < TRIES) {
                return twoTries < oneTries;
            }
            return twoBest < oneBest;
        }

        synchronized void record(boolean parallel, double secondsPerExample) {
            if (parallel) {
                twoTries++;
                twoBest = Math.min(twoBest, secondsPerExample);
            } else {
                oneTries++;
                oneBest = Math.min(oneBest, secondsPerExample);
            }
        }
    }

    /** The evaluation speeds of {@code model} in this JVM. */
    static Speeds speeds(ModelKind model) {
        return SPEEDS.computeIfAbsent(model, m -> new Speeds());
    }

    /** One mini-batch's count of correct predictions and the log-likelihood of each example's label. */
    private static final class BatchResult {
        final long correct;
        final double[] logLikelihoods;

        BatchResult(long correct, double[] logLikelihoods) {
            this.correct = correct;
            this.logLikelihoods = logLikelihoods;
        }
    }

    /** Index in its row of the largest of {@code values[from, from + length)}; -1 if they hold a NaN. */
    private static int argMax(double[] values, int from, int length) {
        int best = 0;
        for (int j = 0; j < length; j++) {
            double v = values[from + j];
            if (Double.isNaN(v)) {
                return -1;
            }
            if (v > values[from + best]) {
                best = j;
            }
        }
        return best;
    }
}
