package io.connback.folders.internal.conf;

import io.connback.config.ConfigValues;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ManagedService;
import org.osgi.service.cm.ManagedServiceFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The gateway's {@code conf/}: the folders of the framework property {@value #FOLDERS_PROPERTY} (absolute paths,
 * separated by commas) are watched, and each {@code *.cfg} file in them is read as UTF-8 and applied as a
 * Configuration Admin configuration within about 0.2 s of its save; a deleted file deletes its configuration. Every
 * file that cannot be read, or that holds a flaw, gets one WARNING line that names it (see {@link ConfFiles}): a
 * malformed line, a duplicate key, a PID that no installed component reads, a password that others can read.
 *
 * <p>Each configuration carries the property {@value ConfFiles#FILE_PROPERTY}, the file as the log shows it, so that
 * the components can name the file in their own errors. Without the framework property, nothing is watched.
 *
 * <p>Threads: the files are read and applied on the thread {@value ConfWatcher#THREAD_NAME}, which this component
 * starts and stops with itself; the framework's listeners only set its flags.
 */
@Component(service = {}, configurationPolicy = ConfigurationPolicy.IGNORE)
public final class ConfFolder {

    /** The framework property naming the watched folders. */
    static final String FOLDERS_PROPERTY = "connback.conf";

    private static final Logger LOG = System.getLogger(ConfFolder.class.getName());
    private static final String IGNORE_POLICY = "ignore";
    private static final List<String> MANAGED_SERVICES =
            List.of(ManagedService.class.getName(), ManagedServiceFactory.class.getName());

    private final BundleContext context;
    private final ServiceComponentRuntime runtime;
    private final ConfWatcher watcher;
    private final BundleListener bundleListener;
    private final FrameworkListener frameworkListener;

    /**
     * Starts watching the folders of the framework property, if set.
     *
     * @param context the bundle's context: the framework property, the bundles' events
     * @param admin where the configurations go
     * @param runtime tells which PIDs the installed components read
     */
    @Activate
    public ConfFolder(BundleContext context, @Reference(name = "configurationAdmin") ConfigurationAdmin admin,
            @Reference(name = "componentRuntime") ServiceComponentRuntime runtime) {
        this.context = context;
        this.runtime = runtime;
        List<Path> folders = folders(context.getProperty(FOLDERS_PROPERTY));
        if (folders.isEmpty()) {
            LOG.log(Level.DEBUG, "framework property " + FOLDERS_PROPERTY + " not set: no conf folder is watched");
            this.watcher = null;
            this.bundleListener = null;
            this.frameworkListener = null;
            return;
        }
        ConfFiles files = new ConfFiles(new AdminConfigurations(admin), Path.of("").toAbsolutePath().normalize(),
                LOG);
        ConfWatcher started = ConfWatcher.start(folders, files, this::readers, ConfWatcher.Timing.GATEWAY, LOG);
        this.watcher = started;
        this.bundleListener = event -> started.componentsChanged();
        this.frameworkListener = event -> {
            if (event.getType() == FrameworkEvent.STARTED) {
                started.frameworkStarted();
            }
        };
        context.addBundleListener(bundleListener);
        context.addFrameworkListener(frameworkListener);
        // after adding the listener, so that a start between the two is not missed
        if (context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getState() == Bundle.ACTIVE) {
            started.frameworkStarted();
        }
    }

    /**
     * Stops watching; the configurations stay.
     *
     * @throws InterruptedException if interrupted while the watcher thread ends
     */
    @Deactivate
    void deactivate() throws InterruptedException {
        if (watcher != null) {
            context.removeBundleListener(bundleListener);
            context.removeFrameworkListener(frameworkListener);
            watcher.stop();
        }
    }

    /**
     * The PIDs that the installed components read: those of the DS components that take a configuration, named
     * when declared, and those of managed services.
     */
    private Readers readers() {
        SortedSet<String> pids = new TreeSet<>();
        SortedSet<String> named = new TreeSet<>();
        for (ComponentDescriptionDTO description : runtime.getComponentDescriptionDTOs()) {
            if (!IGNORE_POLICY.equals(description.configurationPolicy) && description.configurationPid != null) {
                for (String pid : description.configurationPid) {
                    pids.add(pid);
                    if (!pid.equals(description.name)) {
                        named.add(pid);
                    }
                }
            }
        }
        for (String managed : MANAGED_SERVICES) {
            try {
                ServiceReference<?>[] references = context.getAllServiceReferences(managed, null);
                for (ServiceReference<?> reference : references == null ? new ServiceReference<?>[0] : references) {
                    addPids(reference.getProperty(Constants.SERVICE_PID), pids);
                }
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e); // no filter
            }
        }
        return new Readers(pids, named);
    }

    private static void addPids(Object pid, Collection<String> pids) {
        if (pid instanceof String single) {
            pids.add(single);
        } else if (pid instanceof String[] several) {
            pids.addAll(Arrays.asList(several));
        } else if (pid instanceof Collection<?> several) {
            several.forEach(each -> pids.add(String.valueOf(each)));
        }
    }

    private static List<Path> folders(String property) {
        List<Path> folders = new ArrayList<>();
        if (property == null) {
            return folders;
        }
        for (String entry : property.split(",")) {
            String folder = entry.trim();
            if (folder.isEmpty()) {
                continue;
            }
            Path path;
            try {
                path = Path.of(folder);
            } catch (InvalidPathException e) {
                LOG.log(Level.WARNING, FOLDERS_PROPERTY + ": " + ConfigValues.inLine(folder) + " is no path; not watched");
                continue;
            }
            if (path.isAbsolute()) {
                folders.add(path.normalize());
            } else {
                LOG.log(Level.WARNING, FOLDERS_PROPERTY + ": " + ConfigValues.inLine(folder)
                        + " is not an absolute path; not watched");
            }
        }
        return folders;
    }
}
