package io.connback.folders.internal.conf;

import io.connback.config.ConfigValues;
import java.nio.file.Path;

/** How files appear in log lines; their names go through {@link ConfigValues#inLine}. */
final class Display {

    private Display() {}

    /**
     * A file's path as the operator knows it: relative to the working directory when under it (the gateway runs in
     * its home, so {@code conf/io.connback.tcp-meter1.cfg}), else absolute. This is also the value of the
     * configurations' {@code connback.file} property.
     *
     * @param file the file
     * @param workingDirectory the absolute, normalized working directory
     * @return the path to show, raw (see {@link ConfigValues#inLine})
     */
    static String path(Path file, Path workingDirectory) {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(workingDirectory) && !absolute.equals(workingDirectory)
                ? workingDirectory.relativize(absolute).toString() : absolute.toString();
    }
}
