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
 * Measures each epoch on a thread of its own while the next epoch trains: the trainer hands it copies of the weights
 * at the epoch's end ({@link Weights}), and this thread measures them on a network and iterators of its own, then
 * completes the epoch's row, records and progress, and the record that the epoch's checkpoint waits for
 * ({@link EpochCheckpoints#epochDone(CompletableFuture)}). Epochs are measured one after the other, in order.
 *
 * <p>Where ND4J computes on the CPU with one OpenMP thread per operation (the examples' default on 2 cores), the other
 * core does the measuring, and an epoch's evaluation leaves the training thread; each mini-batch gives the same
 * outputs on either network, so the rows hold the same bits as a measurement on the training thread.
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
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread t = new Thread(runnable, "epoch-measurement");
        t.setDaemon(true);
        return t;
    });
    private MultiLayerNetwork copy;
    private CompletableFuture<EpochCheckpoints.MeasuredEpoch> last;

    /**
     * @param like       a network of the configuration measured
     * @param validation the held-out split (null: none), an iterator this thread alone uses
     * @param test       the test set, an iterator this thread alone uses
     */
    EpochMeasurement(MultiLayerNetwork like, DataSetIterator validation, DataSetIterator test) {
        this.like = like;
        this.validation = validation;
        this.test = test;
    }

    /**
     * Measures {@code weights} after the epochs handed before, then gives {@code finish} the held-out, test and
     * averaged measurements ({@code null} for the last without a weight average) and completes with the run so far
     * and the stats reports sent by then ({@code checkpoints.reportsSent()}).
     */
    CompletableFuture<EpochCheckpoints.MeasuredEpoch> submit(Weights weights, Function<Measured[], RunResult> finish,
                                                             EpochCheckpoints checkpoints) {
        last = CompletableFuture.supplyAsync(() -> {
            RunResult soFar = finish.apply(measure(weights));
            return new EpochCheckpoints.MeasuredEpoch(soFar, checkpoints.reportsSent());
        }, thread);
        return last;
    }

    private Measured[] measure(Weights weights) {
        MultiLayerNetwork net = network(weights.network);
        Measured val;
        Measured tst;
        if (weights.heldOut != null) {
            val = weights.heldOut;
            tst = Evaluator.measureOnThisThread(net, test)[0];
        } else {
            Measured[] both = Evaluator.measureOnThisThread(net, validation, test);
            val = both[0];
            tst = both[1];
        }
        Measured avg = null;
        if (weights.averaging) {
            avg = weights.average == null ? Measured.NONE
                    : Evaluator.measureOnThisThread(network(weights.average), test)[0];
        }
        return new Measured[] {val, tst, avg};
    }

    /** This thread's network with {@code params}. */
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
        thread.shutdown();
    }
}
