package io.github.lrschedules.keras;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.schedule.CosineDecayRestartsSchedule;
import io.github.lrschedules.schedule.CosineDecaySchedule;
import io.github.lrschedules.schedule.CosineRestartsSchedule;
import io.github.lrschedules.schedule.ExponentialDecaySchedule;
import io.github.lrschedules.schedule.InverseTimeDecaySchedule;
import io.github.lrschedules.schedule.PiecewiseConstantSchedule;
import io.github.lrschedules.schedule.PolynomialDecaySchedule;
import io.github.lrschedules.schedule.WarmupCosineSchedule;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Keras' built-in {@code LearningRateSchedule}s as DL4J schedules and back.
 *
 * <p>{@link #fromConfig(String)} reads a serialized schedule, in the Keras 2 form
 * {@code {"class_name": "CosineDecay", "config": {...}}} (what tf.keras writes into a model's
 * {@code training_config}) or the Keras 3 form with {@code module} and {@code registered_name}
 * ({@code keras.optimizers.schedules.serialize}), and returns an {@link ScheduleType#ITERATION} schedule whose
 * value at step {@code k} is Keras' {@code schedule(k)}: Keras' optimizer step is DL4J's iteration count. The
 * mapping:
 * <table>
 * <caption>Keras schedule to DL4J schedule</caption>
 * <tr><th>Keras</th><th>DL4J</th></tr>
 * <tr><td>{@code ExponentialDecay}</td><td>{@link ExponentialDecaySchedule}</td></tr>
 * <tr><td>{@code InverseTimeDecay}</td><td>{@link InverseTimeDecaySchedule}</td></tr>
 * <tr><td>{@code PolynomialDecay}</td><td>{@link PolynomialDecaySchedule} (with {@code cycle})</td></tr>
 * <tr><td>{@code PiecewiseConstantDecay}</td><td>{@link PiecewiseConstantSchedule} with every boundary plus one
 *     (Keras keeps the old value while {@code step <= boundary})</td></tr>
 * <tr><td>{@code CosineDecay}</td><td>{@link CosineDecaySchedule} with {@code minValue = alpha * initial}; with
 *     {@code warmup_target}: {@link WarmupCosineSchedule} over {@code warmup_steps + decay_steps}</td></tr>
 * <tr><td>{@code CosineDecayRestarts}</td><td>{@link CosineDecayRestartsSchedule}</td></tr>
 * </table>
 * Arguments that Keras gives a default take it when absent (tf.keras 2.12 and older write {@code CosineDecay} without
 * the warmup keys, and {@code "name": null}); a missing required argument, an unknown argument or an unknown class
 * is an {@link IllegalArgumentException} that names it. Keras computes in float32; the values here are the
 * float64 formula, within float32 rounding of Keras' (checked against Keras 3.15 for every class and option).
 *
 * <p>{@link #toConfig(ISchedule)} writes the Keras 3 form of the schedules that have an exact Keras twin.
 */
public final class KerasSchedules {

    /** The Keras classes {@link #fromConfig(String)} reads. */
    public static final List<String> SUPPORTED_CLASSES = List.of("ExponentialDecay", "PiecewiseConstantDecay",
            "PolynomialDecay", "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String MODULE = "keras.optimizers.schedules";

    private KerasSchedules() {
    }

    /**
     * The DL4J schedule of a serialized Keras {@code LearningRateSchedule}.
     *
     * @param json {@code {"class_name": ..., "config": {...}}}, optionally with {@code module} and
     *             {@code registered_name} (Keras 3)
     * @return an {@link ScheduleType#ITERATION} schedule equal to Keras' for every step {@code k >= 0}
     * @throws IllegalArgumentException for malformed JSON, an unknown class, a missing required or an unknown
     *                                  argument, or a value the DL4J schedule rejects
     */
    public static ISchedule fromConfig(String json) {
        Args.notNull("json", json);
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("json is not valid JSON: " + e.getMessage(), e);
        }
        return fromConfig(node);
    }

    /** {@link #fromConfig(String)} for an already parsed tree. */
    public static ISchedule fromConfig(JsonNode serialized) {
        Args.notNull("serialized", serialized);
        if (!serialized.isObject() || !serialized.hasNonNull("class_name")) {
            throw new IllegalArgumentException("A serialized Keras schedule is an object with \"class_name\" and "
                    + "\"config\"; got: " + serialized);
        }
        String className = serialized.get("class_name").asText();
        JsonNode config = serialized.get("config");
        if (config == null || !config.isObject()) {
            throw new IllegalArgumentException("Keras schedule " + className + " has no \"config\" object: " + serialized);
        }
        Config c = new Config(className, config);
        ScheduleType it = ScheduleType.ITERATION;
        switch (className) {
            case "ExponentialDecay":
                c.allow("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name");
                return new ExponentialDecaySchedule(it, c.required("initial_learning_rate"), c.required("decay_rate"),
                        c.required("decay_steps"), c.flag("staircase", false));
            case "InverseTimeDecay":
                c.allow("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name");
                return new InverseTimeDecaySchedule(it, c.required("initial_learning_rate"), c.required("decay_rate"),
                        c.required("decay_steps"), c.flag("staircase", false));
            case "PolynomialDecay":
                c.allow("initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle", "name");
                return new PolynomialDecaySchedule(it, c.required("initial_learning_rate"),
                        c.optional("end_learning_rate", 0.0001), c.optional("power", 1.0),
                        c.requiredSteps("decay_steps"), c.flag("cycle", false));
            case "PiecewiseConstantDecay":
                return piecewise(c);
            case "CosineDecay":
                return cosine(c);
            case "CosineDecayRestarts":
                c.allow("initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha", "name");
                return new CosineDecayRestartsSchedule(it, c.required("initial_learning_rate"),
                        c.requiredSteps("first_decay_steps"), c.optional("t_mul", 2.0), c.optional("m_mul", 1.0),
                        c.optional("alpha", 0.0));
            default:
                throw new IllegalArgumentException("Unknown Keras schedule class \"" + className
                        + "\"; supported: " + String.join(", ", SUPPORTED_CLASSES));
        }
    }

    private static ISchedule piecewise(Config c) {
        c.allow("boundaries", "values", "name");
        JsonNode boundaries = c.array("boundaries");
        JsonNode values = c.array("values");
        if (values.size() != boundaries.size() + 1) {
            throw new IllegalArgumentException("PiecewiseConstantDecay: values.length (" + values.size()
                    + ") must be boundaries.length + 1 (" + (boundaries.size() + 1) + ")");
        }
        int[] starts = new int[boundaries.size()];
        for (int i = 0; i < starts.length; i++) {
            double b = c.number("boundaries[" + i + "]", boundaries.get(i));
            // Keras keeps values[i] while step <= boundary (a float boundary is cast to the integer step's type):
            // values[i + 1] starts at floor(b) + 1, where this library's convention wants the start step.
            double start = Math.floor(b) + 1;
            if (!(start >= 0) || start > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("PiecewiseConstantDecay: boundaries[" + i + "] (" + b
                        + ") must be >= -1 and <= " + (Integer.MAX_VALUE - 1));
            }
            starts[i] = (int) start;
        }
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = c.number("values[" + i + "]", values.get(i));
        }
        return new PiecewiseConstantSchedule(ScheduleType.ITERATION, starts, v);
    }

    private static ISchedule cosine(Config c) {
        c.allow("initial_learning_rate", "decay_steps", "alpha", "warmup_target", "warmup_steps", "name");
        double initial = c.required("initial_learning_rate");
        int decaySteps = c.requiredSteps("decay_steps");
        double alpha = c.optional("alpha", 0.0);
        JsonNode target = c.config.get("warmup_target");
        if (target == null || target.isNull()) {
            return new CosineDecaySchedule(ScheduleType.ITERATION, initial, decaySteps, alpha * initial);
        }
        double peak = c.number("warmup_target", target);
        int warmupSteps = c.optionalSteps("warmup_steps", 0);
        if ((long) warmupSteps + decaySteps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("CosineDecay: warmup_steps + decay_steps (" + ((long) warmupSteps + decaySteps)
                    + ") must be <= " + Integer.MAX_VALUE);
        }
        return new WarmupCosineSchedule(ScheduleType.ITERATION, peak, warmupSteps, warmupSteps + decaySteps,
                alpha * peak, initial);
    }

    /**
     * The Keras 3 serialized form ({@code module}, {@code class_name}, {@code config}, {@code registered_name}) of
     * a schedule with an exact Keras twin: {@link ExponentialDecaySchedule}, {@link InverseTimeDecaySchedule},
     * {@link PolynomialDecaySchedule}, {@link PiecewiseConstantSchedule}, {@link CosineDecaySchedule} and
     * {@link WarmupCosineSchedule} with {@code kDecay = 1}, {@link CosineDecayRestartsSchedule}, and
     * {@link CosineRestartsSchedule} with {@code minValue = 0}, {@code kDecay = 1} and no cycle limit. Keras 2 reads the
     * same object ({@code from_config} ignores {@code module} and {@code registered_name}).
     *
     * @throws IllegalArgumentException for an {@link ScheduleType#EPOCH} schedule (Keras counts optimizer steps) or one
     *                                  without a Keras twin, naming why
     */
    public static String toConfig(ISchedule schedule) {
        Args.notNull("schedule", schedule);
        ObjectNode config = MAPPER.createObjectNode();
        String className;
        ScheduleType type;
        if (schedule instanceof ExponentialDecaySchedule) {
            ExponentialDecaySchedule s = (ExponentialDecaySchedule) schedule;
            type = s.getScheduleType();
            className = "ExponentialDecay";
            config.put("initial_learning_rate", s.getInitialValue());
            config.set("decay_steps", steps(s.getDecaySteps()));
            config.put("decay_rate", s.getDecayRate()).put("staircase", s.isStaircase());
        } else if (schedule instanceof InverseTimeDecaySchedule) {
            InverseTimeDecaySchedule s = (InverseTimeDecaySchedule) schedule;
            type = s.getScheduleType();
            className = "InverseTimeDecay";
            config.put("initial_learning_rate", s.getInitialValue());
            config.set("decay_steps", steps(s.getDecaySteps()));
            config.put("decay_rate", s.getDecayRate()).put("staircase", s.isStaircase());
        } else if (schedule instanceof PolynomialDecaySchedule) {
            PolynomialDecaySchedule s = (PolynomialDecaySchedule) schedule;
            type = s.getScheduleType();
            className = "PolynomialDecay";
            config.put("initial_learning_rate", s.getInitialValue()).put("decay_steps", s.getTotalSteps())
                    .put("end_learning_rate", s.getMinValue()).put("power", s.getPower()).put("cycle", s.isCycle());
        } else if (schedule instanceof PiecewiseConstantSchedule) {
            PiecewiseConstantSchedule s = (PiecewiseConstantSchedule) schedule;
            type = s.getScheduleType();
            className = "PiecewiseConstantDecay";
            ArrayNode boundaries = config.putArray("boundaries");
            for (int b : s.getBoundaries()) {
                boundaries.add(b - 1);
            }
            ArrayNode values = config.putArray("values");
            for (double v : s.getValues()) {
                values.add(v);
            }
        } else if (schedule instanceof CosineDecaySchedule) {
            CosineDecaySchedule s = (CosineDecaySchedule) schedule;
            type = s.getScheduleType();
            className = "CosineDecay";
            requireTwin(s.getKDecay() == 1.0, schedule, "kDecay must be 1");
            config.put("initial_learning_rate", s.getInitialValue()).put("decay_steps", s.getTotalSteps())
                    .put("alpha", fraction(s.getMinValue(), s.getInitialValue(), schedule))
                    .putNull("warmup_target").put("warmup_steps", 0);
        } else if (schedule instanceof WarmupCosineSchedule) {
            WarmupCosineSchedule s = (WarmupCosineSchedule) schedule;
            type = s.getScheduleType();
            className = "CosineDecay";
            requireTwin(s.getKDecay() == 1.0, schedule, "kDecay must be 1");
            config.put("initial_learning_rate", s.getWarmupStartValue())
                    .put("decay_steps", s.getTotalSteps() - s.getWarmupSteps())
                    .put("alpha", fraction(s.getMinValue(), s.getPeakValue(), schedule))
                    .put("warmup_target", s.getPeakValue()).put("warmup_steps", s.getWarmupSteps());
        } else if (schedule instanceof CosineDecayRestartsSchedule) {
            CosineDecayRestartsSchedule s = (CosineDecayRestartsSchedule) schedule;
            type = s.getScheduleType();
            className = "CosineDecayRestarts";
            config.put("initial_learning_rate", s.getInitialValue()).put("first_decay_steps", s.getFirstDecaySteps())
                    .put("t_mul", s.getTMul()).put("m_mul", s.getMMul()).put("alpha", s.getAlpha());
        } else if (schedule instanceof CosineRestartsSchedule) {
            CosineRestartsSchedule s = (CosineRestartsSchedule) schedule;
            type = s.getScheduleType();
            className = "CosineDecayRestarts";
            requireTwin(s.getMinValue() == 0.0 && s.getKDecay() == 1.0 && s.getCycleLimit() == 0, schedule,
                    "minValue must be 0, kDecay 1 and cycleLimit 0 (Keras' floor is alpha * initial and its peak decay "
                            + "scales only the amplitude)");
            config.put("initial_learning_rate", s.getPeakValue()).put("first_decay_steps", s.getFirstCycle())
                    .put("t_mul", s.getCycleMultiplier()).put("m_mul", s.getPeakDecay()).put("alpha", 0.0);
        } else {
            throw new IllegalArgumentException(schedule.getClass().getSimpleName() + " has no Keras twin; toConfig "
                    + "writes ExponentialDecaySchedule, InverseTimeDecaySchedule, PolynomialDecaySchedule, "
                    + "PiecewiseConstantSchedule, CosineDecaySchedule, WarmupCosineSchedule, "
                    + "CosineDecayRestartsSchedule and CosineRestartsSchedule");
        }
        if (type != ScheduleType.ITERATION) {
            throw new IllegalArgumentException(schedule + " counts " + type + "s; Keras schedules count optimizer "
                    + "steps, so only ScheduleType.ITERATION schedules have a Keras twin");
        }
        config.put("name", defaultName(className));
        ObjectNode out = MAPPER.createObjectNode();
        out.put("module", MODULE).put("class_name", className).set("config", config);
        out.putNull("registered_name");
        return out.toString();
    }

    /** Keras' default {@code name} of each class. */
    private static String defaultName(String className) {
        switch (className) {
            case "PiecewiseConstantDecay":
                return "PiecewiseConstant";
            case "CosineDecayRestarts":
                return "SGDRDecay";
            default:
                return className;
        }
    }

    /** Whole step counts as integers (as Keras users write them), others as they are. */
    private static JsonNode steps(double steps) {
        return steps == Math.rint(steps) && steps <= Integer.MAX_VALUE
                ? MAPPER.getNodeFactory().numberNode((int) steps)
                : MAPPER.getNodeFactory().numberNode(steps);
    }

    private static double fraction(double minValue, double of, ISchedule schedule) {
        if (minValue == 0.0) {
            return 0.0;
        }
        requireTwin(of != 0.0, schedule, "a non-zero minValue needs a non-zero peak (Keras' alpha is a fraction of it)");
        return minValue / of;
    }

    private static void requireTwin(boolean condition, ISchedule schedule, String why) {
        if (!condition) {
            throw new IllegalArgumentException(schedule + " has no Keras twin: " + why);
        }
    }

    /** One Keras schedule's {@code config} object, read with messages that name the class and the argument. */
    private static final class Config {
        final String className;
        final JsonNode config;

        Config(String className, JsonNode config) {
            this.className = className;
            this.config = config;
        }

        void allow(String... names) {
            Set<String> known = Set.of(names);
            for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!known.contains(name)) {
                    throw new IllegalArgumentException(className + ": unknown argument \"" + name + "\"; Keras' "
                            + className + " takes " + String.join(", ", names));
                }
            }
        }

        double required(String name) {
            JsonNode node = config.get(name);
            if (node == null || node.isNull()) {
                throw new IllegalArgumentException(className + ": required argument \"" + name + "\" is missing");
            }
            return number(name, node);
        }

        double optional(String name, double kerasDefault) {
            JsonNode node = config.get(name);
            return node == null || node.isNull() ? kerasDefault : number(name, node);
        }

        int requiredSteps(String name) {
            return steps(name, required(name));
        }

        int optionalSteps(String name, int kerasDefault) {
            JsonNode node = config.get(name);
            return node == null || node.isNull() ? kerasDefault : steps(name, number(name, node));
        }

        private int steps(String name, double value) {
            if (value != Math.rint(value) || value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
                throw new IllegalArgumentException(className + ": " + name + " (" + value
                        + ") must be a whole number of steps");
            }
            return (int) value;
        }

        boolean flag(String name, boolean kerasDefault) {
            JsonNode node = config.get(name);
            if (node == null || node.isNull()) {
                return kerasDefault;
            }
            if (!node.isBoolean()) {
                throw new IllegalArgumentException(className + ": " + name + " (" + node + ") must be true or false");
            }
            return node.booleanValue();
        }

        JsonNode array(String name) {
            JsonNode node = config.get(name);
            if (node == null || node.isNull()) {
                throw new IllegalArgumentException(className + ": required argument \"" + name + "\" is missing");
            }
            if (!node.isArray()) {
                throw new IllegalArgumentException(className + ": " + name + " (" + node + ") must be a list");
            }
            return node;
        }

        double number(String name, JsonNode node) {
            if (!node.isNumber()) {
                throw new IllegalArgumentException(className + ": " + name + " (" + node + ") must be a number");
            }
            return node.doubleValue();
        }
    }
}
