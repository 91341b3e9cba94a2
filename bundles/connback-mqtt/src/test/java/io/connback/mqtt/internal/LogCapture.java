package io.connback.mqtt.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records the log lines of the connector's classes (System.Logger goes to java.util.logging here) while open: level
 * and message, e.g. {@code WARNING store /tmp/x: ...}.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger("io.connback.mqtt");
    private final Level previous = logger.getLevel();
    /** The lines so far. */
    public final List<String> lines = new CopyOnWriteArrayList<>();

    /** Starts recording. */
    public LogCapture() {
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /**
     * The lines that contain a text.
     *
     * @param text the text
     * @return those lines
     */
    public List<String> containing(String text) {
        return lines.stream().filter(line -> line.contains(text)).toList();
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(record.getLevel() + " " + record.getMessage());
    }

    @Override
    public void flush() {
        // nothing buffered
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
