package io.connback.gateway;

import io.connback.testing.LoopbackPorts;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Runs the gateway in the foreground: an OSGi framework (Apache Felix) that installs and starts the bundles of
 * {@code bundle/}, and FileInstall watching {@code deploy/} (connector bundles: dropped, replaced or removed jars
 * are installed, updated or uninstalled) and {@code conf/} (link configurations, {@code *.cfg}). Everything is
 * logged to the console and to {@code log/gateway.log}. SIGTERM stops the framework, which ends the links, and the
 * process exits with 0.
 *
 * <p>Usage: {@code Launcher [--demo] [--no-console]}, in the gateway's directory or with the system property
 * {@code connback.gateway.home} (as {@code bin/gateway} runs it). {@code --demo} also runs a local TCP device that
 * drops its connections every few seconds, and a link to it ({@code conf/io.connback.tcp-demo.cfg}). The Gogo
 * console reads the terminal only: it is left out when standard input is not a terminal or with
 * {@code --no-console}; no network shell is installed.
 */
public final class Launcher {

    private static final Logger LOG = System.getLogger("io.connback.gateway");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final String GOGO_SHELL = "org.apache.felix.gogo.shell";
    private static final String LOG_SERVICE = "org.apache.felix.log";
    private static final String DEMO_CONFIGURATION = "io.connback.tcp-demo.cfg";

    private final Path home;
    private final boolean demo;
    private final boolean console;

    private Launcher(Path home, boolean demo, boolean console) {
        this.home = home;
        this.demo = demo;
        this.console = console;
    }

    /**
     * Runs the gateway until the framework stops.
     *
     * @param args the options, see the class description
     * @throws Exception if the gateway cannot start
     */
    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("connback.gateway.home", "."));
        boolean demo = false;
        boolean console = System.console() != null;
        for (String arg : args) {
            switch (arg) {
                case "--demo" -> demo = true;
                case "--no-console" -> console = false;
                default -> {
                    System.err.println("usage: gateway [--demo] [--no-console]");
                    System.exit(2);
                }
            }
        }
        new Launcher(home.toAbsolutePath().normalize(), demo, console).run();
    }

    private void run() throws Exception {
        for (String directory : List.of("bundle", "deploy", "conf", "log")) {
            Files.createDirectories(home.resolve(directory));
        }
        GatewayLog.toFile(home.resolve("log/gateway.log"));
        long started = System.nanoTime();
        DemoDevice device = demo ? startDemo() : null;

        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"))
                .newFramework(frameworkProperties());
        framework.init();
        // from here on, SIGTERM stops the framework cleanly, even while the bundles start
        Thread hook = new Thread(() -> {
            stop(framework);
            closeDemo(device);
            // SIGTERM would make the exit status 143: a clean stop is a success
            Runtime.getRuntime().halt(0);
        }, "connback-gateway-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        OsgiLogBridge logBridge = new OsgiLogBridge(framework.getBundleContext());
        logBridge.open();
        List<Bundle> bundles = install(framework);
        framework.start();
        // the log service first, so that the others log to it (and so to the gateway log) from their start
        bundles.stream().filter(bundle -> LOG_SERVICE.equals(bundle.getSymbolicName())).forEach(Launcher::start);
        bundles.stream().filter(bundle -> !LOG_SERVICE.equals(bundle.getSymbolicName())).forEach(Launcher::start);
        LOG.log(Level.INFO, "gateway started in " + Duration.ofNanos(System.nanoTime() - started).toMillis()
                + " ms: " + bundles.size() + " bundles, watching " + home.resolve("deploy") + " and "
                + home.resolve("conf"));

        framework.waitForStop(0);
        try {
            // stopped from inside (the console's "stop 0"): the hook has nothing left to do
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return; // SIGTERM: the hook finishes the stop and exits
        }
        closeDemo(device);
        LOG.log(Level.INFO, "gateway stopped");
        System.exit(0);
    }

    private Map<String, String> frameworkProperties() {
        Map<String, String> properties = new HashMap<>();
        properties.put(Constants.FRAMEWORK_STORAGE, home.resolve("cache").toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        properties.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "org.osgi.service.log;version=1.5.0");
        // the log service drops what is below WARNING by default: FileInstall tells at INFO what it installs
        properties.put("org.osgi.service.log.admin.loglevel", "INFO");
        // Felix HTTP listens only where the web status bundle (io.connback.web) tells it, from
        // conf/io.connback.http.cfg: never on its own default (every interface, port 8080), nor without that bundle
        properties.put("org.apache.felix.http.enable", "false");
        properties.put("felix.fileinstall.dir", home.resolve("deploy") + "," + home.resolve("conf"));
        properties.put("felix.fileinstall.poll", "500");
        // bundles and configurations only: notes such as conf/README.txt are left alone
        properties.put("felix.fileinstall.filter", ".*\\.(jar|cfg|config)");
        properties.put("felix.fileinstall.noInitialDelay", "true");
        properties.put("felix.fileinstall.log.level", "3");
        // the files in conf/ are the operator's: FileInstall does not write configuration changes back to them
        properties.put("felix.fileinstall.enableConfigSave", "false");
        return properties;
    }

    private List<Bundle> install(Framework framework) throws IOException, BundleException {
        List<Path> jars;
        try (Stream<Path> files = Files.list(home.resolve("bundle"))) {
            jars = files.filter(file -> file.getFileName().toString().endsWith(".jar"))
                    .filter(file -> console || !file.getFileName().toString().startsWith(GOGO_SHELL))
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

    private DemoDevice startDemo() {
        Path configuration = home.resolve("conf").resolve(DEMO_CONFIGURATION);
        int port = LoopbackPorts.belowEphemeralRange();
        try {
            if (Files.exists(configuration)) {
                port = Integer.parseInt(readPort(configuration));
            } else {
                Files.writeString(configuration, demoConfiguration(port), StandardCharsets.ISO_8859_1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + configuration, e);
        }
        DemoDevice device = new DemoDevice(port, Duration.ofSeconds(8), Duration.ofSeconds(3));
        LOG.log(Level.INFO, "demo device listening on 127.0.0.1:" + port + "; it drops its link every 8 s for 3 s ("
                + configuration + ")");
        return device;
    }

    private static String readPort(Path configuration) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(configuration, StandardCharsets.ISO_8859_1)) {
            properties.load(in);
        }
        return properties.getProperty("port", "").trim();
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

    private static void closeDemo(DemoDevice device) {
        if (device != null) {
            device.close();
        }
    }
}
