package io.connback.benchmarks;

import java.util.Locale;

/**
 * What the runs print: {@code # } notes on the way, and one {@code RESULT} line per metric, easy to grep and to
 * compare between runs.
 */
final class Report {

    private Report() {}

    /**
     * Prints a note on the way.
     *
     * @param format a {@link String#format} format, formatted in the root locale
     * @param args its arguments
     */
    static void note(String format, Object... args) {
        System.out.println("# " + String.format(Locale.ROOT, format, args));
    }

    /**
     * Prints the result of one metric.
     *
     * @param metric the metric's name
     * @param format a {@link String#format} format, formatted in the root locale
     * @param args its arguments
     */
    static void result(String metric, String format, Object... args) {
        System.out.printf(Locale.ROOT, "RESULT %-18s %s%n", metric, String.format(Locale.ROOT, format, args));
    }
}
