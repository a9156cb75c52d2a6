package io.github.lrschedules.updater;

import io.github.lrschedules.internal.Args;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link LayerwiseLearningRates} applied: the factor of each layer's learning rate, by layer key, from the input
 * side to the head. Example, {@code LayerwiseLearningRates.decay(net, 0.5)} on a network of three dense layers reports
 * {@code {0=0.25, 1=0.5, 2=1.0}}.
 */
public final class LayerFactors {

    private final Map<String, Double> factors;

    LayerFactors(Map<String, Double> factors) {
        this.factors = Collections.unmodifiableMap(new LinkedHashMap<>(factors));
    }

    /** Layer key to factor, in the order of {@link LayerwiseLearningRates#layers}. */
    public Map<String, Double> factors() {
        return factors;
    }

    /**
     * The factor applied to {@code layer}.
     *
     * @throws IllegalArgumentException for a layer that got no factor
     */
    public double factor(String layer) {
        Double factor = factors.get(Args.notNull("layer", layer));
        if (factor == null) {
            throw new IllegalArgumentException("layer \"" + layer + "\" got no factor; the layers are "
                    + factors.keySet());
        }
        return factor;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof LayerFactors && factors.equals(((LayerFactors) o).factors));
    }

    @Override
    public int hashCode() {
        return factors.hashCode();
    }

    /** {@code LayerFactors{0=0.25, 1=0.5, 2=1.0}}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("LayerFactors{");
        boolean first = true;
        for (Map.Entry<String, Double> e : factors.entrySet()) {
            s.append(first ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
            first = false;
        }
        return s.append('}').toString();
    }
}
