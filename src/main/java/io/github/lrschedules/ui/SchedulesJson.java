package io.github.lrschedules.ui;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import io.github.lrschedules.record.Hyperparameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.nd4j.shade.jackson.core.JsonFactory;
import org.nd4j.shade.jackson.core.JsonGenerator;

/**
 * Writes the JSON of {@code /schedules/data}:
 *
 * <pre>{@code
 * {"parameter": "0_W",                      the parameter whose learning rate is in "lr" (null: none recorded)
 *  "parameters": ["0_W", "0_b", ...],       every parameter with a learning rate in some session
 *  "maxPoints": 2000,
 *  "sessions": [
 *    {"id": "cosine", "label": "cosine",    label: the id, numbered if two storages share it
 *     "reportedIterations": 80,             iterations stored; "iterations" may hold fewer (downsampled: by
 *                                           the reader past 50,000, then to maxPoints)
 *     "downsampled": false,
 *     "hasLearningRate": true,              false: the updater has none (AdaDelta, NoOp) or none was recorded
 *     "iterations": [0, 1, ...],
 *     "score": [2.3, 2.1, ...],             aligned with iterations
 *     "lr": {"0_W": [0.1, 0.1, ...]},       aligned with iterations; {} when the session has no such learning rate
 *     "hyperparameters": {"momentum": [0.95, 0.94, ...]},   of the same parameter, aligned with iterations: those
 *                                           recorded beside the rate (LearningRateRecorder.builder().momentum(true)
 *                                           .weightDecay(true)) that change during the session
 *     "constantHyperparameters": {"weightDecay": 0.01},     those that keep one value (null: NaN)
 *     "epochs": [0, 1, ...],                as recorded (0: the first epoch); the page draws them from 1
 *     "epochMetrics": {"testAccuracy": [0.61, 0.72, ...]}}]}   aligned with epochs
 * }</pre>
 *
 * Written with Jackson's generator (DL4J's shaded copy). Numbers are written with float precision; NaN and
 * infinities as {@code null}. Each session is reduced to at most
 * {@code maxPoints} iterations by {@link Downsampler}, which keeps the points where the learning rate or a changing
 * hyperparameter changes.
 */
final class SchedulesJson {

    static final int DEFAULT_MAX_POINTS = 2000;

    /** Jackson's generator (DL4J's shaded copy): escapes strings, writes floats in their shortest form. */
    private static final JsonFactory JSON = new JsonFactory();

    /** Thrown for a parameter that no session has a learning rate for. */
    static final class UnknownParameterException extends Exception {
        private static final long serialVersionUID = 1L;

        UnknownParameterException(String parameter, List<String> known) {
            super("Unknown parameter '" + parameter + "': no session has a learning rate for it; known parameters: "
                    + known);
        }
    }

    private SchedulesJson() {
    }

