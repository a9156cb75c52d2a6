package org.nd4j.nativeblas;

import io.github.lrschedules.examples.profile.LayerHelpers;

/**
 * The class, and the two methods, that DL4J 1.0.0-M2.1's {@code BaseMKLDNNHelper.mklDnnEnabled()} looks up by name;
 * ND4J M2.1 no longer has them here. Only the oneDNN build of the examples compiles this folder; the switch and the
 * answer are {@link LayerHelpers}'. {@code LayerHelpersBridgeTest} fails when DL4J stops looking this class up.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** What DL4J's lookup finds. */
    public static final class Environment {

        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        /** Called by DL4J by reflection. */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Called by DL4J by reflection: {@link LayerHelpers#oneDnnInUse()}. */
        public boolean isUseMKLDNN() {
            return LayerHelpers.oneDnnInUse();
        }
    }
}
