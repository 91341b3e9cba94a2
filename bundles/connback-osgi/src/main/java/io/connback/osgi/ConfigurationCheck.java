package io.connback.osgi;

import io.connback.config.ConfigValues;
import io.connback.config.InvalidValueException;
import java.net.URI;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks a whole configuration with the readers that will use it (a connector's {@code fromMap}, the Connback
 * options), and words what it finds as log lines that name the file: one per bad key
 * ({@code conf/io.connback.tcp-meter1.cfg: port: invalid value 'abc': expected a whole number from 1 to 65535}) and one
 * per unknown key ({@code conf/io.connback.tcp-meter1.cfg: keepalvie: unknown key, ignored (did you mean
 * keepalive?)}).
 *
 * <p>Readers stop at their first bad value; to find every bad key, the readers run again with the keys found bad so
 * far left out, until no new one shows. The keys the readers look up are the known keys: a key of the configuration
 * that none of them looks up is unknown. Not thread-safe: one check, one thread.
 */
public final class ConfigurationCheck {

    /**
     * The beginnings of the keys that the framework, Configuration Admin, SCR (e.g. DS 1.5's
     * {@code osgi.ds.satisfying.condition.target}), FileInstall or the gateway's folders set, which no reader looks up.
     */
    private static final List<String> FRAMEWORK_KEYS = List.of("service.", "component.", "osgi.", "felix.",
            ConnbackProperties.FILE);
    /** The end of a DS reference's target filter ({@code Connector.target}), which SCR and configurations may set. */
    private static final String DS_TARGET = ".target";
    /** The {@code key: } that starts the message of an {@link IllegalArgumentException} about a key. */
    private static final Pattern KEY_PREFIX = Pattern.compile("([A-Za-z0-9_.\\-]+): .*", Pattern.DOTALL);
    /** Enough rounds for every key of any real configuration; a reader that invents keys cannot loop. */
    private static final int MAX_ROUNDS = 64;

    private final Map<String, ?> configuration;
    private final String source;
    private final Map<String, String> problemsByKey = new LinkedHashMap<>();
    private final Set<String> otherProblems = new LinkedHashSet<>();
    private final Set<String> known = new LinkedHashSet<>();

    private ConfigurationCheck(Map<String, ?> configuration) {
        this.configuration = configuration;
        this.source = sourceOf(configuration);
    }

    /**
     * Starts the check of a configuration.
     *
     * @param configuration the configuration properties
     * @return the check
     */
    public static ConfigurationCheck of(Map<String, ?> configuration) {
        return new ConfigurationCheck(Map.copyOf(withoutNulls(configuration)));
    }

    /**
     * Where a configuration comes from, as its log lines name it: the file of the gateway's {@code conf/}
     * ({@value ConnbackProperties#FILE}), the file FileInstall read it from (Karaf's {@code etc/}), or else its PID.
     *
     * @param configuration the configuration properties
     * @return the file or the PID, e.g. {@code conf/io.connback.tcp-meter1.cfg}
     */
    public static String sourceOf(Map<String, ?> configuration) {
        // a file name can hold a newline too: it must not forge a line
        return ConfigValues.inLine(rawSourceOf(configuration));
    }

    private static String rawSourceOf(Map<String, ?> configuration) {
        Object file = configuration.get(ConnbackProperties.FILE);
        if (file != null) {
            return file.toString();
        }
        Object fileInstall = configuration.get("felix.fileinstall.filename");
        if (fileInstall != null) {
            try {
                Path path = Path.of(URI.create(fileInstall.toString()));
                Path here = Path.of("").toAbsolutePath();
                return path.startsWith(here) ? here.relativize(path).toString() : path.toString();
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException notAFileUri) {
                return fileInstall.toString();
            }
        }
        Object pid = configuration.get("service.pid");
        return pid == null ? "a configuration without PID" : pid.toString();
    }

    /**
     * Runs the readers until every bad key is found.
     *
     * @param readers each reads the configuration and throws an {@link IllegalArgumentException} that names the key
     *     for a bad value, as {@link ConfigValues} does
     */
    public void run(List<Function<Map<String, ?>, ?>> readers) {
        boolean found = true;
        for (int round = 0; found && round < MAX_ROUNDS; round++) {
            found = false;
            Map<String, ?> view = new ReadingView(problemsByKey.keySet());
            for (Function<Map<String, ?>, ?> reader : readers) {
                try {
                    reader.apply(view);
                } catch (RuntimeException e) {
                    found |= record(e);
                }
            }
        }
    }

