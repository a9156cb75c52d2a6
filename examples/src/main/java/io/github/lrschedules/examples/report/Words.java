package io.github.lrschedules.examples.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * Numbers as people read them in the outputs: {@code count(1, "epoch")} is "1 epoch", {@code count(3, "epoch")}
 * "3 epochs", {@code count(2, "batch", "batches")} "2 batches"; {@code number(6.135907273413181)} is "6.136" (four
 * significant digits, no trailing zeros: {@code number(0.1)} is "0.1").
 */
public final class Words {

    private Words() {
    }

    /** "1 epoch", "2 epochs": {@code noun} with an "s" unless there is one. */
    public static String count(long n, String noun) {
        return count(n, noun, noun + "s");
    }

    /** "1 batch", "2 batches". */
    public static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static final java.util.regex.Pattern LONG_NUMBER =
            java.util.regex.Pattern.compile("-?\\d+\\.\\d{5,}(?:[eE]-?\\d+)?");

    /**
     * {@code text} with every number of five or more decimals rounded by {@link #number}: the library's
     * {@code "the loss became NaN at lr 6.135907273413181"} reads {@code "the loss became NaN at lr 6.136"}.
     */
    public static String rounded(String text) {
        java.util.regex.Matcher m = LONG_NUMBER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(number(Double.parseDouble(m.group()))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@code value} rounded to four significant digits, without trailing zeros; NaN and infinities as Java has them. */
    public static String number(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        if (value == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros();
        double magnitude = Math.abs(value);
        return magnitude >= 1e-4 && magnitude < 1e7 ? rounded.toPlainString()
                : String.format(Locale.ROOT, "%.3e", rounded.doubleValue()).replaceAll("\\.?0+e", "e");
    }
}
