package io.connback.folders.internal.conf;

import io.connback.config.ConfigValues;
import java.nio.file.Path;

/** How files and keys appear in log lines: plain when that is safe, else {@linkplain ConfigValues#quote quoted}. */
final class Display {

    private Display() {}

    /**
     * A file's path as the operator knows it: relative to the working directory when under it (the gateway runs in
     * its home, so {@code conf/io.connback.tcp-meter1.cfg}), else absolute. This is also the value of the
     * configurations' {@code connback.file} property.
     *
     * @param file the file
     * @param workingDirectory the absolute, normalized working directory
     * @return the path to show, raw (see {@link #text})
     */
    static String path(Path file, Path workingDirectory) {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(workingDirectory) && !absolute.equals(workingDirectory)
                ? workingDirectory.relativize(absolute).toString() : absolute.toString();
    }

    /**
     * Text from a file or its name for a log line: as is, unless it holds control characters or is longer than
     * {@link ConfigValues#QUOTE_LIMIT}; then quoted, so that no name or key can forge a line or flood the log.
     *
     * @param text the text
     * @return what to write
     */
    static String text(String text) {
        String quoted = ConfigValues.quote(text);
        return quoted.equals("'" + text + "'") ? text : quoted;
    }
}
