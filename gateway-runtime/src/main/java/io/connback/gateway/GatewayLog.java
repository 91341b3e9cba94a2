package io.connback.gateway;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where every log record of the gateway's JVM goes: {@code gateway.log} in the log folder, rotated by size, and the
 * console (standard error), one line per record, flushed at once so that an operator can follow the file with
 * {@code tail -f}. The bundles log through {@link System.Logger}, which {@link GatewayLoggerFinder} routes here, and
 * through the OSGi log service, which {@link OsgiLogBridge} routes here.
 *
 * <p>While the Gogo console reads the terminal, the console shows WARNING and above only, so that link changes do not
 * tear the prompt every few seconds; the file keeps every record at the gateway's level.
 */
final class GatewayLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final PrintStream CONSOLE = System.err;
    /** The least severe level written anywhere; INFO until {@link #configure} (e.g. while the options are read). */
    private static volatile Level threshold = Level.INFO;
    private static volatile Level consoleThreshold = Level.INFO;
    private static RotatingFile file;

    private GatewayLog() {}

    /**
     * Writes the records from now on to a file too, with the gateway's levels.
     *
     * @param logFile the file, created with its folder if missing
     * @param maxSize the size at which the file is rotated, in bytes
     * @param files how many files are kept, the current one included
     * @param level the least severe level written
     * @param interactiveConsole whether the Gogo console reads the terminal: the console shows WARNING and above
     * @throws UncheckedIOException if the file cannot be opened
     */
    static synchronized void configure(Path logFile, long maxSize, int files, Level level,
            boolean interactiveConsole) {
        try {
            file = new RotatingFile(logFile, maxSize, files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log file " + logFile + ": " + e.getMessage(), e);
        }
        threshold = level;
        consoleThreshold = interactiveConsole && level.getSeverity() < Level.WARNING.getSeverity()
                ? Level.WARNING : level;
    }

    static boolean isLoggable(Level level) {
        return isAtLeast(level, threshold);
    }

    private static boolean isAtLeast(Level level, Level least) {
        return level != Level.OFF && least != Level.OFF && level.getSeverity() >= least.getSeverity();
    }

    static void log(Level level, String source, String message, Throwable error) {
        if (!isLoggable(level)) {
            return;
        }
        StringBuilder line = new StringBuilder(96).append(TIME.format(LocalDateTime.now())).append(' ')
                .append(String.format("%-7s", level.getName())).append(' ').append(source).append(": ")
                .append(message);
        if (error != null) {
            StringWriter trace = new StringWriter();
            error.printStackTrace(new PrintWriter(trace));
            line.append(System.lineSeparator()).append(trace.toString().stripTrailing());
        }
        write(level, line.toString());
    }

    private static synchronized void write(Level level, String line) {
        if (isAtLeast(level, consoleThreshold)) {
            CONSOLE.println(line);
        }
        if (file != null) {
            try {
                file.writeLine(line);
            } catch (IOException e) {
                CONSOLE.println("cannot write the log file " + file.path() + ", logging to the console only: " + e);
                file = null;
                consoleThreshold = threshold;
            }
        }
    }
}
