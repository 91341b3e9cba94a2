package io.connback.gateway;

import io.connback.testing.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.hooks.service.EventListenerHook;
import org.osgi.framework.hooks.service.FindHook;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Runs the gateway in the foreground: an OSGi framework (Apache Felix) that installs and starts the bundles of
 * {@code bundle/}, and watches the deploy folder (connector bundles: dropped, replaced or removed jars are installed,
 * updated or uninstalled) and the conf folder (link configurations, {@code *.cfg}). Everything is logged to
 * {@code gateway.log} in the log folder, rotated by size, and to the console. SIGTERM stops the framework, which
 * ends the links, and the process exits with 0.
 *
 * <p>The command line is described by {@link GatewayOptions} ({@code --help}); {@code bin/gateway} names the
 * installation folder with the system property {@code connback.gateway.home}. One gateway runs per data folder
 * ({@link GatewayLock}): a second start exits with 1. {@code --demo} also runs a local TCP device that drops its
 * connections every few seconds, and a link to it, whose configuration lives in the data folder while the demo runs
 * and is deleted when it stops: the conf folder is left alone. The Gogo console reads the terminal only: it is left
 * out when standard input is not a terminal or with {@code --no-console}, and its {@code telnetd} command is hidden
 * ({@link NoNetworkShell}).
 */
public final class Launcher {

    private static final Logger LOG = System.getLogger("io.connback.gateway");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final String GOGO_SHELL = "org.apache.felix.gogo.shell";
    private static final String LOG_SERVICE = "org.apache.felix.log";
    private static final String DEMO_CONFIGURATION = "io.connback.tcp-demo.cfg";
    /** Exit status of a gateway that cannot start. */
    private static final int CANNOT_START = 1;
    /** Exit status of a bad command line. */
    private static final int BAD_USAGE = 2;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final GatewayOptions options;
    private final GatewayLock lock;

    private Launcher(GatewayOptions options, GatewayLock lock) {
        this.options = options;
        this.lock = lock;
    }

    /**
     * Runs the gateway until the framework stops, then exits with 0.
     *
     * @param args the options, see {@link GatewayOptions#USAGE}
     * @throws Exception if the gateway cannot start
     */
    public static void main(String[] args) throws Exception {
        GatewayOptions options;
        try {
            options = GatewayOptions.parse(List.of(args), Path.of(System.getProperty("connback.gateway.home", ".")),
                    System.getenv(), System.getProperty(GatewayOptions.LOG_LEVEL_PROPERTY), System.console() != null);
        } catch (GatewayOptions.UsageException e) {
            System.err.println("gateway: " + e.getMessage());
            if (e.showUsage()) {
                System.err.println(GatewayOptions.USAGE);
            }
            System.exit(BAD_USAGE);
            return;
        }
        if (options.help()) {
            System.out.println(GatewayOptions.USAGE);
            System.exit(0);
            return;
        }
        try {
            if (!Files.isDirectory(options.data())) {
                makeOwnerOnlyFolder(options.data());
            }
            new Launcher(options, GatewayLock.acquire(options.data())).run();
        } catch (GatewayLock.HeldException e) {
            System.err.println("gateway: " + e.getMessage());
            System.exit(CANNOT_START);
        } catch (IOException | UncheckedIOException e) {
            // a folder that cannot be made or written: one line naming it, not a stack trace
            System.err.println("gateway: cannot start: " + (e instanceof UncheckedIOException unchecked
                    ? unchecked.getMessage() : e));
            System.exit(CANNOT_START);
        }
    }

    private void run() throws Exception {
        for (Path folder : List.of(options.deploy(), options.conf(), options.log())) {
            Files.createDirectories(folder);
        }
        GatewayLog.configure(options.log().resolve("gateway.log"), options.logFileSize(), options.logFiles(),
                options.logLevel(), options.console());
        long started = System.nanoTime();
        // only now, under the lock: a second gateway started in this data folder must not clean the first's storage
        emptyOwnerOnlyFolder(options.cache());
        DemoDevice device = options.demo() ? startDemo() : null;

        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"))
                .newFramework(frameworkProperties());
        framework.init();
        // from here on, SIGTERM stops the framework cleanly, even while the bundles start
        Thread hook = new Thread(() -> {
            stop(framework);
            stopped(device);
            // SIGTERM would make the exit status 143: a clean stop is a success
            Runtime.getRuntime().halt(0);
        }, "connback-gateway-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        BundleContext system = framework.getBundleContext();
        system.registerService(new String[] {FindHook.class.getName(), EventListenerHook.class.getName()},
                new NoNetworkShell(), null);
        OsgiLogBridge logBridge = new OsgiLogBridge(system);
        logBridge.open();
        List<Bundle> bundles = install(framework);
        framework.start();
        // the log service first, so that the others log to it (and so to the gateway log) from their start
        bundles.stream().filter(bundle -> LOG_SERVICE.equals(bundle.getSymbolicName())).forEach(Launcher::start);
        bundles.stream().filter(bundle -> !LOG_SERVICE.equals(bundle.getSymbolicName())).forEach(Launcher::start);
        LOG.log(Level.INFO, "gateway started in " + Duration.ofNanos(System.nanoTime() - started).toMillis()
                + " ms: " + bundles.size() + " bundles, watching " + options.deploy() + " and " + confFolders()
                + ", logging to " + options.log().resolve("gateway.log"));

        framework.waitForStop(0);
        try {
            // stopped from inside (the console's "stop 0"): the hook has nothing left to do
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return; // SIGTERM: the hook finishes the stop and exits
        }
        stopped(device);
        LOG.log(Level.INFO, "gateway stopped");
        System.exit(0);
    }

    /** The watched configuration folders: the conf folder, and the demo's while it runs. */
    private String confFolders() {
        return options.demo() ? options.conf() + "," + options.demoConf() : options.conf().toString();
    }

    private Map<String, String> frameworkProperties() {
        Map<String, String> properties = new HashMap<>();
        properties.put(Constants.FRAMEWORK_STORAGE, options.cache().toString());
        properties.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "org.osgi.service.log;version=1.5.0");
        // the log service drops what is below WARNING by default: the folders tell at INFO what they apply
        properties.put("org.osgi.service.log.admin.loglevel", osgiLogLevel(options.logLevel()));
        // the folders io.connback.folders watches: absolute paths, the configuration folders a comma-separated list
        properties.put("connback.conf", confFolders());
        properties.put("connback.deploy", options.deploy().toString());
        // what outlives a restart (the MQTT links' durable queues): the data folder, never its cache/
        properties.put("connback.data", options.data().toString());
        // Felix HTTP listens only where the web status bundle (io.connback.web) tells it, from
        // conf/io.connback.http.cfg: never on its own default (every interface, port 8080), nor without that bundle
        properties.put("org.apache.felix.http.enable", "false");
        return properties;
    }

