package io.connback.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The floor of the cold-start run: a bare Apache Felix that installs and starts every bundle of {@code bundle/} in a
 * home folder, as the gateway's launcher does with the same framework properties, FileInstall watching the home's
 * empty {@code deploy/} and {@code conf/}, and nothing else: no log bridge, no log file, no link. The cold-start run
 * fills {@code bundle/} with the gateway's framework bundles (SCR, Configuration Admin, Metatype, FileInstall, Gogo
 * runtime and commands, Log, the OSGi API bundles), without the Gogo shell, which the gateway leaves out too when it
 * has no terminal.
 *
 * <p>Prints {@value #STARTED} once every bundle's start returned, then runs until SIGTERM, which stops the framework.
 * Usage: {@code java -cp org.apache.felix.framework.jar:benchmarks.jar io.connback.benchmarks.FelixFloor HOME}.
 */
public final class FelixFloor {

    /** The line printed once the framework and its bundles have started. */
    static final String STARTED = "felix-floor started";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private FelixFloor() {}

    /**
     * Starts the framework and waits for it to stop.
     *
     * @param args the home folder
     * @throws Exception if the framework cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: FelixFloor HOME");
            System.exit(2);
        }
        long started = System.nanoTime();
        Path home = Path.of(args[0]).toAbsolutePath();
        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"))
                .newFramework(Map.of(
                        Constants.FRAMEWORK_STORAGE, home.resolve("cache").toString(),
                        Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT,
                        "felix.fileinstall.dir", home.resolve("deploy") + "," + home.resolve("conf"),
                        "felix.fileinstall.poll", "500",
                        "felix.fileinstall.filter", ".*\\.(jar|cfg|config)",
                        "felix.fileinstall.noInitialDelay", "true",
                        "felix.fileinstall.enableConfigSave", "false"));
        framework.init();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                framework.stop();
                framework.waitForStop(STOP_TIMEOUT.toMillis());
            } catch (BundleException e) {
                System.err.println("felix-floor: the framework did not stop cleanly: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "felix-floor-shutdown"));

        List<Bundle> bundles = new ArrayList<>();
        try (Stream<Path> jars = Files.list(home.resolve("bundle"))) {
            for (Path jar : jars.sorted(Comparator.comparing(Path::getFileName)).toList()) {
                bundles.add(framework.getBundleContext().installBundle(jar.toUri().toString()));
            }
        }
        framework.start();
        for (Bundle bundle : bundles) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                bundle.start();
            }
        }
        System.out.println(STARTED + " in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms: "
                + bundles.size() + " bundles");
        framework.waitForStop(0);
    }
}
