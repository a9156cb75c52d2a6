package io.github.lrschedules.examples.profile;

import java.lang.reflect.Method;

/**
 * The switch for DL4J's oneDNN layer helpers (convolution, subsampling, batch normalization, LRN), which DL4J
 * 1.0.0-M2.1 never uses as it ships.
 *
 * <p>Two things keep them off in M2.1. DL4J creates no layer helper at all unless the system property
 * {@code org.eclipse.deeplearning4j.helpers.disable} is {@code false} (its default is {@code true}); and its
 * {@code BaseMKLDNNHelper.mklDnnEnabled()} asks {@code org.nd4j.nativeblas.Nd4jCpu$Environment.isUseMKLDNN()}, a
 * class that ND4J M2.1 has under another name ({@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment},
 * method {@code isUseONEDNN()}). {@link #enable} sets the property; the oneDNN build of the examples (Maven profile
 * {@code onednn}, source folder {@code src/onednn/java}) adds a class of that old name which answers DL4J's lookup
 * with {@link #oneDnnInUse()}. Without that class (the plain and CUDA builds) enabling changes nothing: DL4J's lookup
 * fails and it builds no helper. DL4J picks a layer's helper when the network is built.
 */
public final class LayerHelpers {

    /** DL4J's switch for all layer helpers ({@code DL4JSystemProperties.DISABLE_HELPER_PROPERTY}). */
    static final String DISABLE_HELPERS = "org.eclipse.deeplearning4j.helpers.disable";
    /** The class DL4J M2.1's {@code BaseMKLDNNHelper} looks up by name. */
    public static final String DL4J_LOOKUP_CLASS = "org.nd4j.nativeblas.Nd4jCpu$Environment";
    private static final String ND4J_ENVIRONMENT = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

    private static volatile boolean enabled;
    private static String propertyBefore;

    private LayerHelpers() {
    }

    /**
     * Lets DL4J use its oneDNN layer helpers in networks built from now on ({@code on = false}: as DL4J M2.1 ships,
     * no layer helpers, and DL4J's property as it was before).
     */
    public static synchronized void enable(boolean on) {
        if (on == enabled) {
            return;
        }
        if (on) {
            propertyBefore = System.getProperty(DISABLE_HELPERS);
            System.setProperty(DISABLE_HELPERS, "false");
        } else if (propertyBefore == null) {
            System.clearProperty(DISABLE_HELPERS);
        } else {
            System.setProperty(DISABLE_HELPERS, propertyBefore);
        }
        enabled = on;
    }

    /** Whether {@link #enable} is on. */
    public static boolean enabled() {
        return enabled;
    }

    /** True where DL4J's lookup finds its class: the oneDNN build of the examples. */
    public static boolean bridgePresent() {
        try {
            Class.forName(DL4J_LOOKUP_CLASS, false, LayerHelpers.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** DL4J's question through the bridge: when enabled, ND4J's {@code isUseONEDNN()}; false otherwise. */
    public static boolean oneDnnInUse() {
        if (!enabled) {
            return false;
        }
        try {
            // by reflection: the CUDA build of the examples has no nd4j-native classes
            Class<?> real = Class.forName(ND4J_ENVIRONMENT);
            Object environment = real.getMethod("getInstance").invoke(null);
            Method useOneDnn = real.getMethod("isUseONEDNN");
            return (Boolean) useOneDnn.invoke(environment);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }
}
