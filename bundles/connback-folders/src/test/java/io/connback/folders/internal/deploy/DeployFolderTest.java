package io.connback.folders.internal.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/** The component on its own thread, with the file system's events, in a real Felix framework. */
class DeployFolderTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path work;

    private Framework framework;

    @AfterEach
    void stopFramework() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    @Test
    void aJarMovedInIsInstalledSoonerThanARescanWouldAndDeactivationEndsTheThread() throws Exception {
        Path deploy = Files.createDirectory(work.resolve("deploy"));
        startFramework(Map.of(DeployFolder.FOLDER_PROPERTY, deploy.toString()));
        DeployFolder component = new DeployFolder(framework.getBundleContext());
        try {
            assertThat(threads()).as("the watching thread").hasSize(1);
            Path incoming = Files.write(work.resolve("meter.jar"), TestJars.bundle("com.example.meter", "1.0.0"));
            // a first scan has run: the move is seen by its event, not by the scan at the start
            Thread.sleep(DeployFolder.SETTLE.toMillis());
            long start = System.nanoTime();
            Files.move(incoming, deploy.resolve("meter.jar"), StandardCopyOption.ATOMIC_MOVE);
            Await.until("the bundle active", TIMEOUT, () -> Stream.of(framework.getBundleContext().getBundles())
                    .anyMatch(b -> "com.example.meter".equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("moved into deploy/ -> bundle active in %d ms%n", took.toMillis());
            assertThat(took).as("installed on the file system's event, before the next rescan")
                    .isLessThan(DeployFolder.RESCAN_INTERVAL.minus(Duration.ofMillis(500)));
        } finally {
            component.stop();
        }
        assertThat(threads()).as("ended by deactivation").isEmpty();
    }

    @Test
    void withoutTheFrameworkPropertyNothingIsWatched() throws Exception {
        startFramework(Map.of());
        DeployFolder component = new DeployFolder(framework.getBundleContext());
        assertThat(threads()).isEmpty();
        component.stop();
    }

    private void startFramework(Map<String, String> properties) throws Exception {
        Map<String, String> all = new HashMap<>(properties);
        all.put(Constants.FRAMEWORK_STORAGE, work.resolve("cache").toString());
        all.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        framework = new FrameworkFactory().newFramework(all);
        framework.start();
    }

    private static List<Thread> threads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals(DeployFolder.THREAD_NAME) && thread.isAlive()).toList();
    }
}
