package io.connback.gateway;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Where every log record of the gateway's JVM goes: the console (standard error) and {@code log/gateway.log}, one
 * line per record, flushed at once so that an operator can follow the file with {@code tail -f}. The bundles log
 * through {@link System.Logger}, which {@link GatewayLoggerFinder} routes here, and through the OSGi log service,
 * which {@link OsgiLogBridge} routes here.
 */
final class GatewayLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    /** The least severe level written: {@code -Dconnback.log.level=DEBUG} (System.Logger's level names). */
    private static final Level THRESHOLD =
            Level.valueOf(System.getProperty("connback.log.level", "INFO").trim().toUpperCase(Locale.ROOT));
    private static final PrintStream CONSOLE = System.err;
    private static Writer file;

    private GatewayLog() {}

    /**
     * Appends the records from now on to a file too.
     *
     * @param logFile the file, created with its directory if missing
     * @throws UncheckedIOException if the file cannot be opened
     */
    static synchronized void toFile(Path logFile) {
        try {
            Files.createDirectories(logFile.getParent());
            file = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log file " + logFile, e);
        }
    }

    static boolean isLoggable(Level level) {
        return level != Level.OFF && level.getSeverity() >= THRESHOLD.getSeverity();
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
        write(line.toString());
    }

    private static synchronized void write(String line) {
        CONSOLE.println(line);
        if (file != null) {
            try {
                file.write(line);
                file.write(System.lineSeparator());
                file.flush();
            } catch (IOException e) {
                CONSOLE.println("cannot write the log file: " + e);
                file = null;
            }
        }
    }
}
