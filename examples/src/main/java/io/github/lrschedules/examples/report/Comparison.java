package io.github.lrschedules.examples.report;

import io.github.lrschedules.examples.train.EpochStats;
import io.github.lrschedules.examples.train.RunResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The runs of one comparison and what they share. */
public final class Comparison {

    private final List<RunResult> runs;
    private final List<String> settings;
    private final double target;

    /**
     * @param runs     in the order they ran
     * @param settings lines describing what every run shared (data, model, epochs, ...), for the reports
     */
    public Comparison(List<RunResult> runs, List<String> settings, double target) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to compare");
        }
        this.runs = List.copyOf(runs);
        this.settings = List.copyOf(settings);
        this.target = target;
    }

    public List<RunResult> runs() {
        return runs;
    }

    /** Best final test accuracy first; ties keep the run order. */
    public List<RunResult> ranked() {
        List<RunResult> ranked = new ArrayList<>(runs);
        ranked.sort(Comparator.comparingDouble(RunResult::testAccuracy).reversed());
        return ranked;
    }

    public RunResult winner() {
        return ranked().get(0);
    }

    public List<String> settings() {
        return settings;
    }

    /** True if the runs kept a weight average ({@code compare --average}): the reports then show its accuracy. */
    public boolean averaged() {
        for (RunResult run : runs) {
            for (EpochStats e : run.epochStats()) {
                if (e.averaged()) {
                    return true;
                }
            }
        }
        return false;
    }

    public double target() {
        return target;
    }
}
