package io.github.lrschedules.schedule;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Enumeration;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/** Network configurations and saved models with one property of a schedule taken out. */
final class StrictJson {

    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();

    private StrictJson() {
    }

    /** A one-layer network trained with {@code Sgd(schedule)}. */
    static MultiLayerConfiguration configuration(ISchedule schedule) {
        return new NeuralNetConfiguration.Builder()
                .updater(new Sgd(schedule))
                .list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .build();
    }

    /** {@code json} with {@code property} removed from every object that is {@code schedule}'s JSON. */
    static String withoutProperty(String json, ISchedule schedule, String property) {
        try {
            JsonNode expected = MAPPER.valueToTree(schedule);
            JsonNode root = MAPPER.readTree(json);
            int removed = remove(root, expected, property);
            if (removed == 0) {
                throw new AssertionError("the schedule's JSON is not in the configuration: " + json);
            }
            return MAPPER.writeValueAsString(root);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int remove(JsonNode node, JsonNode expected, String property) {
        int removed = 0;
        if (node.equals(expected)) {
            ((ObjectNode) node).remove(property);
            return 1;
        }
        for (JsonNode child : node) {
            removed += remove(child, expected, property);
        }
        return removed;
    }

    /** Copies the model zip {@code from} to {@code to} with its {@code configuration.json} rewritten. */
    static void rewriteConfiguration(File from, File to, UnaryOperator<String> rewrite) throws IOException {
        try (ZipFile zip = new ZipFile(from);
             OutputStream file = Files.newOutputStream(to.toPath());
             ZipOutputStream out = new ZipOutputStream(file)) {
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                byte[] bytes;
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                if (entry.getName().equals("configuration.json")) {
                    bytes = rewrite.apply(new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
    }

    /** The messages of {@code e} and all its causes, one per line. */
    static String messages(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        return text.toString();
    }
}
