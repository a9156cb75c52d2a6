package io.github.lrschedules.averaging;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a {@link WeightAveraging} needs to continue exactly: its rule (to refuse a listener built another way), the
 * number of updates and the average itself (ND4J's binary form, null before the first update). Stored in a model
 * zip by Java serialization.
 */
public final class AveragingState implements Serializable {
    private static final long serialVersionUID = 1L;

    final AveragingRule rule;
    final long updates;
    private final byte[] average;

    AveragingState(AveragingRule rule, long updates, INDArray average) {
        this.rule = rule;
        this.updates = updates;
        try {
            this.average = average == null ? null : Nd4j.toByteArray(average);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new array holding the stored average (outside any workspace), or null if none was stored. */
    INDArray average() {
        if (average == null) {
            return null;
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return Nd4j.fromByteArray(average);
        }
    }
}
