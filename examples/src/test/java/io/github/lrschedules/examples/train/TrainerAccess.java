package io.github.lrschedules.examples.train;

import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** The trainer's evaluator and StatsListener for the benchmarks of the test sources. */
public final class TrainerAccess {

    private TrainerAccess() {
    }

    /** Measures {@code net} on {@code sets} on one thread or two; returns the test accuracy of the last set. */
    public static double measure(MultiLayerNetwork net, boolean parallel, DataSetIterator... sets) {
        try (Evaluator evaluator = new Evaluator(net, parallel)) {
            Evaluator.Measured[] measured = evaluator.measure(net, sets);
            return measured[measured.length - 1].accuracy;
        }
    }

    /** The StatsListener {@code compare} trains with (one initialization per run), a report every {@code every}. */
    public static StatsListener statsListener(StatsStorageRouter router, int every, String session) {
        return new Trainer.CompareStatsListener(router, Trainer.statsConfiguration(every), session);
    }
}
