package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.examples.data.DataLoader;
import io.github.lrschedules.examples.data.DigitSet;
import io.github.lrschedules.examples.data.EpochIterator;
import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.train.PreparedData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.nativeblas.NativeOpsHolder;
import io.github.lrschedules.examples.profile.LayerHelpers;

/**
 * DL4J's oneDNN layer helpers through the examples' bridge: off by default (DL4J as it ships); when enabled in the
 * oneDNN build ({@code mvn -f examples/pom.xml -Dexamples.build=onednn verify}), used by LeNet's convolutions and
 * poolings with the same results as DL4J's own implementation; in the plain build, which has no bridge, enabling them
 * changes nothing.
 */
class OneDnnLayerHelpersTest {

    /** A command run earlier in this JVM may have left them on (the oneDNN build's default profile). */
    @BeforeEach
    @AfterEach
    void off() {
        LayerHelpers.enable(false);
    }

    private static boolean oneDnnBuild() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo().contains("HAVE_ONEDNN");
    }

    private static MultiLayerNetwork lenet(boolean layerHelpers) {
        LayerHelpers.enable(layerHelpers);
        try {
            return ModelKind.LENET.build(new Nesterovs(0.05, 0.9), 7, DataType.FLOAT, WorkspaceMode.ENABLED, 28, 28,
                    DigitSet.CLASSES);
        } finally {
            LayerHelpers.enable(false);
        }
    }

    private static List<String> helpers(MultiLayerNetwork net) {
        List<String> names = new ArrayList<>();
        for (Layer layer : net.getLayers()) {
            names.add(layer.getHelper() == null ? "none" : layer.getHelper().getClass().getSimpleName());
        }
        return names;
    }

    @Test
    void offByDefaultOnWhenEnabled() {
        assertThat(LayerHelpers.enabled()).isFalse();
        assertThat(helpers(lenet(false))).as("DL4J M2.1 as it ships").containsOnly("none");
        if (LayerHelpers.bridgePresent()) {
            assertThat(oneDnnBuild()).isTrue();
            assertThat(helpers(lenet(true))).containsExactly("MKLDNNConvHelper", "MKLDNNSubsamplingHelper",
                    "MKLDNNConvHelper", "MKLDNNSubsamplingHelper", "none", "none");
        } else {
            assertThat(helpers(lenet(true))).as("no bridge, no helper").containsOnly("none");
        }
        // and off again: DL4J's own switch is back as it was
        assertThat(System.getProperty("org.eclipse.deeplearning4j.helpers.disable")).isNull();
        assertThat(helpers(lenet(false))).containsOnly("none");
    }

    @Test
    void sameOutputsAndTrainingWithTheHelpers() throws IOException {
        PreparedData data = PreparedData.of(DataLoader.embedded(), 320, 64, 0.0, DataType.FLOAT);
        MultiLayerNetwork plain = lenet(false);
        MultiLayerNetwork helped = lenet(true);
        assertThat(helped.params()).isEqualTo(plain.params());
        INDArray probe = data.test().getFeatures();
        assertThat(maxRelativeDifference(helped.output(probe), plain.output(probe))).isLessThan(1e-4);

        EpochIterator batches = EpochIterator.shuffled(data.train(), 32, 3);
        while (batches.hasNext()) {
            DataSet batch = batches.next();
            plain.fit(batch);
            helped.fit(batch);
        }
        // Ten Nesterov steps; float32 sums in a different order drift apart a little, no more.
        assertThat(helped.score()).isCloseTo(plain.score(), org.assertj.core.api.Assertions.offset(1e-3));
        assertThat(maxRelativeDifference(helped.params(), plain.params())).isLessThan(1e-2);
        assertThat(maxRelativeDifference(helped.output(probe), plain.output(probe))).isLessThan(1e-2);
    }

    /** max |a - b| / (max |b| + tiny). */
    private static double maxRelativeDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue() / (b.amaxNumber().doubleValue() + 1e-12);
    }
}
