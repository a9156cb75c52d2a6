package io.github.lrschedules.schedule;

import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import java.util.List;
import org.junit.jupiter.api.function.Executable;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;

/**
 * The one list of every schedule class of the library: a sample, a value that differs from it, and the bad
 * inputs it must reject. The contract tests run over this list, and a test checks that no public schedule class
 * is missing from it. Entries are only ever appended: {@link Compatibility10Test} finds the 1.0.0 JSON of entry
 * {@code i} by its index.
 */
final class ScheduleCatalog {

    /** A bad input: the argument, how to produce it in JSON (field and value) and from code. */
    static final class BadInput {
        final String argument;
        final String jsonField;
        final Object jsonValue;
        final Executable fromCode;

        BadInput(String argument, String jsonField, Object jsonValue, Executable fromCode) {
            this.argument = argument;
            this.jsonField = jsonField;
            this.jsonValue = jsonValue;
            this.fromCode = fromCode;
        }

        @Override
        public String toString() {
            return argument + "=" + jsonValue;
        }
    }

    static final class Entry {
        final ISchedule sample;
        final ISchedule different;
        final List<BadInput> badInputs;

        Entry(ISchedule sample, ISchedule different, List<BadInput> badInputs) {
            this.sample = sample;
            this.different = different;
            this.badInputs = badInputs;
        }

        @Override
        public String toString() {
            return sample.getClass().getSimpleName();
        }
    }

    private ScheduleCatalog() {
    }

    static BadInput bad(String argument, Object jsonValue, Executable fromCode) {
        return new BadInput(argument, argument, jsonValue, fromCode);
    }

    /** The JSON of {@code schedules} as an array, each element with its type (a {@code List}'s would lack it). */
    static ArrayNode jsonArray(ISchedule... schedules) {
        ObjectMapper mapper = NeuralNetConfiguration.mapper();
        ArrayNode array = mapper.createArrayNode();
        for (ISchedule schedule : schedules) {
            array.add((JsonNode) mapper.valueToTree(schedule));
        }
        return array;
    }

