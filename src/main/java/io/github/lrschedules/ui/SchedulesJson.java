package io.github.lrschedules.ui;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes the JSON of {@code /schedules/data}:
 *
 * <pre>{@code
 * {"parameter": "0_W",                      the parameter whose learning rate is in "lr" (null: none recorded)
 *  "parameters": ["0_W", "0_b", ...],       every parameter with a learning rate in some session
 *  "maxPoints": 2000,
 *  "sessions": [
 *    {"id": "cosine", "label": "cosine",    label: the id, numbered if two storages share it
 *     "reportedIterations": 80,             iterations stored; "iterations" may hold fewer (downsampled)
 *     "downsampled": false,
 *     "hasLearningRate": true,              false: the updater has none (AdaDelta, NoOp) or none was recorded
 *     "iterations": [0, 1, ...],
 *     "score": [2.3, 2.1, ...],             aligned with iterations
 *     "lr": {"0_W": [0.1, 0.1, ...]},       aligned with iterations; {} when the session has no such learning rate
 *     "epochs": [0, 1, ...],
 *     "epochMetrics": {"testAccuracy": [0.61, 0.72, ...]}}]}   aligned with epochs
 * }</pre>
 *
 * Numbers are written with float precision; NaN and infinities as {@code null}. Each session is reduced to at most
 * {@code maxPoints} iterations by {@link Downsampler}, which keeps the points where the learning rate changes.
 */
final class SchedulesJson {

    static final int DEFAULT_MAX_POINTS = 2000;

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

        StringBuilder out = new StringBuilder(1 << 16);
        out.append("{\"parameter\":");
        string(out, selected);
        out.append(",\"parameters\":[");
        for (int i = 0; i < parameters.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            string(out, parameters.get(i));
        }
        out.append("],\"maxPoints\":").append(maxPoints).append(",\"sessions\":[");
        for (int s = 0; s < sessions.size(); s++) {
            if (s > 0) {
                out.append(',');
            }
            session(out, sessions.get(s), selected, maxPoints);
        }
        out.append("]}");
        return out.toString();
    }

    private static void session(StringBuilder out, SessionSeries session, String parameter, int maxPoints) {
        boolean anyRate = false;
        for (String key : session.learningRates().keySet()) {
            if (session.hasLearningRate(key)) {
                anyRate = true;
                break;
            }
        }
        float[] rates = parameter != null && session.hasLearningRate(parameter)
                ? session.learningRates().get(parameter) : null;
        List<float[]> series = rates == null ? Collections.emptyList() : Collections.singletonList(rates);
        int[] rows = Downsampler.select(session.size(), series, maxPoints);

        out.append("{\"id\":");
        string(out, session.id());
        out.append(",\"label\":");
        string(out, session.label());
        out.append(",\"reportedIterations\":").append(session.size());
        out.append(",\"downsampled\":").append(rows.length < session.size());
        out.append(",\"hasLearningRate\":").append(anyRate);
        out.append(",\"iterations\":[");
        int[] iterations = session.iterations();
        for (int r = 0; r < rows.length; r++) {
            if (r > 0) {
                out.append(',');
            }
            out.append(iterations[rows[r]]);
        }
        out.append("],\"score\":[");
        double[] scores = session.scores();
        for (int r = 0; r < rows.length; r++) {
            if (r > 0) {
                out.append(',');
            }
            number(out, (float) scores[rows[r]]);
        }
        out.append("],\"lr\":{");
        if (rates != null) {
            string(out, parameter);
            out.append(":[");
            for (int r = 0; r < rows.length; r++) {
                if (r > 0) {
                    out.append(',');
                }
                number(out, rates[rows[r]]);
            }
            out.append(']');
        }
        out.append("},\"epochs\":[");
        int[] epochs = session.epochs();
        for (int e = 0; e < epochs.length; e++) {
            if (e > 0) {
                out.append(',');
            }
            out.append(epochs[e]);
        }
        out.append("],\"epochMetrics\":{");
        boolean first = true;
        for (Map.Entry<String, double[]> metric : session.epochMetrics().entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(out, metric.getKey());
            out.append(":[");
            double[] values = metric.getValue();
            for (int e = 0; e < values.length; e++) {
                if (e > 0) {
                    out.append(',');
                }
                number(out, (float) values[e]);
            }
            out.append(']');
        }
        out.append("}}");
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

    private static void number(StringBuilder out, float value) {
        if (Float.isFinite(value)) {
            out.append(value);
        } else {
            out.append("null");
        }
    }

    static void string(StringBuilder out, String value) {
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    /** {@code {"error": message}}. */
    static String error(String message) {
        StringBuilder out = new StringBuilder();
        out.append("{\"error\":");
        string(out, message);
        return out.append('}').toString();
    }
}
