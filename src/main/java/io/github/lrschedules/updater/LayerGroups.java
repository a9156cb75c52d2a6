package io.github.lrschedules.updater;

import io.github.lrschedules.internal.Args;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Layers grouped for {@link LayerwiseLearningRates}: fastai's layer groups (a body and a head, or several stages),
 * each group one rate. A group is a list of layer keys (the prefix of a layer's parameter keys: {@code "0"} in a
 * MultiLayerNetwork, the vertex name in a ComputationGraph) or a range of positions in
 * {@link LayerwiseLearningRates#layers}, the layers with parameters in topological order. Groups are in order: the
 * first is the deepest from the head, the last is the head.
 *
 * <pre>
 * LayerGroups.builder().range(0, 2).range(2, 4).names("out").build()   // two stages and the head
 * LayerGroups.splitAt(2, 4)                                            // the same for a network of 5 layers
 * </pre>
 *
 * Every layer with parameters must be in exactly one group; {@link #resolve} says which is not.
 */
public final class LayerGroups {

    private final List<Object> groups;

    private LayerGroups(List<Object> groups) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("groups must not be empty: add at least one group");
        }
        this.groups = Collections.unmodifiableList(new ArrayList<>(groups));
    }

    /** A builder; groups are added in order, from the input side to the head. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Groups cut at positions of {@link LayerwiseLearningRates#layers}: {@code splitAt(2, 4)} gives positions
     * {@code [0, 2)}, {@code [2, 4)} and {@code [4, end)}. Boundaries strictly increasing and &gt; 0.
     */
    public static LayerGroups splitAt(int... boundaries) {
        Args.notNull("boundaries", boundaries);
        Builder b = builder();
        int from = 0;
        for (int i = 0; i < boundaries.length; i++) {
            if (boundaries[i] <= from) {
                throw new IllegalArgumentException("boundaries[" + i + "] (" + boundaries[i] + ") must be > "
                        + from + ": boundaries must be > 0 and strictly increasing");
            }
            b.range(from, boundaries[i]);
            from = boundaries[i];
        }
        b.groups.add(new int[]{from, -1});
        return b.build();
    }

    /** The number of groups. */
    public int size() {
        return groups.size();
    }

    /**
     * The groups as lists of layer keys of {@code layers} (the output of {@link LayerwiseLearningRates#layers}).
     *
     * @throws IllegalArgumentException for an unknown name, a range outside the layers, a layer in two groups, a
     *                                  layer with parameters in no group, or an empty group
     */
    public List<List<String>> resolve(List<String> layers) {
        Map<String, Integer> groupOf = new HashMap<>();
        List<List<String>> result = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            List<String> members = new ArrayList<>();
            Object group = groups.get(g);
            if (group instanceof int[]) {
                int[] range = (int[]) group;
                int to = range[1] < 0 ? layers.size() : range[1];
                if (to > layers.size() || range[0] >= to) {
                    throw new IllegalArgumentException("group " + g + " " + describe(group) + " does not select any of"
                            + " the " + layers.size() + " layers with parameters " + layers);
                }
                members.addAll(layers.subList(range[0], to));
            } else {
                for (Object name : (List<?>) group) {
                    if (!layers.contains(name)) {
                        throw new IllegalArgumentException("group " + g + ": layer \"" + name + "\" is not a layer with"
                                + " parameters of the network; those are " + layers);
                    }
                    members.add((String) name);
                }
            }
            for (String member : members) {
                Integer other = groupOf.put(member, g);
                if (other != null) {
                    throw new IllegalArgumentException("layer \"" + member + "\" is in group " + other
                            + " and in group " + g + ": each layer belongs to one group");
                }
            }
            result.add(Collections.unmodifiableList(members));
        }
        for (String layer : layers) {
            if (!groupOf.containsKey(layer)) {
                throw new IllegalArgumentException("layer \"" + layer + "\" is in no group of " + this
                        + ": every layer with parameters must be in one (layers: " + layers + ")");
            }
        }
        return Collections.unmodifiableList(result);
    }

    private static String describe(Object group) {
        if (group instanceof int[]) {
            int[] range = (int[]) group;
            return "[" + range[0] + ", " + (range[1] < 0 ? "end" : String.valueOf(range[1])) + ")";
        }
        return group.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LayerGroups)) {
            return false;
        }
        return toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toString());
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("LayerGroups{");
        for (int g = 0; g < groups.size(); g++) {
            s.append(g == 0 ? "" : ", ").append(describe(groups.get(g)));
        }
        return s.append("}").toString();
    }

    /** Builder for {@link LayerGroups}. */
    public static final class Builder {
        private final List<Object> groups = new ArrayList<>();

        private Builder() {
        }

        /** The next group: these layers, by key. */
        public Builder names(String... layers) {
            Args.noNulls("layers", layers);
            if (layers.length == 0) {
                throw new IllegalArgumentException("layers must not be empty: a group holds at least one layer");
            }
            List<String> names = new ArrayList<>();
            Collections.addAll(names, layers);
            groups.add(Collections.unmodifiableList(names));
            return this;
        }

        /** The next group: the layers at positions {@code [from, to)} of {@link LayerwiseLearningRates#layers}. */
        public Builder range(int from, int to) {
            Args.nonNegative("from", from);
            if (to <= from) {
                throw new IllegalArgumentException("to (" + to + ") must be > from (" + from + ")");
            }
            groups.add(new int[]{from, to});
            return this;
        }

        /** The groups added, in order; at least one. */
        public LayerGroups build() {
            return new LayerGroups(groups);
        }
    }
}
