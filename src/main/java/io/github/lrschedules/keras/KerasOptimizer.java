package io.github.lrschedules.keras;

import io.github.lrschedules.schedule.InverseTimeDecaySchedule;
import io.github.lrschedules.updater.SgdMomentum;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * A Keras optimizer configuration ({@code training_config.optimizer_config}) as a DL4J updater: the mapping table of
 * {@link KerasTrainingImport}, plus what the import needs to carry the optimizer's state over (the names of its slot
 * variables in DL4J's state order) and its decoupled weight decay.
 */
final class KerasOptimizer {

    /** The Keras optimizers this import maps. */
    static final List<String> SUPPORTED = List.of("Adam", "AdamW", "SGD", "RMSprop", "Adagrad");

    /** Keys that change nothing in the update (names, compilation, the legacy flag, EMA settings while EMA is off). */
    private static final Set<String> INERT = Set.of("name", "jit_compile", "is_legacy_optimizer", "ema_momentum",
            "ema_overwrite_frequency", "mesh");

    /** Keys that {@code rejectUnsupported} checks: allowed only while they are off. */
    private static final Set<String> OFF_ONLY = Set.of("clipnorm", "clipvalue", "global_clipnorm", "use_ema",
            "loss_scale_factor", "gradient_accumulation_steps");

    final String className;
    final IUpdater updater;
    /** Decoupled weight decay per step, times the learning rate (Keras' {@code weight_decay}); 0 for none. */
    final double weightDecay;
    /** Per DL4J state array (in the order of DL4J's state view), the Keras slot variable names it may carry. */
    final List<Set<String>> slots;
    /** The value DL4J's state starts from when the file carries none (Adagrad's initial accumulator), or NaN. */
    final double initialState;

    private KerasOptimizer(String className, IUpdater updater, double weightDecay, List<Set<String>> slots,
                           double initialState) {
        this.className = className;
        this.updater = updater;
        this.weightDecay = weightDecay;
        this.slots = slots;
        this.initialState = initialState;
    }

    static KerasOptimizer of(JsonNode optimizerConfig)
            throws UnsupportedKerasConfigurationException, InvalidKerasConfigurationException {
        if (optimizerConfig == null || !optimizerConfig.hasNonNull("class_name") || !optimizerConfig.has("config")) {
            throw new InvalidKerasConfigurationException("training_config has no optimizer_config with class_name and "
                    + "config: " + optimizerConfig);
        }
        String rawName = optimizerConfig.get("class_name").asText();
        // TF 2.11 to 2.15 write the new optimizers as "Custom>Adam"; Keras 3 under "keras.optimizers".
        String name = rawName.startsWith("Custom>") ? rawName.substring("Custom>".length()) : rawName;
        Reader c = new Reader(name, optimizerConfig.get("config"));
        ISchedule schedule = c.learningRate();
        double constantRate = c.constantRate;
        double weightDecay = c.weightDecay(name.equals("AdamW"));
        c.rejectUnsupported();
        IUpdater updater;
        List<Set<String>> slots;
        double initial = Double.NaN;
        switch (name) {
            case "Adam":
            case "AdamW":
                c.allow("learning_rate", "lr", "beta_1", "beta_2", "epsilon", "amsgrad", "decay", "weight_decay");
                if (c.flag("amsgrad")) {
                    throw new UnsupportedKerasConfigurationException(name + "(amsgrad=True) is not carried over: "
                            + "Keras' AMSGrad keeps the running maximum of v, which no DL4J updater does the same way; "
                            + "compile the Keras model with amsgrad=False");
                }
                updater = new Adam(0.001, c.number("beta_1", 0.9), c.number("beta_2", 0.999), c.number("epsilon", 1e-7));
                slots = List.of(Set.of("m"), Set.of("v"));
                break;
            case "SGD":
                c.allow("learning_rate", "lr", "momentum", "nesterov", "decay", "weight_decay");
                double momentum = c.number("momentum", 0.0);
                if (momentum == 0) {
                    updater = new Sgd(0.01);
                    slots = List.of();
                } else if (c.flag("nesterov")) {
                    // DL4J's Nesterovs: v = mu v - lr g, w += (1 + mu) v - mu v_old = Keras' w += mu v - lr g.
                    updater = new Nesterovs(0.01, momentum);
                    slots = List.of(Set.of("momentum", "m"));
                } else {
                    updater = new SgdMomentum(0.01, momentum);
                    slots = List.of(Set.of("momentum", "m"));
                }
                break;
            case "RMSprop":
                c.allow("learning_rate", "lr", "rho", "momentum", "epsilon", "centered", "decay", "weight_decay");
                if (c.number("momentum", 0.0) != 0 || c.flag("centered")) {
                    throw new UnsupportedKerasConfigurationException("RMSprop with momentum or centered=True is not "
                            + "carried over: DL4J's RmsProp has neither; compile the Keras model with momentum=0.0, "
                            + "centered=False");
                }
                updater = new RmsProp(0.001, c.number("rho", 0.9), c.number("epsilon", 1e-7));
                slots = List.of(Set.of("rms", "velocity"));
                break;
            case "Adagrad":
                c.allow("learning_rate", "lr", "initial_accumulator_value", "epsilon", "decay", "weight_decay");
                updater = new AdaGrad(0.001, c.number("epsilon", 1e-7));
                initial = c.number("initial_accumulator_value", 0.1);
                slots = List.of(Set.of("accumulator"));
                break;
            default:
                throw new UnsupportedKerasConfigurationException("Keras optimizer \"" + rawName + "\" is not carried "
                        + "over; supported: " + String.join(", ", SUPPORTED));
        }
        if (schedule == null) {
            updater.setLrAndSchedule(constantRate, null);
        } else {
            updater.setLrAndSchedule(schedule.valueAt(0, 0), schedule);
        }
        return new KerasOptimizer(name, updater, weightDecay, slots, initial);
    }

