package io.github.lrschedules.spark;

import io.github.lrschedules.record.LearningRateTable;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.TaskContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * A worker listener that writes down, on the worker, the learning rate each parameter's updater applies at the
 * iteration and epoch the worker's network counts. Spark ships a serialized copy to every task; in local mode all
 * copies run in this JVM and add to one static queue, which the tests read on the driver. It can also make the
 * first attempt of one task fail once, to test Spark's retry.
 */
final class AppliedRateProbe extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;

    /** One observation on a worker. */
    static final class Row {
        final int partition;
        final int attempt;
        final int iteration;
        final int epoch;
        final Map<String, Double> rates;

        Row(int partition, int attempt, int iteration, int epoch, Map<String, Double> rates) {
            this.partition = partition;
            this.attempt = attempt;
            this.iteration = iteration;
            this.epoch = epoch;
            this.rates = rates;
        }

        @Override
        public String toString() {
            return "p" + partition + "a" + attempt + " i=" + iteration + " e=" + epoch + " " + rates;
        }
    }

    static final ConcurrentLinkedQueue<Row> ROWS = new ConcurrentLinkedQueue<>();
    /** When set, the first attempt of partition 0 throws at its second iteration (once). */
    static final AtomicBoolean FAIL_ONCE = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    static List<Row> drain() {
        List<Row> out = new ArrayList<>();
        for (Row r; (r = ROWS.poll()) != null; ) {
            out.add(r);
        }
        return out;
    }

    private int seen;

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        TaskContext task = TaskContext.get();
        int partition = task == null ? -1 : task.partitionId();
        int attempt = task == null ? -1 : task.attemptNumber();
        Map<String, Double> rates = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, IUpdater> e : LearningRateTable.updatersByKey(model).entrySet()) {
            rates.put(e.getKey(), e.getValue().getLearningRate(iteration, epoch));
        }
        ROWS.add(new Row(partition, attempt, iteration, epoch, rates));
        seen++;
        if (seen == 2 && partition == 0 && attempt == 0 && FAIL_ONCE.compareAndSet(true, false)) {
            FAILED.set(true);
            throw new IllegalStateException("injected failure of the first attempt of task 0");
        }
    }
}