    /** The OSGi log service's level for the gateway's: what it keeps is what the gateway log may write. */
    private static String osgiLogLevel(Level level) {
        return switch (level) {
            case ALL, TRACE -> "TRACE";
            case DEBUG -> "DEBUG";
            case INFO -> "INFO";
            case WARNING -> "WARN";
            case ERROR -> "ERROR";
            case OFF -> "AUDIT";
        };
    }

    /**
     * Makes a folder that only this user can read, or empties it: the framework storage holds the bundles' private
     * data (configurations, passwords included), and a fresh one at every start installs exactly {@code bundle/}
     * and what the watched folders hold.
     */
    private static void emptyOwnerOnlyFolder(Path folder) throws IOException {
        if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    if (!file.equals(folder)) {
                        Files.delete(file);
                    }
                }
            }
            Files.setPosixFilePermissions(folder, OWNER_ONLY);
        } else {
            makeOwnerOnlyFolder(folder);
        }
    }

    /** A new folder, mode 0700: a data folder the launcher makes, and the framework storage in it. */
    private static void makeOwnerOnlyFolder(Path folder) throws IOException {
        Files.createDirectories(folder.getParent());
        Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        // the umask may have taken some of the bits: say them again
        Files.setPosixFilePermissions(folder, OWNER_ONLY);
    }

    private List<Bundle> install(Framework framework) throws IOException, BundleException {
        List<Path> jars;
        try (Stream<Path> files = Files.list(options.install().resolve("bundle"))) {
            jars = files.filter(file -> file.getFileName().toString().endsWith(".jar"))
                    .filter(file -> options.console() || !file.getFileName().toString().startsWith(GOGO_SHELL))
                    .sorted(Comparator.comparing(Path::getFileName)).toList();
        }
        List<Bundle> bundles = new ArrayList<>();
        for (Path jar : jars) {
            bundles.add(framework.getBundleContext().installBundle(jar.toUri().toString()));
        }
        return bundles;
    }

    private static void start(Bundle bundle) {
        if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
            return;
        }
        try {
            bundle.start();
        } catch (BundleException e) {
            LOG.log(Level.ERROR, "bundle " + bundle.getSymbolicName() + " did not start: " + e.getMessage(), e);
        }
    }

    private static void stop(Framework framework) {
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT.toMillis());
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.log(Level.WARNING, "the framework did not stop within " + STOP_TIMEOUT.toSeconds() + " s");
            } else {
                LOG.log(Level.INFO, "gateway stopped");
            }
        } catch (BundleException e) {
            LOG.log(Level.ERROR, "the framework did not stop cleanly", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private DemoDevice startDemo() throws IOException {
        // a folder of its own, made again at each start (a killed demo leaves it behind) and deleted at the stop
        Path folder = options.demoConf();
        deleteDemoConf();
        Files.createDirectories(folder);
        Path configuration = folder.resolve(DEMO_CONFIGURATION);
        int port = LoopbackPorts.belowEphemeralRange();
        Files.writeString(configuration, demoConfiguration(port), StandardCharsets.ISO_8859_1);
        DemoDevice device = new DemoDevice(port, Duration.ofSeconds(8), Duration.ofSeconds(3));
        LOG.log(Level.INFO, "demo device listening on 127.0.0.1:" + port + "; it drops its link every 8 s for 3 s ("
                + configuration + ", deleted when the gateway stops)");
        return device;
    }

    private void deleteDemoConf() throws IOException {
        Path folder = options.demoConf();
        Files.deleteIfExists(folder.resolve(DEMO_CONFIGURATION));
        Files.deleteIfExists(folder);
    }

    private static String demoConfiguration(int port) {
        return String.join(System.lineSeparator(),
                "# The link of bin/gateway --demo to its built-in device, which echoes what it gets and drops the",
                "# connection every few seconds. Edit and save: the link takes the change. Delete: the link ends.",
                "host = 127.0.0.1",
                "port = " + port,
                "# lines: a frame ends at a line feed",
                "framing = delimiter:hex:0a",
                "# PING and a line feed, sent when the link has been silent for a keepalive period; the echo answers",
                "ping.frame = hex:50 49 4E 47 0A",
                "keepalive = 2",
                "initialDelay = 200",
                "maxDelay = 3000",
                "");
    }

    /** After the framework stopped: the demo ends, the lock is released. */
    private void stopped(DemoDevice device) {
        try {
            if (device != null) {
                device.close();
                deleteDemoConf();
            }
            lock.release();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot clean up after the stop: " + e);
        }
    }
}
