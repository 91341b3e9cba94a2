package io.connback.folders.internal.conf;

import io.connback.config.ConfigValues;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The files of the watched {@code conf/} folders and what became of them: each {@code *.cfg} that can be read is
 * applied as a configuration, and every file that does nothing, or does it with a flaw, gets one line that names it.
 *
 * <p>Not thread-safe: owned by the {@code connback-conf} thread ({@link ConfWatcher}), which calls every method, and
 * through it Configuration Admin, never under a lock.
 */
final class ConfFiles {

    /** The property that names the file of a configuration, as {@link Display#path} shows it. */
    static final String FILE_PROPERTY = "connback.file";

    private static final String NAMING = "files are named <pid>-<link name>.cfg";

    private final Configurations configurations;
    private final Path workingDirectory;
    private final Logger log;
    private final Map<Path, FileState> files = new HashMap<>();
    /** The file that each configuration comes from. */
    private final Map<String, Path> owners = new HashMap<>();
    /** The configurations made from files before this run, by PID, with the file they name. */
    private Map<String, String> earlier = Map.of();
    /** The PIDs that installed components read; {@code null} until known. */
    private Readers readers;

    /** What is known of one {@code *.cfg} file. */
    private static final class FileState {
        final ConfFileName name;
        final String shown;
        /** Its configuration exists, from this file or from an earlier run with it. */
        boolean applied;
        /** Whether to tell if no installed component reads its PID: not told yet since its last save. */
        boolean checkReaders;
        /** Told that no installed component reads its PID, and not told since that one does. */
        boolean toldUnread;
        boolean permissionsWarned;

        FileState(ConfFileName name, String shown) {
            this.name = name;
            this.shown = shown;
        }
    }

    /**
     * The files' state, empty at first.
     *
     * @param configurations where their configurations go
     * @param workingDirectory the absolute, normalized working directory, against which file paths are shown
     * @param log where the lines go
     */
    ConfFiles(Configurations configurations, Path workingDirectory, Logger log) {
        this.configurations = configurations;
        this.workingDirectory = workingDirectory;
        this.log = log;
    }

    /**
     * Reads which configurations files made before (a framework that keeps its configurations across restarts), so
     * that a file that cannot be read now is known to have an applied version. Called once, before the files.
     */
    void start() {
        try {
            earlier = configurations.fromFiles();
        } catch (IOException | RuntimeException e) {
            log.log(Level.WARNING, "cannot list the configurations made from files: "
                    + ConfigValues.inLine(e.toString()));
        }
    }

    /**
     * Deletes the configurations that files made before this run and whose file is gone. Called once, when the
     * files present at the start are read.
     *
     * @param present the {@code *.cfg} files now in the folders
     */
    void deleteOrphans(Collection<Path> present) {
        Set<String> kept = present.stream().map(file -> ConfFileName.of(file.getFileName().toString()))
                .filter(name -> name.kind() == ConfFileName.Kind.CONFIGURATION).map(ConfFileName::configurationPid)
                .collect(Collectors.toSet());
        earlier.forEach((pid, file) -> {
            if (!kept.contains(pid)) {
                try {
                    if (configurations.delete(pid)) {
                        log.log(Level.INFO, "configuration " + ConfigValues.inLine(pid) + " deleted: its file "
                                + ConfigValues.inLine(file) + " is gone");
                    }
                } catch (IOException | RuntimeException e) {
                    log.log(Level.WARNING, "configuration " + ConfigValues.inLine(pid) + " of the gone file "
                            + ConfigValues.inLine(file) + " cannot be deleted: " + ConfigValues.inLine(e.toString()));
                }
            }
        });
        earlier = Map.of();
    }

    /**
     * A {@code *.cfg} file was created or saved: reads it, applies it unless it is malformed, and tells what is wrong.
     *
     * @param file the file
     * @param content its bytes
     * @param permissions its POSIX permissions, or {@code null} where the file system has none
     */
    void saved(Path file, byte[] content, Set<PosixFilePermission> permissions) {
        ConfFileName name = ConfFileName.of(file.getFileName().toString());
        String shown = ConfigValues.inLine(Display.path(file, workingDirectory));
        if (name.isFactory() && name.name().isEmpty()) {
            log.log(Level.WARNING, shown + ": ignored: no link name after the '-' (" + NAMING + ")");
            return;
        }
        String pid = name.configurationPid();
        Path owner = owners.putIfAbsent(pid, file);
        if (owner != null && !owner.equals(file)) {
            log.log(Level.WARNING, shown + ": ignored: " + ConfigValues.inLine(Display.path(owner, workingDirectory))
                    + " already configures " + ConfigValues.inLine(pid));
            return;
        }
        FileState state = files.computeIfAbsent(file, created -> new FileState(name, shown));
        state.applied |= earlier.containsKey(pid);
        CfgFile cfg;
        try {
            cfg = CfgFile.parse(content);
        } catch (CfgSyntaxException e) {
            log.log(Level.WARNING, shown + ": line " + e.line() + ": cannot be read: " + e.getMessage()
                    + (state.applied ? "; its previous version stays applied" : "; not applied"));
            return;
        }
        for (CfgFile.Duplicate duplicate : cfg.duplicates()) {
            log.log(Level.WARNING, shown + ": line " + duplicate.line() + ": " + ConfigValues.inLine(duplicate.key())
                    + ": duplicate key (" + lines(duplicate.earlierLines()) + "); the last one counts");
        }
        Map<String, String> properties = cfg.properties();
        checkPermissions(state, properties, permissions);
        properties.put(FILE_PROPERTY, Display.path(file, workingDirectory));
        try {
            Configurations.Outcome outcome = configurations.apply(name, properties);
            state.applied = true;
            if (outcome != Configurations.Outcome.UNCHANGED) {
                log.log(Level.INFO, shown + ": configuration " + ConfigValues.inLine(pid) + " "
                        + outcome.name().toLowerCase(Locale.ROOT));
            }
        } catch (IOException | RuntimeException e) {
            log.log(Level.WARNING, shown + ": not applied: Configuration Admin failed: "
                    + ConfigValues.inLine(e.toString())
                    + (state.applied ? "; its previous version stays applied" : ""));
            return;
        }
        state.checkReaders = true;
        state.toldUnread = false;
        checkReaders(state);
    }

