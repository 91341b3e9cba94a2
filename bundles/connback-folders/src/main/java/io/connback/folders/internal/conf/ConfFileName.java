package io.connback.folders.internal.conf;

import java.util.Locale;

/**
 * What a file in a watched {@code conf/} folder is, by its name. {@code <pid>-<name>.cfg} is the factory
 * configuration {@code name} of the factory PID {@code pid}, split at the first {@code -} as FileInstall and Karaf
 * split it; {@code <pid>.cfg} is the configuration {@code pid}.
 *
 * @param kind what the name says the file is
 * @param pid the (factory) PID of a {@link Kind#CONFIGURATION}, else {@code null}
 * @param name the factory configuration's name, {@code null} for a singleton or another kind
 */
record ConfFileName(Kind kind, String pid, String name) {

    /** The kinds of files. */
    enum Kind {
        /** A {@code *.cfg}: read and applied. */
        CONFIGURATION,
        /** {@code README*}, {@code *.txt}, {@code *.md}: notes for the operator, left alone. */
        NOTE,
        /** Hidden files and editors' temporary files: {@code .*}, {@code *~}, {@code *.swp}, {@code *.tmp}. */
        TEMPORARY,
        /** Anything else: not read, which one line says. */
        OTHER
    }

    private static final String SUFFIX = ".cfg";

    /**
     * Classifies a file name.
     *
     * @param fileName the name, without folder
     * @return what it is
     */
    static ConfFileName of(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (fileName.startsWith(".") || fileName.endsWith("~") || lower.endsWith(".swp") || lower.endsWith(".swx")
                || lower.endsWith(".tmp") || fileName.startsWith("#") && fileName.endsWith("#")) {
            return new ConfFileName(Kind.TEMPORARY, null, null);
        }
        if (fileName.endsWith(SUFFIX)) {
            String base = fileName.substring(0, fileName.length() - SUFFIX.length());
            int dash = base.indexOf('-');
            return dash > 0
                    ? new ConfFileName(Kind.CONFIGURATION, base.substring(0, dash), base.substring(dash + 1))
                    : new ConfFileName(Kind.CONFIGURATION, base, null);
        }
        if (lower.startsWith("readme") || lower.endsWith(".txt") || lower.endsWith(".md")) {
            return new ConfFileName(Kind.NOTE, null, null);
        }
        return new ConfFileName(Kind.OTHER, null, null);
    }

    /**
     * Whether this is a factory configuration.
     *
     * @return {@code true} for {@code <pid>-<name>.cfg}
     */
    boolean isFactory() {
        return name != null;
    }

    /**
     * The PID of the configuration that Configuration Admin makes of it: {@code pid~name} for a factory
     * configuration (Configuration Admin 1.6's named factory configurations), else {@code pid}.
     *
     * @return the configuration's PID
     */
    String configurationPid() {
        return isFactory() ? pid + "~" + name : pid;
    }
}
