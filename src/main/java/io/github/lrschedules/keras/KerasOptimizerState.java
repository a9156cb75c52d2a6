package io.github.lrschedules.keras;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@code optimizer_weights} group of a Keras 2 HDF5 model file: the step count and the slot variables, by the
 * names the two layouts give them.
 * <ul>
 * <li>legacy optimizers (Keras &lt;= 2.10, {@code tf.keras.optimizers.legacy}): {@code Adam/iter:0} (or
 *     {@code iterations}), {@code Adam/dense/kernel/m:0};</li>
 * <li>TF 2.11 to 2.15: {@code iteration:0}, {@code Adam/m/dense/kernel:0} (the optimizer scope may be absent).</li>
 * </ul>
 */
final class KerasOptimizerState {

    private static final List<String> STEP_NAMES = List.of("iter", "iterations", "iteration");

    /** A slot variable: which slot, of which layer's which parameter (Keras' names). */
    static final class Slot {
        final String slot;
        final String layer;
        final String param;
        final INDArray value;

        Slot(String slot, String layer, String param, INDArray value) {
            this.slot = slot;
            this.layer = layer;
            this.param = param;
            this.value = value;
        }
    }

    /** The step count, or -1 when the file has none. */
    final long step;
    final List<Slot> slots;

    private KerasOptimizerState(long step, List<Slot> slots) {
        this.step = step;
        this.slots = slots;
    }

    static KerasOptimizerState none() {
        return new KerasOptimizerState(-1, List.of());
    }

    /**
     * Reads the group; every variable must be the step count or a slot that {@code optimizer} knows, else the
     * import would silently drop state.
     */
    static KerasOptimizerState read(String h5Path, KerasOptimizer optimizer) throws UnsupportedKerasConfigurationException {
        Map<String, INDArray> variables = new LinkedHashMap<>();
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            H5File file = new H5File(h5Path, hdf5.H5F_ACC_RDONLY());
            try {
                Group group = file.openGroup("optimizer_weights");
                try {
                    readGroup(group, "", variables);
                } finally {
                    group.close();
                }
            } finally {
                file.close();
            }
        }
        long step = -1;
        List<Slot> slots = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : variables.entrySet()) {
            String name = e.getKey().replaceFirst(":\\d+$", "");
            String[] parts = name.split("/");
            String last = parts[parts.length - 1];
            if (STEP_NAMES.contains(last)) {
                if (step >= 0) {
                    throw new UnsupportedKerasConfigurationException("optimizer_weights holds two step counts (the "
                            + "second is " + e.getKey() + ")");
                }
                double value = e.getValue().getDouble(0);
                if (!(value >= 0) || value != Math.rint(value) || value > Integer.MAX_VALUE) {
                    throw new UnsupportedKerasConfigurationException("optimizer_weights: step count " + e.getKey()
                            + " (" + value + ") must be a whole number in [0, " + Integer.MAX_VALUE + "]");
                }
                step = (long) value;
                continue;
            }
            if (last.equals("learning_rate")) {
                continue;   // TF 2.11+ keeps the float rate as a variable; the config holds the same value
            }
            Slot slot = null;
            if (parts.length >= 3 && isSlot(optimizer, last)) {
                slot = new Slot(last, parts[parts.length - 3], parts[parts.length - 2], e.getValue());
            } else {
                for (int i = 0; i + 2 < parts.length && slot == null; i++) {
                    if (isSlot(optimizer, parts[i])) {
                        slot = new Slot(parts[i], parts[parts.length - 2], parts[parts.length - 1], e.getValue());
                    }
                }
            }
            if (slot == null) {
                throw new UnsupportedKerasConfigurationException("optimizer_weights: variable \"" + e.getKey()
                        + "\" cannot be carried over to DL4J's " + optimizer.updater.getClass().getSimpleName()
                        + " (its state is " + optimizer.slots + ")");
            }
            slots.add(slot);
        }
        return new KerasOptimizerState(step, slots);
    }

    private static boolean isSlot(KerasOptimizer optimizer, String name) {
        return optimizer.slots.stream().anyMatch(s -> s.contains(name));
    }

    private static void readGroup(Group group, String prefix, Map<String, INDArray> out) {
        long n = group.getNumObjs();
        for (long i = 0; i < n; i++) {
            BytePointer namePointer = group.getObjnameByIdx(i);
            String name = namePointer.getString();
            int type = group.childObjType(namePointer);
            if (type == hdf5.H5O_TYPE_GROUP) {
                Group child = group.openGroup(name);
                try {
                    readGroup(child, prefix + name + "/", out);
                } finally {
                    child.close();
                }
            } else if (type == hdf5.H5O_TYPE_DATASET) {
                out.put(prefix + name, readDataSet(group, name));
            }
        }
    }

    private static INDArray readDataSet(Group group, String name) {
        DataSet dataSet = group.openDataSet(name);
        try {
            DataSpace space = dataSet.getSpace();
            int rank = space.getSimpleExtentNdims();
            long[] shape = new long[rank];
            if (rank > 0) {
                space.getSimpleExtentDims(shape);
            }
            space.close();
            long length = 1;
            for (long d : shape) {
                length *= d;
            }
            double[] values = new double[(int) length];
            try (DoublePointer pointer = new DoublePointer(length)) {
                dataSet.read(pointer, PredType.NATIVE_DOUBLE());
                pointer.get(values);
            }
            INDArray array = Nd4j.createFromArray(values);
            return rank == 0 ? array : array.reshape('c', shape);
        } finally {
            dataSet.close();
        }
    }
}
