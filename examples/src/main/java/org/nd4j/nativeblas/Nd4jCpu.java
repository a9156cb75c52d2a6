package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * The class through which DL4J 1.0.0-M2.1 asks whether ND4J runs with oneDNN, so that its oneDNN layer helpers
 * (convolution, subsampling, batch normalization, LRN) can be switched on.
 *
 * <p>DL4J M2.1's {@code BaseMKLDNNHelper.mklDnnEnabled()} looks up {@code org.nd4j.nativeblas.Nd4jCpu$Environment}
 * and its {@code isUseMKLDNN()}; ND4J M2.1 has them as
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} and {@code isUseONEDNN()}. The lookup fails, so
 * DL4J never uses a oneDNN layer helper, even on ND4J's oneDNN build. On top of that, DL4J M2.1 creates no layer
 * helper at all unless the system property {@code org.eclipse.deeplearning4j.helpers.disable} is {@code false} (its
 * default is {@code true}). {@link Environment#enableLayerHelpers} sets that property and makes this class answer the
 * lookup with ND4J's real answer; without it (the default) DL4J behaves as it ships. DL4J picks a layer's helper when
 * the network is built. The helpers call libnd4j's operations (conv2d, maxpool2d, ...), which run on oneDNN in ND4J's
 * oneDNN build and on libnd4j's own implementations in the plain build.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** What DL4J's lookup finds. */
    public static final class Environment {

        /** DL4J's switch for all layer helpers ({@code DL4JSystemProperties.DISABLE_HELPER_PROPERTY}). */
        static final String DISABLE_HELPERS = "org.eclipse.deeplearning4j.helpers.disable";
        private static final Environment INSTANCE = new Environment();
        private static volatile boolean enabled;
        private static String propertyBefore;

        private Environment() {
        }

        /** Called by DL4J by reflection. */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /**
         * Lets DL4J use its oneDNN layer helpers in networks built from now on, where ND4J's build has oneDNN
         * ({@code on = false}: as DL4J M2.1 ships, no layer helpers).
         */
        public static synchronized void enableLayerHelpers(boolean on) {
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

        /** Whether {@link #enableLayerHelpers} is on. */
        public static boolean layerHelpersEnabled() {
            return enabled;
        }

        /** Called by DL4J by reflection: when enabled, ND4J's {@code isUseONEDNN()} (true unless switched off). */
        public boolean isUseMKLDNN() {
            if (!enabled) {
                return false;
            }
            try {
                // By reflection: the CUDA build of the examples has no nd4j-native classes.
                Class<?> real = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                Object environment = real.getMethod("getInstance").invoke(null);
                Method useOneDnn = real.getMethod("isUseONEDNN");
                return (Boolean) useOneDnn.invoke(environment);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }
    }
}
