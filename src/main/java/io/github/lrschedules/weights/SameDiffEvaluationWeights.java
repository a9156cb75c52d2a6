package io.github.lrschedules.weights;

import io.github.lrschedules.internal.Args;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Other weights in a SameDiff graph until {@link #close()}: the SameDiff twin of {@link EvaluationWeights}. Opening
 * saves the arrays of the graph's trainable variables ({@code VariableType.VARIABLE}) and puts the evaluation
 * weights in their place; {@code close()} puts the saved values back, bit for bit. Use it in try-with-resources:
 *
 * <pre>
 * try (SameDiffEvaluationWeights at = ScheduleFree.evaluationWeights(sd)) {
 *     Evaluation eval = sd.evaluate(testIterator, "softmax", new Evaluation());   // at x
 *     sd.save(new File("inference.sd"), false);                                  // an inference graph: x
 * }                                                                              // y is back
 * sd.save(new File("checkpoint.sd"), true);                                      // resume from here, at y
 * </pre>
 *
 * Opening twice on the same graph is refused (the inner block would start from the outer one's weights). Do not
 * train inside the block, and save graphs to resume from outside it.
 */
public class SameDiffEvaluationWeights implements AutoCloseable {
    private static final Set<SameDiff> OPEN =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    private final SameDiff sd;
    private final Map<String, INDArray> live;
    private final Map<String, INDArray> saved = new LinkedHashMap<>();
    private boolean closed;

    /**
     * Opens the block on {@code sd}: saves its trainable variables, then lets {@code install} write the evaluation
     * weights in place into the live arrays it is given (variable name to the array the graph computes with).
     *
     * @throws IllegalArgumentException if {@code sd} or {@code install} is null
     * @throws IllegalStateException    if evaluation weights are already open on {@code sd}
     */
    protected SameDiffEvaluationWeights(SameDiff sd, Consumer<Map<String, INDArray>> install) {
        Args.notNull("sd", sd);
        Args.notNull("install", install);
        this.live = trainableArrays(sd);
        if (!OPEN.add(sd)) {
            throw new IllegalStateException("evaluation weights are already open on this SameDiff graph: close them"
                    + " first");
        }
        this.sd = sd;
        for (Map.Entry<String, INDArray> e : live.entrySet()) {
            saved.put(e.getKey(), e.getValue().dup());
        }
        try {
            install.accept(Collections.unmodifiableMap(live));
        } catch (RuntimeException e) {
            restore();
            OPEN.remove(sd);
            throw e;
        }
    }

    /**
     * Puts {@code weights} (variable name to values of the variable's shape, copied) into {@code sd} until
     * {@code close()}; trainable variables not named keep their values.
     *
     * @throws IllegalArgumentException if a name is not a trainable variable of {@code sd} or a shape differs
     */
    public static SameDiffEvaluationWeights of(SameDiff sd, Map<String, INDArray> weights) {
        Args.notNull("weights", weights);
        return new SameDiffEvaluationWeights(sd, arrays -> {
            for (Map.Entry<String, INDArray> e : weights.entrySet()) {
                INDArray target = arrays.get(e.getKey());
                if (target == null) {
                    throw new IllegalArgumentException("weights names " + e.getKey() + ", which is not a trainable"
                            + " variable of the graph; trainable: " + arrays.keySet());
                }
                if (!java.util.Arrays.equals(target.shape(), e.getValue().shape())) {
                    throw new IllegalArgumentException("weights of " + e.getKey() + " have shape "
                            + java.util.Arrays.toString(e.getValue().shape()) + ", the variable "
                            + java.util.Arrays.toString(target.shape()));
                }
                target.assign(e.getValue());
            }
        });
    }

    /**
     * The live arrays (not copies) of the trainable floating-point variables of {@code sd}
     * ({@code VariableType.VARIABLE}), by name, in the graph's order: what this class saves and replaces, and what a
     * SameDiff weight average averages.
     */
    public static Map<String, INDArray> trainableVariables(SameDiff sd) {
        Args.notNull("sd", sd);
        return Collections.unmodifiableMap(trainableArrays(sd));
    }

    /** The arrays of the trainable floating-point variables of {@code sd}, by name, in the graph's order. */
    static Map<String, INDArray> trainableArrays(SameDiff sd) {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && v.dataType().isFPType()) {
                INDArray arr = v.getArr();
                if (arr != null) {
                    arrays.put(v.name(), arr);
                }
            }
        }
        return arrays;
    }

    /** True while evaluation weights are open on {@code sd}. */
    public static boolean isOpen(SameDiff sd) {
        return OPEN.contains(sd);
    }

    private void restore() {
        for (Map.Entry<String, INDArray> e : saved.entrySet()) {
            live.get(e.getKey()).assign(e.getValue());
        }
    }

    /** Puts the saved values back, bit for bit; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        restore();
        OPEN.remove(sd);
    }
}