    /**
     * A {@code *.cfg} file could not be read.
     *
     * @param file the file
     * @param why why, safe to log
     */
    void unreadable(Path file, String why) {
        String shown = ConfigValues.inLine(Display.path(file, workingDirectory));
        FileState state = files.get(file);
        log.log(Level.WARNING, shown + ": cannot be read: " + why
                + (state != null && state.applied ? "; its previous version stays applied" : "; not applied"));
    }

    /**
     * A {@code *.cfg} file is gone: its configuration is deleted.
     *
     * @param file the file
     */
    void deleted(Path file) {
        FileState state = files.remove(file);
        ConfFileName name = ConfFileName.of(file.getFileName().toString());
        String pid = name.configurationPid();
        if (!file.equals(owners.get(pid))) {
            return; // ignored: another file configures that PID
        }
        owners.remove(pid);
        String shown = state != null ? state.shown : ConfigValues.inLine(Display.path(file, workingDirectory));
        try {
            if (configurations.delete(pid)) {
                log.log(Level.INFO, shown + ": deleted: configuration " + ConfigValues.inLine(pid) + " deleted");
            }
        } catch (IOException | RuntimeException e) {
            log.log(Level.WARNING, shown + ": deleted, but its configuration " + ConfigValues.inLine(pid)
                    + " cannot be deleted: " + ConfigValues.inLine(e.toString()));
        }
    }

    /**
     * A file that is not read: a note (README, {@code *.txt}, {@code *.md}) is left alone silently, anything else
     * gets one line.
     *
     * @param file the file or folder
     * @param kind what its name says it is
     */
    void ignored(Path file, ConfFileName.Kind kind) {
        String shown = ConfigValues.inLine(Display.path(file, workingDirectory));
        switch (kind) {
            case NOTE -> log.log(Level.DEBUG, shown + ": a note, not read");
            case OTHER -> log.log(Level.INFO, shown + ": ignored: only *.cfg files are read");
            default -> { } // hidden and temporary files: nothing to say
        }
    }

    /**
     * The installed components changed, or are known for the first time: each applied file that no component
     * reads, and that was not told so since its last save, gets one line; a file that a newly installed component
     * reads gets one line too.
     *
     * @param installed the PIDs that the installed components read
     */
    void readersChanged(Readers installed) {
        readers = installed;
        files.values().stream().sorted(Comparator.comparing(state -> state.shown)).forEach(this::checkReaders);
    }

    /**
     * The installed components are changing (bundles come and go): until {@link #readersChanged} tells them again,
     * saved files are not checked against what may be outdated.
     */
    void readersChanging() {
        readers = null;
    }

    private void checkReaders(FileState state) {
        if (readers == null || !state.applied) {
            return;
        }
        boolean read = readers.read(state.name.pid());
        if (!read && state.checkReaders) {
            log.log(Level.WARNING, state.shown + ": no installed connector or component reads "
                    + ConfigValues.quote(state.name.pid()) + " (" + NAMING + "; known: " + readers.known() + ")");
            state.toldUnread = true;
        } else if (read && state.toldUnread) {
            log.log(Level.INFO, state.shown + ": " + ConfigValues.quote(state.name.pid())
                    + " is installed now, and reads it");
            state.toldUnread = false;
        }
        state.checkReaders = false;
    }

    private void checkPermissions(FileState state, Map<String, String> properties,
            Set<PosixFilePermission> permissions) {
        boolean secret = properties.entrySet().stream().anyMatch(entry -> !entry.getValue().isBlank()
                && entry.getKey().toLowerCase(Locale.ROOT).endsWith("password"));
        boolean exposed = permissions != null && (permissions.contains(PosixFilePermission.GROUP_READ)
                || permissions.contains(PosixFilePermission.OTHERS_READ));
        if (secret && exposed) {
            if (!state.permissionsWarned) {
                log.log(Level.WARNING, state.shown + ": holds a password and is readable by others; chmod 600 it");
            }
            state.permissionsWarned = true;
        } else {
            state.permissionsWarned = false;
        }
    }

    private static String lines(List<Integer> earlier) {
        if (earlier.size() == 1) {
            return "line " + earlier.get(0) + " also sets it";
        }
        List<String> numbers = new ArrayList<>();
        earlier.forEach(line -> numbers.add(line.toString()));
        return "lines " + String.join(", ", numbers.subList(0, numbers.size() - 1)) + " and "
                + numbers.get(numbers.size() - 1) + " also set it";
    }
}