    static List<Entry> all() {
        CosineDecaySchedule cosine = new CosineDecaySchedule(ITERATION, 0.1, 25, 0.001);
        LinearSchedule warmup = new LinearSchedule(ITERATION, 0.1, 0.1, 1.0, 5);
        CosineDecaySchedule epochCosine = new CosineDecaySchedule(EPOCH, 0.1, 25, 0.001);
        return List.of(
                new Entry(new MilestoneStepSchedule(EPOCH, 0.1, 0.1, 60, 90),
                        new MilestoneStepSchedule(EPOCH, 0.1, 0.1, 60, 91),
                        List.of(bad("initialValue", "NaN", () -> new MilestoneStepSchedule(EPOCH, Double.NaN, 0.1, 60)),
                                bad("gamma", 0.0, () -> new MilestoneStepSchedule(EPOCH, 0.1, 0.0, 60)),
                                bad("gamma", "Infinity", () -> new MilestoneStepSchedule(EPOCH, 0.1, Double.POSITIVE_INFINITY, 60)),
                                new BadInput("milestones[1]", "milestones", new int[] {60, -1},
                                        () -> new MilestoneStepSchedule(EPOCH, 0.1, 0.1, 60, -1)),
                                new BadInput("scheduleType", "scheduleType", null,
                                        () -> new MilestoneStepSchedule(null, 0.1, 0.1, 60)))),
                new Entry(new LinearSchedule(ITERATION, 0.1, 1.0, 0.3, 7),
                        new LinearSchedule(ITERATION, 0.1, 1.0, 0.3, 8),
                        List.of(bad("totalSteps", 0, () -> new LinearSchedule(ITERATION, 0.1, 1.0, 0.3, 0)),
                                bad("startFactor", "Infinity", () -> new LinearSchedule(ITERATION, 0.1, Double.POSITIVE_INFINITY, 0.3, 7)),
                                bad("initialValue", "NaN", () -> new LinearSchedule(ITERATION, Double.NaN, 1.0, 0.3, 7)))),
                new Entry(new PolynomialDecaySchedule(ITERATION, 0.1, 0.001, 2.0, 50),
                        new PolynomialDecaySchedule(ITERATION, 0.1, 0.001, 3.0, 50),
                        List.of(bad("power", 0.0, () -> new PolynomialDecaySchedule(ITERATION, 0.1, 0.001, 0.0, 50)),
                                bad("totalSteps", -3, () -> new PolynomialDecaySchedule(ITERATION, 0.1, 0.001, 2.0, -3)),
                                bad("minValue", "NaN", () -> new PolynomialDecaySchedule(ITERATION, 0.1, Double.NaN, 2.0, 50)))),
                new Entry(new CosineDecaySchedule(EPOCH, 0.1, 50, 0.001),
                        new CosineDecaySchedule(ITERATION, 0.1, 50, 0.001),
                        List.of(bad("totalSteps", 0, () -> new CosineDecaySchedule(EPOCH, 0.1, 0, 0.001)),
                                bad("minValue", "NaN", () -> new CosineDecaySchedule(EPOCH, 0.1, 50, Double.NaN)),
                                bad("kDecay", 0.0, () -> CosineDecaySchedule.builder(EPOCH, 0.1, 50).kDecay(0.0).build()))),
                new Entry(CosineDecaySchedule.builder(EPOCH, 0.1, 50).minValue(0.001).kDecay(2.0).build(),
                        CosineDecaySchedule.builder(EPOCH, 0.1, 50).minValue(0.001).kDecay(3.0).build(),
                        List.of(bad("kDecay", "NaN", () -> new CosineDecaySchedule(EPOCH, 0.1, 50, 0.0, Double.NaN)))),
                new Entry(new WarmupSchedule(ITERATION, cosine, 5, 0.01),
                        new WarmupSchedule(ITERATION, cosine, 5, 0.02),
                        List.of(bad("warmupSteps", -1, () -> new WarmupSchedule(ITERATION, cosine, -1, 0.01)),
                                bad("schedule", null, () -> new WarmupSchedule(ITERATION, null, 5, 0.01)),
                                bad("warmupStartValue", "-Infinity", () -> new WarmupSchedule(ITERATION, cosine, 5, Double.NEGATIVE_INFINITY)),
                                bad("schedule", epochCosine, () -> new WarmupSchedule(ITERATION, epochCosine, 5, 0.01)))),
                new Entry(new WarmupCosineSchedule(ITERATION, 0.1, 5, 30, 0.001, 0.01),
                        new WarmupCosineSchedule(ITERATION, 0.1, 6, 30, 0.001, 0.01),
                        List.of(bad("warmupSteps", 30, () -> new WarmupCosineSchedule(ITERATION, 0.1, 30, 30, 0.001, 0.01)),
                                bad("totalSteps", 0, () -> new WarmupCosineSchedule(ITERATION, 0.1, 0, 0, 0.001, 0.01)),
                                bad("peakValue", "Infinity", () -> new WarmupCosineSchedule(ITERATION, Double.POSITIVE_INFINITY, 5, 30, 0.001, 0.01)),
                                bad("warmupSteps", -2, () -> new WarmupCosineSchedule(ITERATION, 0.1, -2, 30, 0.001, 0.01)),
                                bad("kDecay", -1.0, () -> WarmupCosineSchedule.builder(ITERATION, 0.1, 30).kDecay(-1.0).build()))),
                new Entry(WarmupCosineSchedule.builder(ITERATION, 0.1, 30).warmupSteps(5).kDecay(0.5).build(),
                        WarmupCosineSchedule.builder(ITERATION, 0.1, 30).warmupSteps(5).build(),
                        List.of(bad("kDecay", "Infinity", () -> new WarmupCosineSchedule(ITERATION, 0.1, 5, 30, 0.0, 0.0, Double.POSITIVE_INFINITY)))),
                new Entry(new CosineRestartsSchedule(EPOCH, 0.1, 10, 2.0, 0.001, 0.5),
                        new CosineRestartsSchedule(EPOCH, 0.1, 10, 2.0, 0.001),
                        List.of(bad("firstCycle", 0, () -> new CosineRestartsSchedule(EPOCH, 0.1, 0, 2.0, 0.001)),
                                bad("cycleMultiplier", 0.5, () -> new CosineRestartsSchedule(EPOCH, 0.1, 10, 0.5, 0.001)),
                                bad("cycleMultiplier", "NaN", () -> new CosineRestartsSchedule(EPOCH, 0.1, 10, Double.NaN, 0.001)),
                                bad("peakDecay", 0.0, () -> new CosineRestartsSchedule(EPOCH, 0.1, 10, 2.0, 0.001, 0.0)))),
                new Entry(CosineRestartsSchedule.builder(ITERATION, 0.1, 7).cycleMultiplier(1.5).minValue(0.001)
                                .peakDecay(0.8).kDecay(1.5).cycleLimit(3).build(),
                        CosineRestartsSchedule.builder(ITERATION, 0.1, 7).cycleMultiplier(1.5).minValue(0.001)
                                .peakDecay(0.8).kDecay(1.5).cycleLimit(4).build(),
                        List.of(bad("kDecay", "NaN", () -> CosineRestartsSchedule.builder(ITERATION, 0.1, 7).kDecay(Double.NaN).build()),
                                bad("cycleLimit", -1, () -> CosineRestartsSchedule.builder(ITERATION, 0.1, 7).cycleLimit(-1).build()))),
                new Entry(new OneCycleSchedule(ITERATION, 0.1, 100, 0.3, 25, 1e4, OneCycleSchedule.Anneal.COS, false),
                        new OneCycleSchedule(ITERATION, 0.1, 100, 0.3, 25, 1e4, OneCycleSchedule.Anneal.COS, true),
                        List.of(bad("pctStart", 1.0, () -> new OneCycleSchedule(ITERATION, 0.1, 100, 1.0, 25, 1e4, OneCycleSchedule.Anneal.COS, false)),
                                bad("pctStart", 0.0, () -> new OneCycleSchedule(ITERATION, 0.1, 100, 0.0, 25, 1e4, OneCycleSchedule.Anneal.COS, false)),
                                bad("totalSteps", 0, () -> new OneCycleSchedule(ITERATION, 0.1, 0, 0.3, 25, 1e4, OneCycleSchedule.Anneal.COS, false)),
                                bad("anneal", null, () -> new OneCycleSchedule(ITERATION, 0.1, 100, 0.3, 25, 1e4, null, false)),
                                bad("peakValue", "NaN", () -> OneCycleSchedule.of(ITERATION, 0.004, Double.NaN, 4e-7, 100, 0.3, OneCycleSchedule.Anneal.COS, false)),
                                new BadInput("divFactor", null, null,
                                        () -> new OneCycleSchedule(ITERATION, 0.1, 100, 0.3, 0, 1e4, OneCycleSchedule.Anneal.COS, false)),
                                new BadInput("finalDivFactor", null, null,
                                        () -> new OneCycleSchedule(ITERATION, 0.1, 100, 0.3, 25, -1, OneCycleSchedule.Anneal.COS, false)),
                                new BadInput("peakValue", null, null,
                                        () -> new OneCycleSchedule(ITERATION, Double.NaN, 100, 0.3, 25, 1e4, OneCycleSchedule.Anneal.COS, false)))),
                new Entry(new CyclicSchedule(ITERATION, 0.001, 0.1, 5, 3, CyclicSchedule.Mode.TRIANGULAR2, 1.0),
                        new CyclicSchedule(ITERATION, 0.001, 0.1, 5, 3, CyclicSchedule.Mode.TRIANGULAR, 1.0),
                        List.of(bad("stepUp", 0, () -> new CyclicSchedule(ITERATION, 0.001, 0.1, 0, 3, CyclicSchedule.Mode.TRIANGULAR, 1.0)),
                                bad("stepDown", -1, () -> new CyclicSchedule(ITERATION, 0.001, 0.1, 5, -1, CyclicSchedule.Mode.TRIANGULAR, 1.0)),
                                bad("mode", null, () -> new CyclicSchedule(ITERATION, 0.001, 0.1, 5, 3, null, 1.0)),
                                bad("gamma", 0.0, () -> new CyclicSchedule(ITERATION, 0.001, 0.1, 5, 3, CyclicSchedule.Mode.EXP_RANGE, 0.0)),
                                bad("minValue", "NaN", () -> CyclicSchedule.builder(ITERATION, Double.NaN, 0.1, 5).build()),
                                bad("peakValue", "Infinity", () -> CyclicSchedule.builder(ITERATION, 0.001, Double.POSITIVE_INFINITY, 5).build()))),
                new Entry(new SequentialSchedule(ITERATION, List.of(warmup, cosine), 5),
                        new SequentialSchedule(ITERATION, List.of(warmup, cosine), 6),
                        List.of(bad("boundaries", new int[0], () -> new SequentialSchedule(ITERATION, List.of(warmup, cosine))),
                                new BadInput("boundaries[0]", "boundaries", new int[] {0}, () -> new SequentialSchedule(ITERATION, List.of(warmup, cosine), 0)),
                                new BadInput("boundaries[1]", null, null,
                                        () -> new SequentialSchedule(ITERATION, List.of(warmup, cosine, warmup), 5, 5)),
                                new BadInput("schedules", "schedules", List.of(),
                                        () -> new SequentialSchedule(ITERATION, List.of())),
                                new BadInput("schedules[1]", "schedules", jsonArray(warmup, epochCosine),
                                        () -> new SequentialSchedule(ITERATION, List.of(warmup, epochCosine), 5)))),
                new Entry(new ScaledSchedule(new WarmupCosineSchedule(ITERATION, 0.1, 5, 30, 0.001, 0.01), 0.5),
                        new ScaledSchedule(new WarmupCosineSchedule(ITERATION, 0.1, 5, 30, 0.001, 0.01), 0.25),
                        List.of(bad("scale", 0.0, () -> new ScaledSchedule(cosine, 0.0)),
                                bad("scale", "NaN", () -> new ScaledSchedule(cosine, Double.NaN)),
                                bad("schedule", null, () -> new ScaledSchedule(null, 0.5)))),
                new Entry(new WarmupStableDecaySchedule(ITERATION, 0.1, 5, 40, 0.001, 0.01, 8, WarmupStableDecaySchedule.Decay.ONE_MINUS_SQRT),
                        new WarmupStableDecaySchedule(ITERATION, 0.1, 5, 40, 0.001, 0.01, 8, WarmupStableDecaySchedule.Decay.COSINE),
                        List.of(bad("decaySteps", 0, () -> new WarmupStableDecaySchedule(ITERATION, 0.1, 5, 40, 0.001, 0.01, 0, WarmupStableDecaySchedule.Decay.LINEAR)),
                                bad("decaySteps", 36, () -> new WarmupStableDecaySchedule(ITERATION, 0.1, 5, 40, 0.001, 0.01, 36, WarmupStableDecaySchedule.Decay.LINEAR)),
                                bad("warmupSteps", 33, () -> new WarmupStableDecaySchedule(ITERATION, 0.1, 33, 40, 0.001, 0.01, 8, WarmupStableDecaySchedule.Decay.LINEAR)),
                                bad("warmupSteps", -1, () -> new WarmupStableDecaySchedule(ITERATION, 0.1, -1, 40, 0.001, 0.01, 8, WarmupStableDecaySchedule.Decay.LINEAR)),
                                bad("totalSteps", 0, () -> new WarmupStableDecaySchedule(ITERATION, 0.1, 0, 0, 0.001, 0.01, 8, WarmupStableDecaySchedule.Decay.LINEAR)),
                                bad("peakValue", "NaN", () -> new WarmupStableDecaySchedule(ITERATION, Double.NaN, 5, 40, 0.001, 0.01, 8, WarmupStableDecaySchedule.Decay.LINEAR)),
                                bad("minValue", "-Infinity", () -> new WarmupStableDecaySchedule(ITERATION, 0.1, 5, 40, Double.NEGATIVE_INFINITY, 0.01, 8, WarmupStableDecaySchedule.Decay.LINEAR)),
                                bad("warmupStartValue", "Infinity", () -> new WarmupStableDecaySchedule(ITERATION, 0.1, 5, 40, 0.001, Double.POSITIVE_INFINITY, 8, WarmupStableDecaySchedule.Decay.LINEAR)),
                                bad("decay", null, () -> new WarmupStableDecaySchedule(ITERATION, 0.1, 5, 40, 0.001, 0.01, 8, null)),
                                new BadInput("scheduleType", "scheduleType", null,
                                        () -> new WarmupStableDecaySchedule(null, 0.1, 5, 40, 0.001, 0.01, 8, WarmupStableDecaySchedule.Decay.LINEAR)))),
                new Entry(new InverseSqrtSchedule(ITERATION, 0.1, 8, 12),
                        new InverseSqrtSchedule(ITERATION, 0.1, 8, 13),
                        List.of(bad("timescale", 0, () -> new InverseSqrtSchedule(ITERATION, 0.1, 8, 0)),
                                bad("warmupSteps", -1, () -> new InverseSqrtSchedule(ITERATION, 0.1, -1, 12)),
                                bad("peakValue", "NaN", () -> new InverseSqrtSchedule(ITERATION, Double.NaN, 8, 12)))),
                new Entry(new PiecewiseConstantSchedule(EPOCH, new int[] {3, 10, 25}, new double[] {0.1, 0.05, 0.01, 0.001}),
                        new PiecewiseConstantSchedule(EPOCH, new int[] {3, 10, 26}, new double[] {0.1, 0.05, 0.01, 0.001}),
                        List.of(new BadInput("boundaries[0]", "boundaries", new int[] {-1, 10, 25},
                                        () -> new PiecewiseConstantSchedule(EPOCH, new int[] {-1, 10, 25}, new double[] {0.1, 0.05, 0.01, 0.001})),
                                new BadInput("boundaries[2]", "boundaries", new int[] {3, 10, 10},
                                        () -> new PiecewiseConstantSchedule(EPOCH, new int[] {3, 10, 10}, new double[] {0.1, 0.05, 0.01, 0.001})),
                                new BadInput("values.length", "values", new double[] {0.1, 0.05, 0.01},
                                        () -> new PiecewiseConstantSchedule(EPOCH, new int[] {3, 10, 25}, new double[] {0.1, 0.05, 0.01})),
                                new BadInput("values[1]", "values", List.of(0.1, "NaN", 0.01, 0.001),
                                        () -> new PiecewiseConstantSchedule(EPOCH, new int[] {3, 10, 25}, new double[] {0.1, Double.NaN, 0.01, 0.001})),
                                bad("boundaries", null, () -> new PiecewiseConstantSchedule(EPOCH, null, new double[] {0.1})),
                                bad("values", null, () -> new PiecewiseConstantSchedule(EPOCH, new int[0], null)))),
                // Entries added after 1.0.0 follow; Compatibility10Test reads entries 0 to 16 by index.
                new Entry(new ProductSchedule(List.of(warmup, new MilestoneStepSchedule(ITERATION, 1.0, 0.5, 10, 20))),
                        new ProductSchedule(List.of(warmup, new MilestoneStepSchedule(ITERATION, 1.0, 0.5, 10, 21))),
                        List.of(new BadInput("factors", "factors", List.of(), () -> new ProductSchedule(List.of())),
                                new BadInput("factors", null, null, () -> new ProductSchedule(null)),
                                new BadInput("factors[1]", null, null,
                                        () -> new ProductSchedule(java.util.Arrays.asList(warmup, null))),
                                new BadInput("factors[1]", "factors", jsonArray(warmup, epochCosine),
                                        () -> new ProductSchedule(List.of(warmup, epochCosine))))),
                new Entry(CosineDecaySchedule.builder(ITERATION, 0.1, 50).minValue(0.001).exponent(2.0).build(),
                        CosineDecaySchedule.builder(ITERATION, 0.1, 50).minValue(0.001).exponent(3.0).build(),
                        List.of(bad("exponent", 0.0, () -> CosineDecaySchedule.builder(ITERATION, 0.1, 50).exponent(0.0).build()),
                                bad("exponent", "NaN", () -> CosineDecaySchedule.builder(ITERATION, 0.1, 50).exponent(Double.NaN).build()))),
                new Entry(new PiecewiseInterpolateSchedule(EPOCH, PiecewiseInterpolateSchedule.Interpolation.COSINE, 0.1,
                                new int[] {0, 10, 25}, new double[] {0.5, 2.0, 0.1}),
                        new PiecewiseInterpolateSchedule(EPOCH, PiecewiseInterpolateSchedule.Interpolation.LINEAR, 0.1,
                                new int[] {0, 10, 25}, new double[] {0.5, 2.0, 0.1}),
                        List.of(new BadInput("boundaries[0]", "boundaries", new int[] {-1, 10, 25},
                                        () -> new PiecewiseInterpolateSchedule(EPOCH, PiecewiseInterpolateSchedule.Interpolation.COSINE,
                                                0.1, new int[] {-1, 10, 25}, new double[] {0.5, 2.0, 0.1})),
                                new BadInput("boundaries[2]", "boundaries", new int[] {0, 10, 10},
                                        () -> new PiecewiseInterpolateSchedule(EPOCH, PiecewiseInterpolateSchedule.Interpolation.COSINE,
                                                0.1, new int[] {0, 10, 10}, new double[] {0.5, 2.0, 0.1})),
                                new BadInput("scales.length", "scales", new double[] {0.5, 2.0},
                                        () -> new PiecewiseInterpolateSchedule(EPOCH, PiecewiseInterpolateSchedule.Interpolation.COSINE,
                                                0.1, new int[] {0, 10, 25}, new double[] {0.5, 2.0})),
                                new BadInput("scales[1]", "scales", new double[] {0.5, -2.0, 0.1},
                                        () -> new PiecewiseInterpolateSchedule(EPOCH, PiecewiseInterpolateSchedule.Interpolation.COSINE,
                                                0.1, new int[] {0, 10, 25}, new double[] {0.5, -2.0, 0.1})),
                                bad("interpolation", null, () -> new PiecewiseInterpolateSchedule(EPOCH, null, 0.1,
                                        new int[] {0, 10, 25}, new double[] {0.5, 2.0, 0.1})),
                                bad("initialValue", "NaN", () -> new PiecewiseInterpolateSchedule(EPOCH,
                                        PiecewiseInterpolateSchedule.Interpolation.LINEAR, Double.NaN, new int[0], new double[0])))),
                new Entry(TanhSchedule.builder(ITERATION, 0.1, 20).minValue(0.001).warmupSteps(3).warmupStartValue(0.01)
                                .cycleMultiplier(1.5).cycleDecay(0.5).cycleLimit(3).build(),
                        TanhSchedule.builder(ITERATION, 0.1, 20).minValue(0.001).warmupSteps(3).warmupStartValue(0.01)
                                .cycleMultiplier(1.5).cycleDecay(0.5).cycleLimit(3).warmupPrefix(true).build(),
                        List.of(bad("cycleSteps", 0, () -> TanhSchedule.builder(ITERATION, 0.1, 0).build()),
                                bad("lowerBound", 3.0, () -> TanhSchedule.builder(ITERATION, 0.1, 20).lowerBound(3.0).build()),
                                bad("upperBound", "Infinity", () -> TanhSchedule.builder(ITERATION, 0.1, 20).upperBound(Double.POSITIVE_INFINITY).build()),
                                bad("cycleMultiplier", 0.5, () -> TanhSchedule.builder(ITERATION, 0.1, 20).cycleMultiplier(0.5).build()),
                                bad("cycleDecay", 0.0, () -> TanhSchedule.builder(ITERATION, 0.1, 20).cycleDecay(0.0).build()),
                                bad("cycleLimit", -1, () -> TanhSchedule.builder(ITERATION, 0.1, 20).cycleLimit(-1).build()),
                                bad("warmupSteps", -1, () -> TanhSchedule.builder(ITERATION, 0.1, 20).warmupSteps(-1).build()),
                                bad("peakValue", "NaN", () -> TanhSchedule.builder(ITERATION, Double.NaN, 20).build()),
                                bad("minValue", "NaN", () -> TanhSchedule.builder(ITERATION, 0.1, 20).minValue(Double.NaN).build()),
                                bad("scheduleType", null, () -> TanhSchedule.builder(null, 0.1, 20).build()))),
                new Entry(new WarmupSchedule(ITERATION, cosine, 5, 0.01, WarmupSchedule.Ramp.LOG),
                        new WarmupSchedule(ITERATION, cosine, 5, 0.01, WarmupSchedule.Ramp.LINEAR),
                        List.of(bad("warmupSteps", -1, () -> new WarmupSchedule(ITERATION, cosine, -1, 0.01, WarmupSchedule.Ramp.LOG)))),
                new Entry(WarmupStableDecaySchedule.builder(ITERATION, 0.1, 40).warmupSteps(5).decaySteps(8)
                                .decay(WarmupStableDecaySchedule.Decay.COSINE).warmupShape(WarmupStableDecaySchedule.Decay.ONE_MINUS_SQRT)
                                .numCycles(1.0).minLrRatio(0.1).build(),
                        WarmupStableDecaySchedule.builder(ITERATION, 0.1, 40).warmupSteps(5).decaySteps(8)
                                .decay(WarmupStableDecaySchedule.Decay.COSINE).warmupShape(WarmupStableDecaySchedule.Decay.ONE_MINUS_SQRT)
                                .minLrRatio(0.1).build(),
                        List.of(bad("numCycles", 0.0, () -> WarmupStableDecaySchedule.builder(ITERATION, 0.1, 40).numCycles(0.0).build()),
                                bad("numCycles", "Infinity", () -> WarmupStableDecaySchedule.builder(ITERATION, 0.1, 40)
                                        .numCycles(Double.POSITIVE_INFINITY).build()),
                                new BadInput("minLrRatio", null, null,
                                        () -> WarmupStableDecaySchedule.builder(ITERATION, 0.1, 40).minLrRatio(Double.NaN)))),
                // Keras' schedules (package keras reads and writes them)
                new Entry(ExponentialDecaySchedule.builder(ITERATION, 0.1, 0.96, 100).build(),
                        ExponentialDecaySchedule.builder(ITERATION, 0.1, 0.96, 100).staircase(true).build(),
                        List.of(bad("decayRate", 0.0, () -> new ExponentialDecaySchedule(ITERATION, 0.1, 0.0, 100, false)),
                                bad("decaySteps", "NaN", () -> new ExponentialDecaySchedule(ITERATION, 0.1, 0.96, Double.NaN, false)),
                                bad("initialValue", "Infinity", () -> new ExponentialDecaySchedule(ITERATION, Double.POSITIVE_INFINITY, 0.96, 100, false)),
                                bad("scheduleType", null, () -> new ExponentialDecaySchedule(null, 0.1, 0.96, 100, false)))),
                new Entry(InverseTimeDecaySchedule.builder(EPOCH, 0.1, 0.5, 2.5).staircase(true).build(),
                        InverseTimeDecaySchedule.builder(EPOCH, 0.1, 0.5, 2.5).build(),
                        List.of(bad("decayRate", -0.5, () -> new InverseTimeDecaySchedule(EPOCH, 0.1, -0.5, 10, false)),
                                bad("decaySteps", 0.0, () -> new InverseTimeDecaySchedule(EPOCH, 0.1, 0.5, 0.0, false)),
                                bad("initialValue", "NaN", () -> new InverseTimeDecaySchedule(EPOCH, Double.NaN, 0.5, 10, false)))),
                new Entry(PolynomialDecaySchedule.builder(ITERATION, 0.1, 20).minValue(0.01).power(0.5).cycle(true).build(),
                        PolynomialDecaySchedule.builder(ITERATION, 0.1, 20).minValue(0.01).power(0.5).build(),
                        List.of(bad("totalSteps", 0, () -> PolynomialDecaySchedule.builder(ITERATION, 0.1, 0).cycle(true).build()))),
                new Entry(CosineDecayRestartsSchedule.builder(ITERATION, 0.1, 8).tMul(1.5).mMul(0.7).alpha(0.05).build(),
                        CosineDecayRestartsSchedule.builder(ITERATION, 0.1, 8).tMul(1.5).mMul(0.7).alpha(0.06).build(),
                        List.of(bad("firstDecaySteps", 0, () -> CosineDecayRestartsSchedule.builder(ITERATION, 0.1, 0).build()),
                                bad("tMul", 0.5, () -> CosineDecayRestartsSchedule.builder(ITERATION, 0.1, 8).tMul(0.5).build()),
                                bad("tMul", "NaN", () -> CosineDecayRestartsSchedule.builder(ITERATION, 0.1, 8).tMul(Double.NaN).build()),
                                bad("mMul", -1.0, () -> CosineDecayRestartsSchedule.builder(ITERATION, 0.1, 8).mMul(-1.0).build()),
                                bad("alpha", "Infinity", () -> CosineDecayRestartsSchedule.builder(ITERATION, 0.1, 8).alpha(Double.POSITIVE_INFINITY).build()))),
                new Entry(new SwaSchedule(epochCosine, 7, 0.02, 4, SwaSchedule.Anneal.COS),
                        new SwaSchedule(epochCosine, 7, 0.02, 4, SwaSchedule.Anneal.LINEAR),
                        List.of(bad("schedule", null, () -> new SwaSchedule(null, 7, 0.02, 4, SwaSchedule.Anneal.COS)),
                                bad("swaStart", -1, () -> new SwaSchedule(epochCosine, -1, 0.02, 4, SwaSchedule.Anneal.COS)),
                                bad("swaValue", "NaN", () -> new SwaSchedule(epochCosine, 7, Double.NaN, 4, SwaSchedule.Anneal.COS)),
                                bad("swaValue", "Infinity", () -> new SwaSchedule(epochCosine, 7, Double.POSITIVE_INFINITY, 4, SwaSchedule.Anneal.COS)),
                                bad("annealSteps", -2, () -> new SwaSchedule(epochCosine, 7, 0.02, -2, SwaSchedule.Anneal.COS)),
                                bad("anneal", null, () -> new SwaSchedule(epochCosine, 7, 0.02, 4, null)))),
                new Entry(new SwaSchedule(new WarmupCosineSchedule(ITERATION, 0.1, 5, 30, 0.001, 0.01), 12, 0.005, 0,
                                SwaSchedule.Anneal.LINEAR),
                        new SwaSchedule(new WarmupCosineSchedule(ITERATION, 0.1, 5, 30, 0.001, 0.01), 13, 0.005, 0,
                                SwaSchedule.Anneal.LINEAR),
                        List.of(bad("annealSteps", -1, () -> new SwaSchedule(cosine, 12, 0.005, -1, SwaSchedule.Anneal.LINEAR)))));
    }
}