    /** Takes a reader's error; tells whether it is about a key not seen bad before. */
    private boolean record(RuntimeException error) {
        String message = String.valueOf(error.getMessage());
        Optional<String> key = keyOf(error, message);
        if (key.isEmpty()) {
            otherProblems.add(source + ": " + message);
            return false;
        }
        return problemsByKey.putIfAbsent(key.get(), source + ": " + message) == null;
    }

    private Optional<String> keyOf(RuntimeException error, String message) {
        if (error instanceof InvalidValueException invalid) {
            return Optional.of(invalid.key());
        }
        Matcher prefix = KEY_PREFIX.matcher(message);
        return prefix.matches() && (configuration.containsKey(prefix.group(1)) || known.contains(prefix.group(1)))
                ? Optional.of(prefix.group(1)) : Optional.empty();
    }

    /**
     * Where the configuration comes from.
     *
     * @return see {@link #sourceOf}
     */
    public String source() {
        return source;
    }

    /**
     * The link name of the configuration, or if it has no valid one, its factory configuration's name or PID.
     *
     * @return the name
     */
    public String linkName() {
        try {
            return ConnbackProperties.linkName(configuration);
        } catch (IllegalArgumentException noName) {
            Object factoryPid = configuration.get("service.pid");
            String pid = factoryPid == null ? source : factoryPid.toString();
            return pid.substring(pid.indexOf('~') + 1);
        }
    }

    /**
     * What makes the configuration unusable, after {@link #run}: one line per bad key, naming the file.
     *
     * @return the lines, empty if the configuration is good
     */
    public List<String> problems() {
        List<String> lines = new ArrayList<>(problemsByKey.values());
        lines.addAll(otherProblems);
        return List.copyOf(lines);
    }

    /**
     * What is odd but harmless, after {@link #run}: one line per key that no reader looked up, with the known key it
     * is closest to, if any.
     *
     * @return the lines
     */
    public List<String> warnings() {
        return configuration.keySet().stream()
                .filter(key -> !known.contains(key) && !key.startsWith(".") && !key.endsWith(DS_TARGET)
                        && FRAMEWORK_KEYS.stream().noneMatch(key::startsWith))
                .sorted()
                .map(key -> source + ": " + ConfigValues.inLine(key) + ": unknown key, ignored" + closest(key)
                        .map(match -> " (did you mean " + match + "?)").orElse(""))
                .collect(Collectors.toUnmodifiableList());
    }

    private Optional<String> closest(String key) {
        return known.stream().filter(candidate -> distance(key, candidate) <= Math.max(1, key.length() / 4))
                .min(Comparator.comparingInt((String candidate) -> distance(key, candidate))
                        .thenComparing(Comparator.naturalOrder()));
    }

    /** The optimal string alignment distance: edits, a swap of two neighbours counting as one (keepalvie). */
    static int distance(String a, String b) {
        String x = a.toLowerCase(java.util.Locale.ROOT);
        String y = b.toLowerCase(java.util.Locale.ROOT);
        int[][] d = new int[x.length() + 1][y.length() + 1];
        for (int i = 0; i <= x.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= y.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            for (int j = 1; j <= y.length(); j++) {
                int cost = x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && x.charAt(i - 1) == y.charAt(j - 2) && x.charAt(i - 2) == y.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[x.length()][y.length()];
    }

    private static Map<String, Object> withoutNulls(Map<String, ?> configuration) {
        Map<String, Object> copy = new LinkedHashMap<>();
        configuration.forEach((key, value) -> {
            if (key != null && value != null) {
                copy.put(key, value);
            }
        });
        return copy;
    }

    /** The configuration less the keys found bad so far; records every key a reader looks up. */
    private final class ReadingView extends AbstractMap<String, Object> {

        private final Set<String> leftOut;

        ReadingView(Set<String> leftOut) {
            this.leftOut = Set.copyOf(leftOut);
        }

        @Override
        public Object get(Object key) {
            if (key instanceof String name) {
                known.add(name);
                return leftOut.contains(name) ? null : configuration.get(name);
            }
            return null;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            Map<String, Object> visible = new LinkedHashMap<>(configuration);
            visible.keySet().removeAll(leftOut);
            return Collections.unmodifiableMap(visible).entrySet();
        }
    }
}
