package io.connback.gateway;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The command line of {@code bin/gateway}: where its folders are, how it logs, and what it runs.
 *
 * <p>The runtime ({@code bundle/}, {@code lib/}) always lives in the installation folder, and so do the shipped
 * connectors ({@code deploy/}) unless {@code --deploy} names another folder. The operator's state ({@code conf/},
 * {@code log/}, and the data folder holding the framework's {@code cache/} and the lock) lives in the gateway's home:
 * the environment variable {@code CONNBACK_HOME}, else the installation folder (the unpacked layout). Each folder can
 * be named on its own with an option.
 *
 * @param install the installation folder: {@code bundle/}, {@code lib/}
 * @param conf the watched link configurations
 * @param deploy the watched connector bundles
 * @param data the framework storage ({@code cache/}), the lock, the demo's link
 * @param log the folder of {@code gateway.log}
 * @param logLevel the least severe level written
 * @param logFileSize the size at which {@code gateway.log} is rotated, in bytes
 * @param logFiles how many log files are kept, {@code gateway.log} included
 * @param demo whether the demo device and its link run too
 * @param console whether the Gogo console reads the terminal
 * @param help whether only the usage is asked for
 */
record GatewayOptions(Path install, Path conf, Path deploy, Path data, Path log, Level logLevel, long logFileSize,
        int logFiles, boolean demo, boolean console, boolean help) {

    /** The environment variable naming the gateway's home. */
    static final String HOME_VARIABLE = "CONNBACK_HOME";
    /** The system property of the default log level (e.g. {@code JAVA_OPTS=-Dconnback.log.level=DEBUG}). */
    static final String LOG_LEVEL_PROPERTY = "connback.log.level";

    private static final long MEGABYTE = 1024 * 1024;
    private static final long DEFAULT_LOG_FILE_SIZE = 10 * MEGABYTE;
    private static final int DEFAULT_LOG_FILES = 5;
    private static final long MIN_LOG_FILE_SIZE = 4096;

    /** The usage line and one line per option, as {@code --help} prints them. */
    static final String USAGE = String.join(System.lineSeparator(),
            "usage: gateway [OPTION]...",
            "Runs the Connback gateway in the foreground until SIGTERM or Ctrl-C (exit status 0).",
            "  --conf DIR         link configurations, watched (default: $CONNBACK_HOME/conf)",
            "  --deploy DIR       connector bundles, watched (default: the installation's deploy/)",
            "  --data DIR         framework storage and the lock of this gateway (default: $CONNBACK_HOME)",
            "  --log DIR          folder of gateway.log (default: $CONNBACK_HOME/log)",
            "  --log-level LEVEL  " + levelNames() + " (default: INFO, or -D" + LOG_LEVEL_PROPERTY + ")",
            "  --log-size SIZE    rotate gateway.log at this size, in bytes or with K, M or G (default: 10M)",
            "  --log-files N      log files kept, gateway.log included (default: 5)",
            "  --demo             also run a local TCP device that drops its link every few seconds, and a link to it",
            "  --no-console       no Gogo console, even on a terminal",
            "  --help             print this help and exit",
            "$CONNBACK_HOME defaults to the installation folder. Exit status: 0 after a clean stop, 1 if the gateway",
            "cannot start (another one runs in the same data folder), 2 for a bad command line.");

    /** A command line that cannot be run: the message is one line naming the option and the value. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        private final boolean showUsage;

        UsageException(String message, boolean showUsage) {
            super(message);
            this.showUsage = showUsage;
        }

        /** Whether the usage should follow the message: not for a bad log level, whose message lists the levels. */
        boolean showUsage() {
            return showUsage;
        }
    }

    /**
     * Reads a command line.
     *
     * @param args the arguments
     * @param install the installation folder
     * @param environment the process environment ({@value #HOME_VARIABLE})
     * @param defaultLogLevel the value of {@value #LOG_LEVEL_PROPERTY}, or null
     * @param terminal whether standard input is a terminal
     * @return the options, folders absolute and normalized
     * @throws UsageException for an unknown option, a missing or bad value
     */
    static GatewayOptions parse(List<String> args, Path install, Map<String, String> environment,
            String defaultLogLevel, boolean terminal) throws UsageException {
        String homeVariable = environment.get(HOME_VARIABLE);
        Path home = homeVariable == null || homeVariable.isBlank() ? install : Path.of(homeVariable);
        Path conf = home.resolve("conf");
        Path deploy = install.resolve("deploy");
        Path data = home;
        Path log = home.resolve("log");
        Level level = defaultLogLevel == null ? Level.INFO : level(defaultLogLevel, "-D" + LOG_LEVEL_PROPERTY);
        long logFileSize = DEFAULT_LOG_FILE_SIZE;
        int logFiles = DEFAULT_LOG_FILES;
        boolean demo = false;
        boolean console = terminal;
        boolean help = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            int equals = arg.indexOf('=');
            String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
            String inlineValue = name.equals(arg) ? null : arg.substring(equals + 1);
            switch (name) {
                case "--demo", "--no-console", "--help", "-h" -> {
                    if (inlineValue != null) {
                        throw new UsageException("option " + name + " takes no value: " + arg, true);
                    }
                    demo |= name.equals("--demo");
                    console &= !name.equals("--no-console");
                    help |= name.equals("--help") || name.equals("-h");
                }
                case "--conf", "--deploy", "--data", "--log", "--log-level", "--log-size", "--log-files" -> {
                    String value = inlineValue;
                    if (value == null) {
                        if (i + 1 == args.size() || args.get(i + 1).startsWith("--")) {
                            throw new UsageException("option " + name + " needs a value", true);
                        }
                        value = args.get(++i);
                    }
                    if (value.isBlank()) {
                        throw new UsageException("option " + name + " needs a value", true);
                    }
                    switch (name) {
                        case "--conf" -> conf = Path.of(value);
                        case "--deploy" -> deploy = Path.of(value);
                        case "--data" -> data = Path.of(value);
                        case "--log" -> log = Path.of(value);
                        case "--log-level" -> level = level(value, name);
                        case "--log-size" -> logFileSize = size(value);
                        default -> logFiles = count(value);
                    }
                }
                default -> throw new UsageException("unknown option: " + arg, true);
            }
        }
        return new GatewayOptions(absolute(install), absolute(conf), absolute(deploy), absolute(data), absolute(log),
                level, logFileSize, logFiles, demo, console, help);
    }

    private static Path absolute(Path folder) {
        return folder.toAbsolutePath().normalize();
    }

    private static Level level(String value, String source) throws UsageException {
        String name = value.trim().toUpperCase(Locale.ROOT);
        for (Level level : Level.values()) {
            if (level.getName().equals(name)) {
                return level;
            }
        }
        throw new UsageException("bad log level '" + value + "' (" + source + "): one of " + levelNames(), false);
    }

    private static String levelNames() {
        return Arrays.stream(Level.values()).map(Level::getName).collect(Collectors.joining(", "));
    }

    private static long size(String value) throws UsageException {
        String digits = value.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (digits.endsWith("K") || digits.endsWith("M") || digits.endsWith("G")) {
            unit = switch (digits.charAt(digits.length() - 1)) {
                case 'K' -> 1024;
                case 'M' -> MEGABYTE;
                default -> 1024 * MEGABYTE;
            };
            digits = digits.substring(0, digits.length() - 1);
        }
        try {
            long size = Math.multiplyExact(Long.parseLong(digits), unit);
            if (size >= MIN_LOG_FILE_SIZE) {
                return size;
            }
        } catch (ArithmeticException | NumberFormatException e) {
            // reported below, with the value
        }
        throw new UsageException("bad value for --log-size: '" + value + "' (a size of at least " + MIN_LOG_FILE_SIZE
                + " bytes, e.g. 10M)", true);
    }

    private static int count(String value) throws UsageException {
        try {
            int count = Integer.parseInt(value.trim());
            if (count >= 1) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new UsageException("bad value for --log-files: '" + value + "' (a number of files, at least 1)", true);
    }

    /**
     * The framework storage: cleaned at every start, mode 0700.
     *
     * @return {@code cache/} in the data folder
     */
    Path cache() {
        return data.resolve("cache");
    }

    /**
     * The folder of the demo's link configuration, deleted when the demo stops.
     *
     * @return {@code demo-conf/} in the data folder
     */
    Path demoConf() {
        return data.resolve("demo-conf");
    }
}
