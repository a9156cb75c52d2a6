package io.github.lrschedules.benchmarks;

import io.github.lrschedules.schedule.CosineDecaySchedule;
import io.github.lrschedules.schedule.CosineRestartsSchedule;
import io.github.lrschedules.schedule.CyclicSchedule;
import io.github.lrschedules.schedule.InverseSqrtSchedule;
import io.github.lrschedules.schedule.LinearSchedule;
import io.github.lrschedules.schedule.MilestoneStepSchedule;
import io.github.lrschedules.schedule.OneCycleSchedule;
import io.github.lrschedules.schedule.PiecewiseConstantSchedule;
import io.github.lrschedules.schedule.PiecewiseInterpolateSchedule;
import io.github.lrschedules.schedule.PolynomialDecaySchedule;
import io.github.lrschedules.schedule.ProductSchedule;
import io.github.lrschedules.schedule.ScaledSchedule;
import io.github.lrschedules.schedule.SequentialSchedule;
import io.github.lrschedules.schedule.TanhSchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import io.github.lrschedules.schedule.WarmupSchedule;
import io.github.lrschedules.schedule.WarmupStableDecaySchedule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time and allocation of one {@code valueAt(iteration, epoch)} call, for every schedule of this library and for
 * DL4J's own {@code StepSchedule}, {@code ExponentialSchedule} and {@code MapSchedule}, in one run. Each call
 * moves to another step so that no schedule is measured on a single cached branch.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ScheduleValueAtBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ScheduleValueAtBenchmark {

    private static final ScheduleType T = ScheduleType.ITERATION;
    private static final int HORIZON = 10_000;

    @Param({"dl4j.StepSchedule", "dl4j.ExponentialSchedule", "dl4j.MapSchedule",
            "MilestoneStepSchedule", "LinearSchedule", "PolynomialDecaySchedule", "CosineDecaySchedule",
            "WarmupSchedule", "WarmupCosineSchedule", "CosineRestartsSchedule", "OneCycleSchedule",
            "CyclicSchedule", "SequentialSchedule", "ScaledSchedule",
            "WarmupStableDecaySchedule", "InverseSqrtSchedule", "PiecewiseConstantSchedule",
            "ProductSchedule", "CosineDecaySchedule.exponent", "PiecewiseInterpolateSchedule", "TanhSchedule",
            "WarmupSchedule.LOG", "WarmupStableDecaySchedule.hf"})
    public String schedule;

    private ISchedule instance;
    private int step;

    static ISchedule create(String name) {
        switch (name) {
            case "dl4j.StepSchedule":
                return new StepSchedule(T, 0.1, 0.1, 2_500);
            case "dl4j.ExponentialSchedule":
                return new ExponentialSchedule(T, 0.1, 0.9995);
            case "dl4j.MapSchedule": {
                Map<Integer, Double> values = new HashMap<>();
                values.put(0, 0.1);
                values.put(5_000, 0.01);
                values.put(7_500, 0.001);
                return new MapSchedule(T, values);
            }
            case "MilestoneStepSchedule":
                return MilestoneStepSchedule.atFractions(T, 0.1, 0.1, HORIZON, 0.5, 0.75);
            case "LinearSchedule":
                return new LinearSchedule(T, 0.1, 1.0, 0.01, HORIZON);
            case "PolynomialDecaySchedule":
                return new PolynomialDecaySchedule(T, 0.1, 0.0, 2.0, HORIZON);
            case "CosineDecaySchedule":
                return new CosineDecaySchedule(T, 0.1, HORIZON, 0.0);
            case "WarmupSchedule":
                return new WarmupSchedule(T, new CosineDecaySchedule(T, 0.1, HORIZON - 500, 0.0), 500, 0.0);
            case "WarmupCosineSchedule":
                return new WarmupCosineSchedule(T, 0.1, 500, HORIZON, 0.0, 0.0);
            case "CosineRestartsSchedule":
                return new CosineRestartsSchedule(T, 0.1, 500, 2.0, 0.0, 0.8);
            case "OneCycleSchedule":
                return new OneCycleSchedule(T, 0.1, HORIZON, 0.3, 25, 1e4, OneCycleSchedule.Anneal.COS, false);
            case "CyclicSchedule":
                return new CyclicSchedule(T, 0.001, 0.1, 1_000, 1_000, CyclicSchedule.Mode.TRIANGULAR2, 1.0);
            case "SequentialSchedule":
                return new SequentialSchedule(T, List.of(new LinearSchedule(T, 0.1, 0.01, 1.0, 500),
                        new CosineDecaySchedule(T, 0.1, 4_500, 0.01), new LinearSchedule(T, 0.01, 1.0, 0.0, 5_000)),
                        500, 5_000);
            case "ScaledSchedule":
                return new ScaledSchedule(new WarmupCosineSchedule(T, 0.1, 500, HORIZON, 0.0, 0.0), 0.5);
            case "WarmupStableDecaySchedule":
                return WarmupStableDecaySchedule.builder(T, 0.1, HORIZON).warmupSteps(500).build();
            case "InverseSqrtSchedule":
                return new InverseSqrtSchedule(T, 0.1, 500, 500);
            case "ProductSchedule":
                return new ProductSchedule(List.of(new LinearSchedule(T, 0.1, 0.5, 1.0, 500),
                        new MilestoneStepSchedule(T, 1.0, 0.5, 2_500, 5_000, 7_500)));
            case "CosineDecaySchedule.exponent":
                return CosineDecaySchedule.builder(T, 0.1, HORIZON).minValue(0.001).exponent(2.0).build();
            case "PiecewiseInterpolateSchedule":
                return new PiecewiseInterpolateSchedule(T, PiecewiseInterpolateSchedule.Interpolation.COSINE, 0.1,
                        new int[] {500, 2_500, 5_000, 7_500}, new double[] {1.0, 0.1, 0.1, 0.1});
            case "TanhSchedule":
                return TanhSchedule.builder(T, 0.1, 1_000).warmupSteps(500).cycleMultiplier(2.0).cycleDecay(0.8)
                        .cycleLimit(0).build();
            case "WarmupSchedule.LOG":
                return new WarmupSchedule(T, new CosineDecaySchedule(T, 0.1, HORIZON - 500, 0.0), 500, 0.0,
                        WarmupSchedule.Ramp.LOG);
            case "WarmupStableDecaySchedule.hf":
                return WarmupStableDecaySchedule.builder(T, 0.1, HORIZON).warmupSteps(500).decaySteps(2_000)
                        .warmupShape(WarmupStableDecaySchedule.Decay.COSINE).decay(WarmupStableDecaySchedule.Decay.COSINE)
                        .minLrRatio(0.1).build();
            case "PiecewiseConstantSchedule":
                return new PiecewiseConstantSchedule(T, new int[] {2_500, 5_000, 7_500},
                        new double[] {0.1, 0.01, 0.001, 1e-4});
            default:
                throw new IllegalArgumentException("schedule (" + name + ") is not benchmarked");
        }
    }

    @Setup
    public void setUp() {
        instance = create(schedule);
    }

    @Benchmark
    public double valueAt() {
        // 7919 is prime: the steps sweep the whole horizon in a scattered order.
        step += 7919;
        if (step >= HORIZON) {
            step -= HORIZON;
        }
        return instance.valueAt(step, step / 100);
    }
}
