package io.github.lrschedules.keras;

import io.github.lrschedules.internal.Args;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.KerasSequentialModel;
import org.deeplearning4j.nn.modelimport.keras.config.KerasModelConfiguration;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelUtils;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * DL4J's Keras import, plus what a Keras model was being trained with: the optimizer with its learning rate or
 * schedule, the loss, the step count and the optimizer's state, so that the next {@code fit} continues where Keras
 * stopped.
 *
 * <pre>
 * MultiLayerNetwork net = KerasTrainingImport.importSequentialModelAndWeights("model.h5");
 * net.fit(data);   // the schedule's value at Keras' step, Adam's moments as Keras left them
 * </pre>
 *
 * <p>Reads Keras 2 HDF5 files ({@code model.save("x.h5")} of tf.keras, legacy and TF &gt;= 2.11 optimizers, class
 * names {@code Adam} and {@code Custom>Adam}). The optimizer:
 * <table>
 * <caption>Keras optimizer to DL4J updater</caption>
 * <tr><th>Keras</th><th>DL4J</th><th>state carried over</th></tr>
 * <tr><td>{@code Adam}</td><td>{@code Adam(beta_1, beta_2, epsilon)}</td><td>{@code m}, {@code v}</td></tr>
 * <tr><td>{@code AdamW}, any optimizer's {@code weight_decay}</td><td>the same updater plus
 *     {@code WeightDecay(weight_decay, applyLR = true)} on weights and biases (Keras decays every variable by
 *     {@code lr * weight_decay})</td><td>as the updater</td></tr>
 * <tr><td>{@code SGD()}</td><td>{@code Sgd}</td><td>none</td></tr>
 * <tr><td>{@code SGD(momentum)}</td><td>{@link io.github.lrschedules.updater.SgdMomentum} (heavy ball, Keras'
 *     formula)</td><td>{@code momentum} (legacy) or {@code m} (TF 2.11+)</td></tr>
 * <tr><td>{@code SGD(momentum, nesterov=True)}</td><td>{@code Nesterovs} (the same update)</td><td>as above</td></tr>
 * <tr><td>{@code RMSprop(rho, epsilon)}</td><td>{@code RmsProp}</td><td>{@code rms} or {@code velocity}</td></tr>
 * <tr><td>{@code Adagrad(initial_accumulator_value, epsilon)}</td><td>{@code AdaGrad}, its state set to
 *     {@code initial_accumulator_value}</td><td>{@code accumulator}</td></tr>
 * </table>
 * The learning rate is a float or one of Keras' six schedules ({@link KerasSchedules}); the legacy {@code decay}
 * becomes {@link io.github.lrschedules.schedule.InverseTimeDecaySchedule} ({@code lr / (1 + decay * t)}). The step
 * count ({@code iter}/{@code iterations} of legacy optimizers, {@code iteration} of TF 2.11+) becomes the network's
 * iteration count, which schedules and Adam's bias correction read. DL4J's RmsProp and AdaGrad add {@code epsilon}
 * outside the square root, as legacy tf.keras does; TF 2.11+ and Keras 3 add it inside ({@code sqrt(v + epsilon)}),
 * which differs by a relative {@code epsilon / (2 v)} per step. What cannot be carried over is refused with a message
 * that names it: AMSGrad, RMSprop with momentum or {@code centered}, gradient clipping, EMA, other optimizers, an
 * optimizer variable this mapping does not know. Keras 3 files are refused: DL4J 1.0.0-M2.1 reads Keras 1 and 2
 * models only ({@link KerasSchedules#fromConfig} still reads a Keras 3 optimizer's schedule).
 */
public final class KerasTrainingImport {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private KerasTrainingImport() {
    }

    /** A Keras {@code Sequential} model, its weights and its training state, as a {@link MultiLayerNetwork}. */
    public static MultiLayerNetwork importSequentialModelAndWeights(String h5Path)
            throws IOException, InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        Training training = readTraining(h5Path);
        try (KerasModelBuilder builder = builder(h5Path, training)) {
            KerasSequentialModel model = builder.buildSequential();
            MultiLayerConfiguration conf = model.getMultiLayerConfiguration();
            for (NeuralNetConfiguration layer : conf.getConfs()) {
                setUpdater(layer.getLayer(), training.optimizer);
            }
            conf.setIterationCount(training.step());
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            KerasModelUtils.copyWeightsToModel(net, model.getLayers());
            BaseMultiLayerUpdater<?> updater = (BaseMultiLayerUpdater<?>) net.getUpdater(true);
            setState(net, updater, model.getLayers(), training, () -> {
                MultiLayerNetwork copy = new MultiLayerNetwork(conf.clone());
                copy.init();
                return copy;
            });
            return net;
        }
    }

    /** A Keras functional {@code Model}, its weights and its training state, as a {@link ComputationGraph}. */
    public static ComputationGraph importModelAndWeights(String h5Path)
            throws IOException, InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        Training training = readTraining(h5Path);
        try (KerasModelBuilder builder = builder(h5Path, training)) {
            KerasModel model = builder.buildModel();
            ComputationGraphConfiguration conf = model.getComputationGraphConfiguration();
            for (GraphVertex vertex : conf.getVertices().values()) {
                if (vertex instanceof LayerVertex) {
                    setUpdater(((LayerVertex) vertex).getLayerConf().getLayer(), training.optimizer);
                }
            }
            conf.setIterationCount(training.step());
            ComputationGraph net = new ComputationGraph(conf);
            net.init();
            KerasModelUtils.copyWeightsToModel(net, model.getLayers());
            setState(net, net.getUpdater(true), model.getLayers(), training, () -> {
                ComputationGraph copy = new ComputationGraph(conf.clone());
                copy.init();
                return copy;
            });
            return net;
        }
    }

    /** What the file says about training: the optimizer, its state, the training config for DL4J's import. */
    private static final class Training {
        final KerasOptimizer optimizer;
        final KerasOptimizerState state;
        final String trainingJson;

        Training(KerasOptimizer optimizer, KerasOptimizerState state, String trainingJson) {
            this.optimizer = optimizer;
            this.state = state;
            this.trainingJson = trainingJson;
        }

        int step() {
            return state.step < 0 ? 0 : (int) state.step;
        }
    }

    private static Training readTraining(String h5Path)
            throws IOException, InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        Args.notNull("h5Path", h5Path);
        if (!new File(h5Path).isFile()) {
            throw new IOException("h5Path (" + h5Path + ") is not a file");
        }
        String version;
        String trainingJson;
        boolean hasOptimizerWeights;
        try (Hdf5Archive archive = open(h5Path)) {
            if (!archive.hasAttribute("model_config")) {
                throw new InvalidKerasConfigurationException(h5Path + " has no model_config attribute: not a Keras "
                        + "model file saved with model.save(\"x.h5\")");
            }
            version = archive.hasAttribute("keras_version")
                    ? archive.readAttributeAsFixedLengthString("keras_version", 5).replaceAll("[.\\u0000\\s]+$", "")
                    : "";
            if (!version.startsWith("1") && !version.startsWith("2")) {
                throw new UnsupportedKerasConfigurationException(h5Path + " was written by Keras " + version
                        + "; DL4J 1.0.0-M2.1 imports Keras 1 and 2 models only. What works with Keras 3: "
                        + "KerasSchedules.fromConfig(json) on the optimizer's learning_rate config "
                        + "(keras.optimizers.schedules.serialize(optimizer.learning_rate)), or save the model from "
                        + "tf.keras 2 (TF <= 2.15)");
            }
            if (!archive.hasAttribute("training_config")) {
                throw new InvalidKerasConfigurationException(h5Path + " has no training_config: the model was saved "
                        + "without compiling it (or with include_optimizer=False); import it with "
                        + "KerasModelImport for inference");
            }
            trainingJson = archive.readAttributeAsJson("training_config");
            hasOptimizerWeights = archive.getGroups().contains("optimizer_weights");
        }
        JsonNode training = MAPPER.readTree(trainingJson);
        KerasOptimizer optimizer = KerasOptimizer.of(training.get("optimizer_config"));
        KerasOptimizerState state = hasOptimizerWeights ? KerasOptimizerState.read(h5Path, optimizer)
                : KerasOptimizerState.none();
        // DL4J's own optimizer mapping fails on schedules and on TF >= 2.11 configs: hand it a plain Adam, which the
        // updater of every layer replaces; the loss stays as Keras wrote it.
        ObjectNode patched = (ObjectNode) training.deepCopy();
        ObjectNode placeholder = MAPPER.createObjectNode();
        placeholder.put("class_name", "Adam");
        placeholder.putObject("config").put("learning_rate", 0.001).put("beta_1", 0.9).put("beta_2", 0.999)
                .put("epsilon", 1e-7).put("decay", 0.0);
        patched.set("optimizer_config", placeholder);
        return new Training(optimizer, state, MAPPER.writeValueAsString(patched));
    }

    private static Hdf5Archive open(String h5Path) throws InvalidKerasConfigurationException {
        try {
            return new Hdf5Archive(h5Path);
        } catch (RuntimeException e) {
            throw new InvalidKerasConfigurationException(h5Path + " is not an HDF5 file (a Keras 3 .keras file is a "
                    + "zip; DL4J 1.0.0-M2.1 imports Keras 1 and 2 HDF5 models only): " + e.getMessage(), e);
        }
    }

    private static KerasModelBuilder builder(String h5Path, Training training)
            throws IOException, InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        return new KerasModelBuilder(new KerasModelConfiguration()).modelHdf5Filename(h5Path)
                .trainingJson(training.trainingJson).enforceTrainingConfig(true);
    }

    private static void setUpdater(Layer layer, KerasOptimizer optimizer) {
        if (!(layer instanceof BaseLayer)) {
            return;
        }
        BaseLayer base = (BaseLayer) layer;
        base.setIUpdater(optimizer.updater.clone());
        base.setBiasUpdater(null);
        if (optimizer.weightDecay > 0) {
            base.setRegularization(withWeightDecay(base.getRegularization(), optimizer.weightDecay));
            base.setRegularizationBias(withWeightDecay(base.getRegularizationBias(), optimizer.weightDecay));
        }
    }

    private static List<Regularization> withWeightDecay(List<Regularization> existing, double weightDecay) {
        List<Regularization> out = existing == null ? new ArrayList<>() : new ArrayList<>(existing);
        out.add(new WeightDecay(weightDecay, true));
        return out;
    }

    /** Builds a fresh network of the same configuration (to lay Keras' slot arrays out as DL4J's parameters). */
    private interface Blank {
        Model create();
    }

    /**
     * Writes the optimizer's slot variables into DL4J's updater state. Each slot is laid out like the parameters
     * (through the same Keras layers' weight copying, so kernels get DL4J's orientation), then copied block by block:
     * a block's state view holds one array per slot, each covering the block's parameters in order.
     */
    private static void setState(Model net, BaseMultiLayerUpdater<?> updater, Map<String, KerasLayer> layers,
                                 Training training, Blank blank)
            throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        KerasOptimizer optimizer = training.optimizer;
        if (training.state.slots.isEmpty()) {
            if (!Double.isNaN(optimizer.initialState)) {
                updater.getStateViewArray().assign(optimizer.initialState);
            }
            return;
        }
        List<INDArray> slotParams = new ArrayList<>();
        for (int s = 0; s < optimizer.slots.size(); s++) {
            Map<String, Map<String, INDArray>> byLayer = new HashMap<>();
            for (KerasOptimizerState.Slot slot : training.state.slots) {
                if (optimizer.slots.get(s).contains(slot.slot)) {
                    byLayer.computeIfAbsent(slot.layer, k -> new HashMap<>()).put(slot.param, slot.value);
                }
            }
            for (Map.Entry<String, KerasLayer> e : layers.entrySet()) {
                KerasLayer layer = e.getValue();
                if (layer.getNumParams() == 0) {
                    continue;
                }
                Map<String, INDArray> values = byLayer.remove(e.getKey());
                if (values == null) {
                    throw new UnsupportedKerasConfigurationException("optimizer_weights has no " + optimizer.slots.get(s)
                            + " state for layer " + e.getKey() + " (it has some for other layers)");
                }
                layer.setWeights(values);
            }
            if (!byLayer.isEmpty()) {
                throw new UnsupportedKerasConfigurationException("optimizer_weights holds state of layers the model "
                        + "does not have: " + byLayer.keySet());
            }
            Model copy = blank.create();
            KerasModelUtils.copyWeightsToModel(copy, layers);
            slotParams.add(copy.params());
        }
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            INDArray view = block.getUpdaterView();
            int start = block.getParamOffsetStart();
            int end = block.getParamOffsetEnd();
            int length = end - start;
            if (view == null || view.length() == 0) {
                continue;
            }
            if (view.length() != (long) length * slotParams.size()) {
                throw new UnsupportedKerasConfigurationException("updater block of " + block.getGradientUpdater()
                        .getConfig() + " has " + view.length() + " state values for " + length + " parameters; "
                        + "expected " + slotParams.size() + " per parameter");
            }
            for (int s = 0; s < slotParams.size(); s++) {
                INDArray source = slotParams.get(s).reshape(-1).get(NDArrayIndex.interval(start, end));
                view.reshape(-1).get(NDArrayIndex.interval((long) s * length, (long) (s + 1) * length))
                        .assign(source.castTo(view.dataType()));
            }
        }
    }
}
