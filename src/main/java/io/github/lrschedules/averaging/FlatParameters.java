package io.github.lrschedules.averaging;

import java.lang.reflect.Field;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network's flat parameter vector, read without allocating: {@code ComputationGraph.params()} (DL4J 1.0.0-M2.1)
 * returns a new reshaped view of its {@code [1, n]} vector on every call, about 2 KB each, so for a graph the vector
 * itself is read from its {@code flattenedParams} field (the same memory, in the same order). Where that field cannot
 * be read, {@code params()}.
 */
final class FlatParameters {

    private static final Field GRAPH_PARAMS = graphParams();

    private FlatParameters() {
    }

    private static Field graphParams() {
        try {
            Field field = ComputationGraph.class.getDeclaredField("flattenedParams");
            field.setAccessible(true);
            return field.getType() == INDArray.class ? field : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static INDArray of(Model net) {
        if (GRAPH_PARAMS != null && net instanceof ComputationGraph) {
            try {
                Object params = GRAPH_PARAMS.get(net);
                if (params != null) {
                    return (INDArray) params;
                }
            } catch (IllegalAccessException e) {
                return net.params();
            }
        }
        return net.params();
    }
}
