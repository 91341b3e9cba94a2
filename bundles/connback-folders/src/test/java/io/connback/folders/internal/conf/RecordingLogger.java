package io.connback.folders.internal.conf;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A logger that keeps its lines, {@code LEVEL message}, for the tests to read; any thread. */
final class RecordingLogger implements System.Logger {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public String getName() {
        return "recording";
    }

    @Override
    public boolean isLoggable(Level level) {
        return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        lines.add(level.getName() + " " + message + (thrown == null ? "" : " [" + thrown + "]"));
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        log(level, bundle, params == null ? format : MessageFormat.format(format, params), (Throwable) null);
    }

    /** Every line so far. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    /** The lines at WARNING and above. */
    List<String> warnings() {
        return lines.stream().filter(line -> line.startsWith("WARNING ") || line.startsWith("ERROR ")).toList();
    }

    /** The lines that mention a text. */
    List<String> about(String text) {
        return lines.stream().filter(line -> line.contains(text)).toList();
    }

    void clear() {
        lines.clear();
    }
}
