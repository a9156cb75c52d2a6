package io.github.lrschedules.examples.train;

import io.github.lrschedules.examples.train.Evaluator.Measured;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Measures an epoch at copies of its weights ({@link Weights}, taken on the training thread at the epoch's end) on a
 * network and iterators of its own: the held-out, test and averaged loss and accuracy, with the {@link Evaluator} it is
 * given. Between epochs ({@link #measure}) for a backend that measures before the next epoch starts; or on a thread of
 * its own while the next epoch trains ({@link #submit}), which then also completes the epoch's row, records and
 * progress, and the record that the epoch's checkpoint waits for ({@link EpochCheckpoints#epochDone(CompletableFuture)}).
 * Epochs submitted are measured one after the other, in order.
 *
 * <p>Where ND4J computes on the CPU with one OpenMP thread per operation (the examples' default on 2 cores), the other
 * core does the measuring, and an epoch's evaluation leaves the training thread. Each mini-batch gives the same
 * outputs on any network with the same weights, so the rows hold the same bits either way.
 */
final class EpochMeasurement implements AutoCloseable {

    /** Copies of what an epoch is measured at, taken on the training thread at the epoch's end. */
    static final class Weights {
        final INDArray network;
        /** The held-out measurement taken already (the plateau listener's), or null to measure it. */
        final Measured heldOut;
        /** True if the run keeps a weight average. */
        final boolean averaging;
        /** The average's weights, or null while there is no average yet. */
        final INDArray average;

        Weights(INDArray network, Measured heldOut, boolean averaging, INDArray average) {
            this.network = network;
            this.heldOut = heldOut;
            this.averaging = averaging;
            this.average = average;
        }
    }

    private final MultiLayerNetwork like;
    private final DataSetIterator validation;
    private final DataSetIterator test;
    private final Evaluator evaluator;
    private ExecutorService thread;
    private MultiLayerNetwork copy;
    private CompletableFuture<EpochCheckpoints.MeasuredEpoch> last;

    /**
     * @param like       a network of the configuration measured
     * @param validation the held-out split (null: none), an iterator this measurement alone uses
     * @param test       the test set, an iterator this measurement alone uses
     * @param evaluator  measures the copies (one of its own, on one thread, for {@link #submit})
     */
    EpochMeasurement(MultiLayerNetwork like, DataSetIterator validation, DataSetIterator test, Evaluator evaluator) {
        this.like = like;
        this.validation = validation;
        this.test = test;
        this.evaluator = evaluator;
    }

    /**
     * Measures {@code weights} on the thread of this measurement after the epochs handed before, then gives
     * {@code finish} what {@link #measure} returns and completes with the run so far and the stats reports sent by then
     * ({@code checkpoints.reportsSent()}).
     */
    CompletableFuture<EpochCheckpoints.MeasuredEpoch> submit(Weights weights, Function<Measured[], RunResult> finish,
                                                             EpochCheckpoints checkpoints) {
        if (thread == null) {
            thread = Executors.newSingleThreadExecutor(runnable -> {
                Thread t = new Thread(runnable, "epoch-measurement");
                t.setDaemon(true);
                return t;
            });
        }
        last = CompletableFuture.supplyAsync(() -> {
            RunResult soFar = finish.apply(measure(weights));
            return new EpochCheckpoints.MeasuredEpoch(soFar, checkpoints.reportsSent());
        }, thread);
        return last;
    }

    /**
     * The held-out, test and averaged measurements of {@code weights}, on the calling thread (after {@link #await()}
     * where epochs were submitted); the last is null for a run without a weight average.
     */
    Measured[] measure(Weights weights) {
        MultiLayerNetwork net = network(weights.network);
        Measured val;
        Measured tst;
        if (weights.heldOut != null) {
            val = weights.heldOut;
            tst = evaluator.measure(net, test)[0];
        } else {
            Measured[] both = evaluator.measure(net, validation, test);
            val = both[0];
            tst = both[1];
        }
        Measured avg = null;
        if (weights.averaging) {
            avg = weights.average == null ? Measured.NONE : evaluator.measure(network(weights.average), test)[0];
        }
        return new Measured[] {val, tst, avg};
    }

    /** This measurement's network with {@code params}. */
    private MultiLayerNetwork network(INDArray params) {
        if (copy == null) {
            // given its parameters, init() draws no random numbers: the run's dropout masks stay the training thread's
            copy = new MultiLayerNetwork(like.getLayerWiseConfigurations().clone());
            copy.init(params, false);
        } else {
            copy.setParams(params);
        }
        return copy;
    }

    /** Waits until every epoch handed is measured; a failure there surfaces here. */
    void await() {
        if (last == null) {
            return;
        }
        try {
            last.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException("the epoch's measurement failed: " + cause, cause);
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.shutdown();
        }
    }
}
