package io.connback.folders.internal.deploy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Installs, updates and uninstalls the bundles of the jar files of one folder, one scan at a time, and gives every
 * file that is not a valid bundle one line that says why.
 *
 * <p>A file is looked at once its size and modification time have not changed for the settle time. A jar is
 * installed or updated from the bytes that were checked ({@link JarCheck}), read once. A {@code .jar} that is no
 * complete zip file may still be being written: it is reported only when it stayed so for the incomplete time. An
 * invalid file never touches the bundle installed from an earlier version of it: that one keeps running. Each file's
 * line is logged once for its content, and again when the content changes; names of files in the making (hidden,
 * {@code *.tmp}, {@code *.part}, {@code *~}) are waited for without a line.
 *
 * <p>Not thread-safe: one thread ({@link DeployFolder}'s) makes every scan; it owns all this state and calls the
 * framework (install, update, uninstall, refresh, start) from there, under no lock.
 */
final class Deployer {

    /** What {@link #scan(long)} returns when no file waits for a time to pass. */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(30);
    private static final long NO_BUNDLE = -1;
    private static final int ACTIVE_OR_STARTING = Bundle.ACTIVE | Bundle.STARTING;
    /** Felix appends the whole list of what could not be resolved to the first missing requirement. */
    private static final String UNRESOLVED_LIST = " Unresolved requirements:";

    /** Where the lines go: the component's System.Logger, or a test's record. */
    @FunctionalInterface
    interface Log {
        /**
         * Logs one line.
         *
         * @param level its level
         * @param message the line
         */
        void log(Level level, String message);
    }

    private final BundleContext context;
    private final Path folder;
    private final long settleNanos;
    private final long incompleteNanos;
    private final Log log;
    private final Map<String, FileState> files = new TreeMap<>();
    /** The bundles of this folder that did not start, with the reason logged: tried again after each change. */
    private final Map<Long, String> notStarted = new LinkedHashMap<>();
    private boolean adopted;
    private String folderProblem;

    /**
     * Creates the deployer of a folder; nothing happens before the first scan.
     *
     * @param context the context that installs the bundles
     * @param folder the folder, absolute
     * @param settle how long a file's size and modification time must stay the same before it is looked at
     * @param incomplete how long a {@code .jar} may stay an incomplete zip file before it is reported
     * @param log where the lines go
     */
    Deployer(BundleContext context, Path folder, Duration settle, Duration incomplete, Log log) {
        this.context = context;
        this.folder = folder;
        this.settleNanos = settle.toNanos();
        this.incompleteNanos = incomplete.toNanos();
        this.log = log;
    }

    /**
     * Looks at every file of the folder and acts on those that changed and are complete. The first scan first
     * takes over the bundles installed from files of the folder in an earlier run of a persisted framework: a file
     * whose bundle is there and not older than the file is not installed again.
     *
     * @param now the current {@link System#nanoTime()}
     * @return the {@link System#nanoTime()} at which a file waiting for its settle or incomplete time is due, or
     *     {@link #NO_DEADLINE}
     */
    long scan(long now) {
        if (!adopted) {
            adoptInstalled();
            adopted = true;
        }
        Map<String, Stamp> listing;
        try {
            listing = list();
            folderProblem = null;
        } catch (IOException e) {
            String problem = folder + ": cannot be read: " + e;
            if (!problem.equals(folderProblem)) {
                log.log(Level.WARNING, problem);
                folderProblem = problem;
            }
            return NO_DEADLINE;
        }
        Changes changes = new Changes();
        for (Iterator<FileState> it = files.values().iterator(); it.hasNext(); ) {
            FileState file = it.next();
            if (!listing.containsKey(file.name)) {
                it.remove();
                uninstall(file, changes);
            }
        }
        long next = NO_DEADLINE;
        for (Map.Entry<String, Stamp> entry : listing.entrySet()) {
            FileState file = files.computeIfAbsent(entry.getKey(), FileState::new);
            next = Math.min(next, examine(file, entry.getValue(), now, changes));
        }
        changes.apply();
        return next;
    }

    private void adoptInstalled() {
        for (Bundle bundle : context.getBundles()) {
            String name = fileName(bundle.getLocation());
            if (name != null) {
                FileState file = files.computeIfAbsent(name, FileState::new);
                file.bundleId = bundle.getBundleId();
                file.adopted = true;
            }
        }
    }

    /** Acts on one file if it changed and is complete; returns when it is due again, or NO_DEADLINE. */
    private long examine(FileState file, Stamp stamp, long now, Changes changes) {
        if (stamp.equals(file.handled)) {
            return NO_DEADLINE;
        }
        if (!stamp.equals(file.seen)) {
            file.seen = stamp;
            file.seenAt = now;
        }
        if (now - file.seenAt < settleNanos) {
            return file.seenAt + settleNanos;
        }
        if (isTemporary(file.name)) {
            log.log(Level.DEBUG, display(file) + ": waiting: a temporary name");
            file.handled = stamp;
            return NO_DEADLINE;
        }
        if (stamp.directory() || !file.name.toLowerCase(Locale.ROOT).endsWith(".jar")) {
            file.handled = stamp;
            log.log(Level.WARNING, display(file) + ": ignored: " + (stamp.directory()
                    ? "a folder (only the jar files directly in " + folder.getFileName() + "/ are installed)"
                    : "not a jar"));
            return NO_DEADLINE;
        }
        long incompleteUntil = file.seenAt + incompleteNanos;
        if (stamp.equals(file.incomplete) && now - incompleteUntil < 0) {
            return incompleteUntil; // checked as it is now already
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(folder.resolve(file.name));
        } catch (IOException e) {
            return incomplete(file, stamp, now, "cannot read it: " + e, null);
        }
        Stamp read = stampOrNull(folder.resolve(file.name));
        if (!stamp.equals(read)) {
            // written to while it was read: what was read is not what is there
            return now + settleNanos;
        }
        JarCheck.Result result = JarCheck.check(bytes);
        if (result instanceof JarCheck.NotAJar notAJar) {
            return incomplete(file, stamp, now, notAJar.reason(), bytes);
        } else if (result instanceof JarCheck.NotABundle notABundle) {
            refuse(file, stamp, digest(bytes), notABundle.reason());
        } else {
            deploy(file, stamp, bytes, (JarCheck.Bundle) result, changes);
        }
        return NO_DEADLINE;
    }

    /**
     * A jar that cannot be read, or is no complete zip file: waited for, then reported.
     *
     * @param bytes what was read, or null if it could not be read
     */
    private long incomplete(FileState file, Stamp stamp, long now, String reason, byte[] bytes) {
        long until = file.seenAt + incompleteNanos;
        if (now - until < 0) {
            if (!stamp.equals(file.incomplete)) {
                log.log(Level.DEBUG, display(file) + ": waiting for it to be complete: " + reason);
                file.incomplete = stamp;
            }
            return until;
        }
        refuse(file, stamp, digest(bytes != null ? bytes : reason.getBytes(StandardCharsets.UTF_8)), reason);
        return NO_DEADLINE;
    }

    /** Logs why a file is not installed, once for its content. */
    private void refuse(FileState file, Stamp stamp, String digest, String reason) {
        file.handled = stamp;
        file.incomplete = null;
        if (digest.equals(file.refusedDigest)) {
            return; // touched, the same content: its line was logged
        }
        file.refusedDigest = digest;
        Bundle current = file.bundle(context);
        log.log(Level.WARNING, display(file) + (current == null ? ": not installed: " : ": not updated: ") + reason
                + (current == null ? "" : "; bundle " + describe(current) + " keeps running"));
    }

    private void deploy(FileState file, Stamp stamp, byte[] bytes, JarCheck.Bundle checked, Changes changes) {
        Bundle current = file.bundle(context);
        if (file.adopted) {
            file.adopted = false;
            if (current != null && current.getSymbolicName().equals(checked.symbolicName())
                    && current.getVersion().equals(checked.version())
                    && stamp.modified().toMillis() <= current.getLastModified()) {
                log.log(Level.DEBUG, display(file) + ": bundle " + checked + " was installed from it already");
                file.handled = stamp;
                return;
            }
        }
        Bundle twin = twin(checked, current);
        if (twin != null) {
            refuse(file, stamp, digest(bytes), "bundle " + checked + " is installed from " + origin(twin)
                    + " already");
            return;
        }
        try {
            if (current == null) {
                Bundle installed = context.installBundle(location(file), new ByteArrayInputStream(bytes));
                file.bundleId = installed.getBundleId();
                log.log(Level.INFO, display(file) + ": installed bundle " + checked);
                changes.installed(installed, checked.fragment());
            } else {
                update(file, current, bytes, checked, changes);
            }
        } catch (BundleException e) {
            refuse(file, stamp, digest(bytes), e.getMessage());
            return;
        }
        file.handled = stamp;
        file.incomplete = null;
        file.refusedDigest = null;
    }

    /**
     * Updates a bundle in place, stopped transiently first (as FileInstall does) so that it starts once, after the
     * refresh, not once in {@code update()} and again in the refresh.
     */
    private void update(FileState file, Bundle current, byte[] bytes, JarCheck.Bundle checked, Changes changes)
            throws BundleException {
        String before = describe(current);
        boolean fragment = current.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
        boolean started = (current.getState() & ACTIVE_OR_STARTING) != 0
                || notStarted.containsKey(current.getBundleId());
        if (started && !fragment) {
            current.stop(Bundle.STOP_TRANSIENT);
        }
        try {
            current.update(new ByteArrayInputStream(bytes));
        } catch (BundleException e) {
            if (started && !fragment) {
                changes.start(current); // as it was
            }
            throw e;
        }
        log.log(Level.INFO, display(file) + ": updated bundle " + checked
                + (before.equals(checked.toString()) ? "" : " (was " + before + ")"));
        changes.refresh(current);
        if (started && !checked.fragment()) {
            changes.start(current);
        }
    }

    private void uninstall(FileState file, Changes changes) {
        Bundle current = file.bundle(context);
        if (current == null) {
            return;
        }
        String what = describe(current);
        try {
            current.uninstall();
            log.log(Level.INFO, display(file) + ": uninstalled bundle " + what + " (its file was removed)");
            notStarted.remove(current.getBundleId());
            changes.refresh(current);
        } catch (BundleException e) {
            log.log(Level.WARNING, display(file) + ": bundle " + what + " not uninstalled: " + e.getMessage());
        }
    }

    /** Another bundle with the same symbolic name and version: the framework would refuse a second one. */
    private Bundle twin(JarCheck.Bundle checked, Bundle current) {
        for (Bundle bundle : context.getBundles()) {
            if (bundle != current && checked.symbolicName().equals(bundle.getSymbolicName())
                    && checked.version().equals(bundle.getVersion())) {
                return bundle;
            }
        }
        return null;
    }

    /** What changed in one scan: refreshed, then started, once all its files were acted on. */
    private final class Changes {

        private final List<Bundle> refresh = new ArrayList<>();
        private final Set<Bundle> start = new LinkedHashSet<>();
        private boolean changed;

        void installed(Bundle bundle, boolean fragment) {
            changed = true;
            if (!fragment) {
                start.add(bundle);
            }
        }

        void refresh(Bundle bundle) {
            changed = true;
            refresh.add(bundle);
        }

        void start(Bundle bundle) {
            start.add(bundle);
        }

        void apply() {
            if (!refresh.isEmpty()) {
                refreshAndWait(refresh);
            }
            if (changed) {
                // what did not start may now find what it needs
                for (Long id : List.copyOf(notStarted.keySet())) {
                    Bundle bundle = context.getBundle(id);
                    if (bundle != null) {
                        start.add(bundle);
                    } else {
                        notStarted.remove(id);
                    }
                }
            }
            start.forEach(Deployer.this::start);
        }
    }

    private void refreshAndWait(List<Bundle> bundles) {
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class)
                .refreshBundles(bundles, event -> refreshed.countDown());
        try {
            if (!refreshed.await(REFRESH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.log(Level.WARNING, "the refresh of " + bundles.stream().map(Deployer::describe).toList()
                        + " did not finish within " + REFRESH_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void start(Bundle bundle) {
        if (bundle.getState() == Bundle.UNINSTALLED || (bundle.getState() & ACTIVE_OR_STARTING) != 0) {
            notStarted.remove(bundle.getBundleId());
            return;
        }
        try {
            bundle.start();
            if (notStarted.remove(bundle.getBundleId()) != null) {
                log.log(Level.INFO, origin(bundle) + ": bundle " + describe(bundle) + " started");
            }
        } catch (BundleException e) {
            String why = String.valueOf(e.getMessage());
            int list = why.indexOf(UNRESOLVED_LIST);
            why = list > 0 ? why.substring(0, list) : why;
            if (!why.equals(notStarted.put(bundle.getBundleId(), why))) {
                log.log(Level.WARNING, origin(bundle) + ": bundle " + describe(bundle) + " installed but not "
                        + "started: " + why);
            }
        }
    }

    private Map<String, Stamp> list() throws IOException {
        Map<String, Stamp> listing = new TreeMap<>();
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path entry : entries.toList()) {
                Stamp stamp = stampOrNull(entry);
                if (stamp != null) {
                    listing.put(entry.getFileName().toString(), stamp);
                }
            }
        }
        return listing;
    }

    /** The stamp of a file, or null if it is gone. */
    private static Stamp stampOrNull(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.isDirectory(), attributes.size(), attributes.lastModifiedTime());
        } catch (IOException e) {
            return null;
        }
    }

    static boolean isTemporary(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.startsWith(".") || lower.endsWith(".tmp") || lower.endsWith(".part") || lower.endsWith("~");
    }

    private String location(FileState file) {
        return folder.resolve(file.name).toUri().toString();
    }

    /** The name of the file of this folder a bundle was installed from, or null. */
    private String fileName(String location) {
        Path file = pathOf(location);
        return file != null && folder.equals(file.getParent()) ? file.getFileName().toString() : null;
    }

    /** Where a bundle comes from, for a line: its file, relative to the folder's parent when it is in this one. */
    private String origin(Bundle bundle) {
        String name = fileName(bundle.getLocation());
        if (name != null) {
            return folder.getFileName() + "/" + name;
        }
        Path file = pathOf(bundle.getLocation());
        return file != null ? file.toString() : bundle.getLocation();
    }

    private static Path pathOf(String location) {
        try {
            URI uri = new URI(location);
            return "file".equals(uri.getScheme()) ? Path.of(uri).normalize() : null;
        } catch (Exception e) {
            return null; // not a file URI: no file of this folder
        }
    }

    private String display(FileState file) {
        return folder.getFileName() + "/" + file.name;
    }

    private static String describe(Bundle bundle) {
        return bundle.getSymbolicName() + " " + bundle.getVersion();
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * A file as a scan sees it: what tells that it changed.
     *
     * @param directory whether it is a folder
     * @param size its size
     * @param modified its modification time
     */
    record Stamp(boolean directory, long size, FileTime modified) {}

    /** The state of one file of the folder. */
    private static final class FileState {

        final String name;
        /** The stamp last seen, and the {@link System#nanoTime()} it was first seen at. */
        Stamp seen;
        long seenAt;
        /** The stamp last acted on or reported; the file waits for a change. */
        Stamp handled;
        /** The stamp of a jar found incomplete, waited for. */
        Stamp incomplete;
        /** The SHA-256 of the content last refused, whose line was logged. */
        String refusedDigest;
        long bundleId = NO_BUNDLE;
        /** The bundle was installed from this file in an earlier run: the file's first scan checks it. */
        boolean adopted;

        FileState(String name) {
            this.name = name;
        }

        /** The bundle installed from this file, or null if none is (or it was uninstalled by someone else). */
        Bundle bundle(BundleContext context) {
            if (bundleId == NO_BUNDLE) {
                return null;
            }
            Bundle bundle = context.getBundle(bundleId);
            return bundle == null || bundle.getState() == Bundle.UNINSTALLED ? null : bundle;
        }
    }
}