    /**
     * @param parameter the parameter to include, or null for the default: the first weight ({@code _W}) parameter
     *                  in natural order, else the first parameter
     */
    static String write(List<SessionSeries> sessions, String parameter, int maxPoints) throws UnknownParameterException {
        List<String> parameters = parameters(sessions);
        String selected;
        if (parameter == null) {
            selected = defaultParameter(parameters);
        } else if (parameters.contains(parameter)) {
            selected = parameter;
        } else {
            throw new UnknownParameterException(parameter, parameters);
        }

        StringWriter text = new StringWriter(1 << 16);
        try (JsonGenerator out = JSON.createGenerator(text)) {
            out.writeStartObject();
            out.writeStringField("parameter", selected);
            out.writeArrayFieldStart("parameters");
            for (String p : parameters) {
                out.writeString(p);
            }
            out.writeEndArray();
            out.writeNumberField("maxPoints", maxPoints);
            out.writeArrayFieldStart("sessions");
            for (SessionSeries session : sessions) {
                session(out, session, selected, maxPoints);
            }
            out.writeEndArray();
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    private static void session(JsonGenerator out, SessionSeries session, String parameter, int maxPoints)
            throws IOException {
        boolean anyRate = false;
        for (String key : session.learningRates().keySet()) {
            if (session.hasLearningRate(key)) {
                anyRate = true;
                break;
            }
        }
        float[] rates = parameter != null && session.hasLearningRate(parameter)
                ? session.learningRates().get(parameter) : null;
        List<float[]> series = new ArrayList<>();
        if (rates != null) {
            series.add(rates);
        }
        Map<String, float[]> changing = new LinkedHashMap<>();
        Map<String, Float> constant = new LinkedHashMap<>();
        if (parameter != null) {
            for (Hyperparameter h : Hyperparameter.values()) {
                float[] values = session.hyperparameter(h, parameter);
                if (values == null || session.size() == 0) {
                    continue;
                }
                if (changes(values, session.size())) {
                    changing.put(h.columnName(), values);
                    series.add(values);
                } else {
                    constant.put(h.columnName(), values[0]);
                }
            }
        }
        int[] rows = Downsampler.select(session.size(), series, maxPoints);

        out.writeStartObject();
        out.writeStringField("id", session.id());
        out.writeStringField("label", session.label());
        out.writeNumberField("reportedIterations", session.reportedIterations());
        out.writeBooleanField("downsampled", rows.length < session.reportedIterations());
        out.writeBooleanField("hasLearningRate", anyRate);
        out.writeArrayFieldStart("iterations");
        int[] iterations = session.iterations();
        for (int row : rows) {
            out.writeNumber(iterations[row]);
        }
        out.writeEndArray();
        out.writeArrayFieldStart("score");
        double[] scores = session.scores();
        for (int row : rows) {
            number(out, (float) scores[row]);
        }
        out.writeEndArray();
        out.writeObjectFieldStart("lr");
        if (rates != null) {
            out.writeArrayFieldStart(parameter);
            for (int row : rows) {
                number(out, rates[row]);
            }
            out.writeEndArray();
        }
        out.writeEndObject();
        out.writeObjectFieldStart("hyperparameters");
        for (Map.Entry<String, float[]> h : changing.entrySet()) {
            out.writeArrayFieldStart(h.getKey());
            float[] values = h.getValue();
            for (int row : rows) {
                number(out, values[row]);
            }
            out.writeEndArray();
        }
        out.writeEndObject();
        out.writeObjectFieldStart("constantHyperparameters");
        for (Map.Entry<String, Float> h : constant.entrySet()) {
            out.writeFieldName(h.getKey());
            number(out, h.getValue());
        }
        out.writeEndObject();
        out.writeArrayFieldStart("epochs");
        for (int epoch : session.epochs()) {
            out.writeNumber(epoch);
        }
        out.writeEndArray();
        out.writeObjectFieldStart("epochMetrics");
        for (Map.Entry<String, double[]> metric : session.epochMetrics().entrySet()) {
            out.writeArrayFieldStart(metric.getKey());
            for (double value : metric.getValue()) {
                number(out, (float) value);
            }
            out.writeEndArray();
        }
        out.writeEndObject();
        out.writeEndObject();
    }

    /** Whether {@code values} holds two different values (NaN counts as a value) in its first {@code size}. */
    private static boolean changes(float[] values, int size) {
        for (int i = 1; i < size; i++) {
            if (Float.compare(values[i], values[0]) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Parameters with a learning rate in at least one session, in natural order ({@code 2_W} before {@code 10_W}). */
    static List<String> parameters(List<SessionSeries> sessions) {
        TreeSet<String> keys = new TreeSet<>(SchedulesJson::compareNatural);
        for (SessionSeries session : sessions) {
            for (String key : session.learningRates().keySet()) {
                if (session.hasLearningRate(key)) {
                    keys.add(key);
                }
            }
        }
        return new ArrayList<>(keys);
    }

    private static String defaultParameter(List<String> parameters) {
        for (String p : parameters) {
            if (p.endsWith("_W")) {
                return p;
            }
        }
        return parameters.isEmpty() ? null : parameters.get(0);
    }

    /** Compares runs of digits by their value and everything else character by character. */
    static int compareNatural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int endA = i;
                while (endA < a.length() && Character.isDigit(a.charAt(endA))) {
                    endA++;
                }
                int endB = j;
                while (endB < b.length() && Character.isDigit(b.charAt(endB))) {
                    endB++;
                }
                String da = a.substring(i, endA).replaceFirst("^0+(?=.)", "");
                String db = b.substring(j, endB).replaceFirst("^0+(?=.)", "");
                int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                if (c != 0) {
                    return c;
                }
                i = endA;
                j = endB;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }

    /** A float as JSON: its shortest decimal form, or null for NaN and infinities (JSON has neither). */
    private static void number(JsonGenerator out, float value) throws IOException {
        if (Float.isFinite(value)) {
            out.writeNumber(value);
        } else {
            out.writeNull();
        }
    }

    /** {@code {"error": message}}. */
    static String error(String message) {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text)) {
            out.writeStartObject();
            out.writeStringField("error", message);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
