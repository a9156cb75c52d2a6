package io.github.lrschedules.spark;

import io.github.lrschedules.internal.Args;

/**
 * How far DL4J's Spark parameter averaging moves the iteration count that ITERATION schedules read.
 *
 * <p>Under {@code ParameterAveragingTrainingMaster} every worker starts a round at the driver's iteration count and
 * fits {@code averagingFrequency} mini-batches; the driver then adds {@code averagingFrequency} to its count, whatever
 * the number of workers. An epoch ({@code SparkDl4jMultiLayer.fit(rdd)}, {@code SparkComputationGraph.fit(rdd)})
 * splits the data into rounds of {@code workers * averagingFrequency} mini-batches, at least one round:
 * <pre>
 *   perEpoch(N, W, F) = F * max(1, floor(N / (W * F)))
 * </pre>
 * One ITERATION step is therefore one synchronous averaging step, not one mini-batch, and the mini-batches past the
 * last full round are not trained ({@code maxBatchesPerWorker = F}). Examples (a test asserts them, and checks the
 * formula against the counts of a real local run): {@code perEpoch(100, 2, 5) = 50}, {@code perEpoch(10, 2, 4) = 4},
 * {@code perEpoch(3, 4, 5) = 5}.
 *
 * <p>{@code batches} is the number of mini-batches of {@code batchSizePerWorker} examples the data holds: in DL4J's
 * default Export mode the data are re-batched to that size before training, so it is about
 * {@code examples / batchSizePerWorker}.
 */
public final class SparkSteps {

    private SparkSteps() {
    }

    /**
     * ITERATION steps one {@code fit(rdd)} epoch advances under parameter averaging.
     *
     * @param batches            mini-batches of {@code batchSizePerWorker} examples in the data, {@code > 0}
     * @param workers            number of workers (Spark executor cores training at once), {@code > 0}
     * @param averagingFrequency mini-batches each worker fits between two averagings, {@code > 0}
     * @throws IllegalArgumentException naming the argument that is not positive
     */
    public static int perEpoch(int batches, int workers, int averagingFrequency) {
        Args.positive("batches", batches);
        Args.positive("workers", workers);
        Args.positive("averagingFrequency", averagingFrequency);
        long perRound = (long) workers * averagingFrequency;
        long rounds = Math.max(1, batches / perRound);
        return Math.toIntExact(averagingFrequency * rounds);
    }
}
