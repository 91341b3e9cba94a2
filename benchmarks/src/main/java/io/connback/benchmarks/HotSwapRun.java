package io.connback.benchmarks;

import static io.connback.benchmarks.Report.note;
import static io.connback.benchmarks.Report.result;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Hot-swap latency: how soon a TCP link is connected again after its connector bundle is updated, the swap that an
 * operator makes by replacing a jar in the gateway's {@code deploy/}.
 *
 * <p>An embedded Felix with SCR, Configuration Admin and FileInstall (which reads the link's configuration from a
 * temporary {@code conf/}), the Connback bundles of the build ({@code connback-core}, {@code -link}, {@code -osgi},
 * {@code -tcp}), one TCP link to a local echo server. Each swap calls {@code Bundle.update()} on
 * {@code io.connback.tcp} and measures from just before the call to the moment the link's {@code ManagedConnection}
 * service says {@code connback.state=CONNECTED} again (a service listener, called when the manager sets the
 * property). The time {@code update()} itself takes (stop, reinstall, start: SCR activates the new component, which
 * registers the connector) and the rest, from its return to the connection, are reported too. Warm-up swaps are not
 * counted; percentiles are nearest-rank (with 20 samples, p99 is the largest).
 *
 * <p>Options: {@code --swaps N} (20), {@code --warmup-swaps N} (3). The bundles are read from the folder of the
 * system property {@value #BUNDLES_PROPERTY} ({@code benchmarks/target/hot-swap-bundles}, filled by the build).
 */
public final class HotSwapRun {

    /** The system property naming the folder of the bundles to install. */
    static final String BUNDLES_PROPERTY = "connback.hot-swap.bundles";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final String MANAGED_CONNECTION = "io.connback.osgi.ManagedConnection";
    private static final String TCP_BUNDLE = "io.connback.tcp";
    private static final String LINK = "swap";

    private HotSwapRun() {}

    /**
     * Runs the swaps and prints the results.
     *
     * @param args options, see the class comment
     * @throws Exception if the framework or the link cannot start
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args, List.of("--swaps", "--warmup-swaps"));
        int swaps = options.positive("--swaps", 20);
        int warmups = options.positive("--warmup-swaps", 3);
        Path bundles = Path.of(System.getProperty(BUNDLES_PROPERTY, "benchmarks/target/hot-swap-bundles"));
        // the link state lines of the bundles (System.Logger, so java.util.logging here) would drown the results
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);

        Path work = Files.createTempDirectory("connback-hot-swap-");
        try (EchoServer echo = new EchoServer()) {
            Files.createDirectories(work.resolve("conf"));
            Files.writeString(work.resolve("conf").resolve("io.connback.tcp-" + LINK + ".cfg"),
                    "host = 127.0.0.1\nport = " + echo.port() + "\ninitialDelay = 50\nmaxDelay = 500\n",
                    StandardCharsets.ISO_8859_1);
            Framework framework = start(work, bundles);
            try {
                run(framework, swaps, warmups, echo);
            } finally {
                framework.stop();
                framework.waitForStop(CONNECT_TIMEOUT.toMillis());
            }
        } finally {
            delete(work);
        }
    }

    private static void run(Framework framework, int swaps, int warmups, EchoServer echo) throws Exception {
        BundleContext context = framework.getBundleContext();
        Connections connections = new Connections();
        context.addServiceListener(connections, "(&(objectClass=" + MANAGED_CONNECTION + ")(connback.name=" + LINK
                + "))");
        long started = System.nanoTime();
        // the link may have connected before the listener was added
        Poll.until(() -> connections.connectedCount() > 0 || isConnected(context), CONNECT_TIMEOUT,
                "the link connected");
        note("link %s connected %d ms after the framework started", LINK,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        Bundle tcp = bundle(context, TCP_BUNDLE);

        Latencies reconnected = new Latencies();
        Latencies updateCall = new Latencies();
        Latencies afterUpdate = new Latencies();
        String loadBefore = ProcessStats.loadAverage();
        for (int i = 0; i < warmups + swaps; i++) {
            int before = connections.connectedCount();
            long start = System.nanoTime();
            tcp.update();
            long updated = System.nanoTime();
            Poll.until(() -> connections.connectedCount() > before, CONNECT_TIMEOUT, "the reconnection after swap "
                    + (i + 1));
            if (i >= warmups) {
                reconnected.add(connections.lastConnectedNanos() - start);
                updateCall.add(updated - start);
                afterUpdate.add(connections.lastConnectedNanos() - updated);
            }
        }
        String loadAfter = ProcessStats.loadAverage();
        result("hot-swap", "%s: Bundle.update() of %s -> link CONNECTED again", reconnected.summary(
                TimeUnit.MILLISECONDS), TCP_BUNDLE);
        result("update-call", "%s: Bundle.update() itself (stop, reinstall, start; SCR activates the component)",
                updateCall.summary(TimeUnit.MILLISECONDS));
        result("after-update", "%s: from update() returning to the link CONNECTED (the connection attempt)",
                afterUpdate.summary(TimeUnit.MILLISECONDS));
        result("connections", "%d accepted by the echo server for %d swaps and %d warm-ups (one per connection); "
                + "machine load average %s at the start, %s at the end", echo.accepted(), swaps, warmups,
                loadBefore, loadAfter);
    }

    private static boolean isConnected(BundleContext context) {
        try {
            ServiceReference<?>[] references =
                    context.getServiceReferences(MANAGED_CONNECTION, "(connback.state=CONNECTED)");
            return references != null && references.length > 0;
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Framework start(Path work, Path bundles) throws Exception {
        Map<String, String> properties = new HashMap<>();
        properties.put(Constants.FRAMEWORK_STORAGE, work.resolve("cache").toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        properties.put("felix.fileinstall.dir", work.resolve("conf").toString());
        properties.put("felix.fileinstall.noInitialDelay", "true");
        properties.put("felix.fileinstall.log.level", "1");
        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"))
                .newFramework(properties);
        framework.start();
        List<Path> jars;
        try (Stream<Path> files = Files.list(bundles)) {
            jars = files.filter(file -> file.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("no bundles in " + bundles + ": build them with benchmarks/run.sh", e);
        }
        note("framework %s %s with %d bundles from %s", framework.getSymbolicName(), framework.getVersion(),
                jars.size(), bundles);
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars) {
            installed.add(framework.getBundleContext().installBundle(jar.toUri().toString()));
        }
        for (Bundle bundle : installed) {
            bundle.start();
        }
        return framework;
    }

    private static Bundle bundle(BundleContext context, String symbolicName) {
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        throw new IllegalStateException("no bundle " + symbolicName);
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Counts the times the link's ManagedConnection entered CONNECTED, with the time of the last one. */
    private static final class Connections implements ServiceListener {

        private final AtomicInteger connected = new AtomicInteger();
        private volatile long lastConnectedNanos;
        private String lastState = "";

        @Override
        public synchronized void serviceChanged(ServiceEvent event) {
            long now = System.nanoTime();
            String state = String.valueOf(event.getServiceReference().getProperty("connback.state"));
            if (event.getType() != ServiceEvent.UNREGISTERING && state.equals("CONNECTED")
                    && !lastState.equals("CONNECTED")) {
                lastConnectedNanos = now;
                connected.incrementAndGet();
            }
            lastState = event.getType() == ServiceEvent.UNREGISTERING ? "" : state;
        }

        int connectedCount() {
            return connected.get();
        }

        long lastConnectedNanos() {
            return lastConnectedNanos;
        }
    }

    /**
     * A TCP echo server on 127.0.0.1: one thread accepts, one thread per connection echoes. It tells when it
     * accepted the last connection: {@link FileSwapRun} measures from outside the gateway with it.
     */
    static final class EchoServer implements AutoCloseable {

        private final ServerSocket server;
        private final AtomicInteger accepted = new AtomicInteger();
        private volatile long lastAcceptedNanos;

        EchoServer() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "hot-swap-echo-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        long lastAcceptedNanos() {
            return lastAcceptedNanos;
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    lastAcceptedNanos = System.nanoTime();
                    Thread echo = new Thread(() -> echo(socket), "hot-swap-echo-" + accepted.incrementAndGet());
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private static void echo(Socket socket) {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // the link closed its end: the swap
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
