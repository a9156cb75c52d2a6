package io.github.lrschedules.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.schedule.InverseTimeDecaySchedule;
import io.github.lrschedules.updater.SgdMomentum;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** The optimizer mapping of {@link KerasTrainingImport}: every supported form, and a named refusal for the rest. */
class KerasOptimizerTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static KerasOptimizer map(String json) throws Exception {
        JsonNode node = MAPPER.readTree(json.replace('\'', '"'));
        return KerasOptimizer.of(node);
    }

    @Test
    void adamInBothLayoutsAndNames() throws Exception {
        KerasOptimizer legacy = map("{'class_name': 'Adam', 'config': {'name': 'Adam', 'learning_rate': 0.003,"
                + " 'decay': 0.0, 'beta_1': 0.8, 'beta_2': 0.99, 'epsilon': 1e-07, 'amsgrad': false}}");
        KerasOptimizer tf211 = map("{'class_name': 'Custom>Adam', 'config': {'name': 'Adam', 'weight_decay': null,"
                + " 'clipnorm': null, 'global_clipnorm': null, 'clipvalue': null, 'use_ema': false, 'ema_momentum': 0.99,"
                + " 'ema_overwrite_frequency': null, 'jit_compile': true, 'is_legacy_optimizer': false,"
                + " 'learning_rate': 0.003, 'beta_1': 0.8, 'beta_2': 0.99, 'epsilon': 1e-07, 'amsgrad': false}}");
        Adam expected = new Adam(0.003, 0.8, 0.99, 1e-7);
        assertThat(legacy.updater).isEqualTo(expected);
        assertThat(tf211.updater).isEqualTo(expected);
        assertThat(legacy.weightDecay).isZero();
        assertThat(legacy.slots).isEqualTo(List.of(Set.of("m"), Set.of("v")));
        // Old Keras: "lr" and Keras' defaults for what is missing.
        assertThat(map("{'class_name': 'Adam', 'config': {'lr': 0.01}}").updater).isEqualTo(new Adam(0.01, 0.9, 0.999, 1e-7));
    }

    @Test
    void adamWAndWeightDecayOnAnyOptimizer() throws Exception {
        KerasOptimizer adamw = map("{'class_name': 'Custom>AdamW', 'config': {'learning_rate': 0.001, 'weight_decay': 0.004}}");
        assertThat(adamw.updater).isInstanceOf(Adam.class);
        assertThat(adamw.weightDecay).isEqualTo(0.004);
        assertThat(map("{'class_name': 'Custom>SGD', 'config': {'learning_rate': 0.1, 'weight_decay': 0.01}}").weightDecay)
                .isEqualTo(0.01);
        assertThatThrownBy(() -> map("{'class_name': 'AdamW', 'config': {'learning_rate': 0.001}}"))
                .hasMessageContaining("AdamW: optimizer config has no weight_decay");
    }

    @Test
    void sgdVariants() throws Exception {
        assertThat(map("{'class_name': 'SGD', 'config': {'learning_rate': 0.1, 'momentum': 0.0, 'nesterov': false}}").updater)
                .isEqualTo(new Sgd(0.1));
        assertThat(map("{'class_name': 'SGD', 'config': {'learning_rate': 0.1, 'momentum': 0.9, 'nesterov': false}}").updater)
                .isEqualTo(new SgdMomentum(0.1, 0.9));
        assertThat(map("{'class_name': 'SGD', 'config': {'learning_rate': 0.1, 'momentum': 0.9, 'nesterov': true}}").updater)
                .isEqualTo(new Nesterovs(0.1, 0.9));
    }

    @Test
    void legacyDecayIsInverseTimeDecay() throws Exception {
        KerasOptimizer sgd = map("{'class_name': 'SGD', 'config': {'learning_rate': 0.1, 'decay': 0.01, 'momentum': 0.9}}");
        assertThat(((SgdMomentum) sgd.updater).getLearningRateSchedule())
                .isEqualTo(new InverseTimeDecaySchedule(ScheduleType.ITERATION, 0.1, 0.01, 1, false));
        assertThat(sgd.updater.getLearningRate(100, 0)).isEqualTo(0.1 / 2);
    }

    @Test
    void adagradStartsFromTheInitialAccumulator() throws Exception {
        KerasOptimizer adagrad = map("{'class_name': 'Adagrad', 'config': {'learning_rate': 0.01, 'initial_accumulator_value': 0.2}}");
        assertThat(adagrad.updater).isEqualTo(new AdaGrad(0.01, 1e-7));
        assertThat(adagrad.initialState).isEqualTo(0.2);
        assertThat(map("{'class_name': 'Adagrad', 'config': {'learning_rate': 0.01}}").initialState).isEqualTo(0.1);
    }

    @Test
    void whatCannotBeCarriedOverIsRefusedByName() {
        assertThatThrownBy(() -> map("{'class_name': 'Adam', 'config': {'learning_rate': 0.001, 'amsgrad': true}}"))
                .isInstanceOf(UnsupportedKerasConfigurationException.class).hasMessageContaining("amsgrad=True");
        assertThatThrownBy(() -> map("{'class_name': 'Custom>Adam', 'config': {'learning_rate': 0.001, 'clipnorm': 1.0}}"))
                .hasMessageContaining("clipnorm (1.0) is not carried over");
        assertThatThrownBy(() -> map("{'class_name': 'Custom>Adam', 'config': {'learning_rate': 0.001, 'use_ema': true}}"))
                .hasMessageContaining("use_ema=True");
        assertThatThrownBy(() -> map("{'class_name': 'RMSprop', 'config': {'learning_rate': 0.001, 'centered': true}}"))
                .hasMessageContaining("centered=True");
        assertThatThrownBy(() -> map("{'class_name': 'Nadam', 'config': {'learning_rate': 0.001}}"))
                .hasMessageContaining("\"Nadam\"").hasMessageContaining("Adam, AdamW, SGD, RMSprop, Adagrad");
        assertThatThrownBy(() -> map("{'class_name': 'Adam', 'config': {'learning_rate': 0.001, 'lookahead': 5}}"))
                .hasMessageContaining("unknown optimizer option \"lookahead\"");
        assertThatThrownBy(() -> map("{'class_name': 'SGD', 'config': {'decay': 0.1, 'learning_rate': "
                + "{'class_name': 'ExponentialDecay', 'config': {'initial_learning_rate': 0.1, 'decay_steps': 10, 'decay_rate': 0.5}}}}"))
                .hasMessageContaining("legacy decay (0.1)");
        assertThatThrownBy(() -> map("{'class_name': 'SGD', 'config': {'learning_rate': "
                + "{'class_name': 'WarmUp', 'config': {}}}}"))
                .hasMessageContaining("Unknown Keras schedule class \"WarmUp\"");
    }
}
