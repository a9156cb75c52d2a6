package io.github.lrschedules.examples.train;

import io.github.lrschedules.ui.LearningRateReports;
import io.github.lrschedules.lrfree.LearningRateFree;
import io.github.lrschedules.record.LearningRateRecorder;
import io.github.lrschedules.record.LearningRateRows;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;

/** Trains in this JVM: {@code fit} per epoch, the library's recorder and the schedule's listeners on the network. */
final class LocalBackend implements Backend {

    private final int prefetch;

    LocalBackend(int prefetch) {
        this.prefetch = prefetch;
    }

    @Override
    public int stepsPerEpoch(int batches) {
        return batches;
    }

    @Override
    public boolean reportsValidation() {
        return false;
    }

    @Override
    public String description(int batches) {
        return null;
    }

    @Override
    public boolean measuresWhileTraining() {
        return true;
    }

    @Override
    public boolean rowsIncludeResumedEpochs() {
        return false;
    }

    @Override
    public LearningRateRows train(Epochs run) throws IOException {
        MultiLayerNetwork net = run.network();
        LearningRateRecorder recorder = new LearningRateRecorder();
        List<TrainingListener> listeners = new ArrayList<>();
        listeners.add(recorder);
        listeners.addAll(run.setup().listeners());
        if (run.averaging() != null) {
            // before the trainer's evaluation: EMA after every iteration, SWA in onEpochEnd, both inside fit
            listeners.add(run.averaging());
        }
        listeners.addAll(run.displays());
        net.setListeners(listeners);
        if (LearningRateFree.isLearningRateFree(run.setup().updater())) {
            // Prodigy and DoG need the parameters before every step (after a resume too)
            LearningRateFree.attach(net);
        }
        long reportsStart = System.currentTimeMillis();
        int reported = 0;
        for (int epoch = run.firstEpoch(); epoch < run.epochs(); epoch++) {
            run.train().startEpoch(epoch);
            long start = System.nanoTime();
            fit(net, run);
            if (run.stats() != null) {
                // the recorded rate of every iteration beside StatsListener's reports: the Schedules page draws these
                LearningRateReports.write(recorder, run.stats(), run.sessionId(), LearningRateReports.WORKER_ID,
                        reportsStart, reported);
                reported = recorder.size();
            }
            if (!run.epochEnd().epochDone(net, epoch, recorder, (System.nanoTime() - start) / 1e9)) {
                break;
            }
            if (epoch + 1 < run.epochs()) {
                run.checkpoints().save(net, run.setup().plateauState(), run.averaging());
            }
        }
        return recorder;
    }

    private void fit(MultiLayerNetwork net, Epochs run) {
        if (prefetch <= 0) {
            net.fit(run.train());
            return;
        }
        AsyncDataSetIterator prefetching = new AsyncDataSetIterator(run.train(), prefetch, true);
        try {
            net.fit(prefetching);
        } finally {
            prefetching.shutdown();
        }
    }

    @Override
    public void close() {
    }
}