    /** One optimizer's {@code config}, read with messages that name the optimizer and the key. */
    private static final class Reader {
        final String optimizer;
        final JsonNode config;
        /** The rate when {@link #learningRate()} returns null. */
        double constantRate = Double.NaN;

        Reader(String optimizer, JsonNode config) throws InvalidKerasConfigurationException {
            if (config == null || !config.isObject()) {
                throw new InvalidKerasConfigurationException(optimizer + ": optimizer config is not an object: " + config);
            }
            this.optimizer = optimizer;
            this.config = config;
        }

        /**
         * The rate's schedule: a Keras schedule, or a float with the legacy {@code decay} ({@code lr / (1 + decay * t)});
         * null for a constant float, then in {@link #constantRate}.
         */
        ISchedule learningRate() throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
            JsonNode lr = config.hasNonNull("learning_rate") ? config.get("learning_rate") : config.get("lr");
            if (lr == null || lr.isNull()) {
                throw new InvalidKerasConfigurationException(optimizer + ": optimizer config has no learning_rate");
            }
            double decay = number("decay", 0.0);
            if (lr.isNumber()) {
                double rate = lr.doubleValue();
                if (!(rate > 0) || Double.isInfinite(rate)) {
                    throw new InvalidKerasConfigurationException(optimizer + ": learning_rate (" + rate
                            + ") must be > 0 and finite");
                }
                if (decay == 0) {
                    constantRate = rate;
                    return null;
                }
                return new InverseTimeDecaySchedule(ScheduleType.ITERATION, rate, decay, 1, false);
            }
            if (decay != 0) {
                throw new UnsupportedKerasConfigurationException(optimizer + ": a learning-rate schedule together with "
                        + "the legacy decay (" + decay + ") is not carried over");
            }
            try {
                return KerasSchedules.fromConfig(lr);
            } catch (IllegalArgumentException e) {
                throw new UnsupportedKerasConfigurationException(optimizer + ": learning_rate schedule: " + e.getMessage());
            }
        }

        double weightDecay(boolean required)
                throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
            JsonNode wd = config.get("weight_decay");
            if (wd == null || wd.isNull()) {
                if (required) {
                    throw new InvalidKerasConfigurationException(optimizer + ": optimizer config has no weight_decay");
                }
                return 0;
            }
            double value = number("weight_decay", 0.0);
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new InvalidKerasConfigurationException(optimizer + ": weight_decay (" + value
                        + ") must be >= 0 and finite");
            }
            return value;
        }

        /** Options that change the update and have no DL4J twin here: a clear refusal instead of a silent drop. */
        void rejectUnsupported() throws UnsupportedKerasConfigurationException {
            for (String clip : List.of("clipnorm", "clipvalue", "global_clipnorm")) {
                if (config.hasNonNull(clip)) {
                    throw new UnsupportedKerasConfigurationException(optimizer + ": " + clip + " ("
                            + config.get(clip) + ") is not carried over; set DL4J's gradientNormalization on the "
                            + "imported layers instead, or compile the Keras model without it");
                }
            }
            if (flag("use_ema")) {
                throw new UnsupportedKerasConfigurationException(optimizer + ": use_ema=True is not carried over "
                        + "(DL4J keeps no moving average of the weights)");
            }
            for (String key : List.of("loss_scale_factor", "gradient_accumulation_steps")) {
                if (config.hasNonNull(key)) {
                    throw new UnsupportedKerasConfigurationException(optimizer + ": " + key + " ("
                            + config.get(key) + ") is not carried over");
                }
            }
        }

        void allow(String... keys) throws UnsupportedKerasConfigurationException {
            Set<String> known = Set.of(keys);
            for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!known.contains(key) && !INERT.contains(key) && !OFF_ONLY.contains(key)) {
                    throw new UnsupportedKerasConfigurationException(optimizer + ": unknown optimizer option \""
                            + key + "\" (" + config.get(key) + "); known: " + String.join(", ", keys));
                }
            }
        }

        double number(String key, double kerasDefault) throws UnsupportedKerasConfigurationException {
            JsonNode node = config.get(key);
            if (node == null || node.isNull()) {
                return kerasDefault;
            }
            if (!node.isNumber()) {
                throw new UnsupportedKerasConfigurationException(optimizer + ": " + key + " (" + node
                        + ") must be a number");
            }
            return node.doubleValue();
        }

        boolean flag(String key) {
            JsonNode node = config.get(key);
            return node != null && node.asBoolean(false);
        }
    }
}
