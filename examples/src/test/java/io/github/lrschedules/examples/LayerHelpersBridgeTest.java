package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lrschedules.examples.profile.LayerHelpers;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The canary of the bridge class {@code org.nd4j.nativeblas.Nd4jCpu} (src/onednn/java): it fails when DL4J no longer
 * looks that class up by name (then the bridge can go), or when ND4J ships a class of that name itself (then the
 * bridge would hide ND4J's); and it checks that the bridge is on the classpath of the oneDNN build only.
 */
class LayerHelpersBridgeTest {

    private static final String DL4J_HELPER = "org/deeplearning4j/nn/layers/mkldnn/BaseMKLDNNHelper.class";

    @Test
    void dl4jStillLooksUpTheBridgeByName() throws IOException {
        String constants;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(DL4J_HELPER)) {
            assertThat(in).as("DL4J's BaseMKLDNNHelper is gone: check whether the bridge is still needed").isNotNull();
            constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertThat(constants).as("BaseMKLDNNHelper.mklDnnEnabled() asks Class.forName for the bridge's name and"
                + " method; if this fails, DL4J found another way and src/onednn/java can be deleted")
                .contains(LayerHelpers.DL4J_LOOKUP_CLASS, "isUseMKLDNN", "getInstance");
    }

    @Test
    void nd4jHasNoClassOfThatNameAndTheBridgeIsOnlyInTheOneDnnBuild() throws IOException {
        String resource = LayerHelpers.DL4J_LOOKUP_CLASS.replace('.', '/') + ".class";
        List<URL> found = Collections.list(getClass().getClassLoader().getResources(resource));
        for (URL url : found) {
            assertThat(url.getProtocol()).as("only the examples' own classes folder holds " + resource + ", no jar: "
                    + found).isEqualTo("file");
            assertThat(url.getPath()).contains("/target/onednn/classes/");
        }
        boolean oneDnnBuild = System.getProperty("org.bytedeco.javacpp.platform.extension", "").contains("onednn");
        assertThat(found).as("the bridge is in the oneDNN build and in no other").hasSize(oneDnnBuild ? 1 : 0);
        assertThat(LayerHelpers.bridgePresent()).isEqualTo(oneDnnBuild);
    }

    @Test
    void theBridgeDelegatesToTheSwitchOfTheExamples() throws Exception {
        if (!LayerHelpers.bridgePresent()) {
            assertThat(LayerHelpers.oneDnnInUse()).isFalse();
            return;
        }
        Class<?> bridge = Class.forName(LayerHelpers.DL4J_LOOKUP_CLASS);
        Object environment = bridge.getMethod("getInstance").invoke(null);
        Method ask = bridge.getMethod("isUseMKLDNN");
        assertThat(bridge.getDeclaredMethods()).as("nothing but what DL4J calls").extracting(Method::getName)
                .containsExactlyInAnyOrder("getInstance", "isUseMKLDNN");
        // a command run earlier in this JVM may have switched the helpers on (the oneDNN build's default profile)
        boolean before = LayerHelpers.enabled();
        try {
            LayerHelpers.enable(false);
            assertThat(ask.invoke(environment)).isEqualTo(false);
            LayerHelpers.enable(true);
            assertThat(ask.invoke(environment)).as("ND4J's oneDNN build answers isUseONEDNN() true").isEqualTo(true);
            LayerHelpers.enable(false);
            assertThat(ask.invoke(environment)).isEqualTo(false);
        } finally {
            LayerHelpers.enable(before);
        }
    }
}
