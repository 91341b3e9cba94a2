package io.connback.it;

import static org.junit.Assert.assertEquals;

import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ManagedConnection;
import io.connback.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** Uninstalling the gateway's bundles while a link runs leaves no Connback thread behind. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class UninstallIT {

    /** Longer than the idle timeouts of the shared scheduler (5 s) and of the TCP selector (1 s). */
    private static final Duration THREADS_GONE = Duration.ofSeconds(30);

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    /**
     * The framework of this class.
     *
     * @return its options
     */
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return Gateway.framework();
    }

    @Test
    public void uninstallingEveryConnbackBundleLeavesNoConnbackThread() throws Exception {
        try (EchoServer echo = new EchoServer()) {
            Configuration configuration = configurationAdmin.getFactoryConfiguration(Gateway.TCP_PID, "lone", "?");
            configuration.update(Gateway.tcpLink(echo.port()));
            Await.until("a connected link", Duration.ofSeconds(10), this::linkConnected);
            Await.until("the link's threads", Duration.ofSeconds(10), () -> !connbackThreads().isEmpty());

            long started = System.nanoTime();
            for (Bundle bundle : context.getBundles()) {
                if (bundle.getSymbolicName().startsWith("io.connback.")) {
                    bundle.uninstall();
                }
            }
            Await.until("no connback thread, left: " + connbackThreads(), THREADS_GONE,
                    () -> connbackThreads().isEmpty());
            System.out.println("Uninstall -> no connback thread in " + (System.nanoTime() - started) / 1_000_000
                    + " ms");
            Await.until("the link closed", Duration.ofSeconds(10), () -> echo.connected() == 0);
            assertEquals(1, echo.accepted());
            configuration.delete();
        }
    }

    private boolean linkConnected() {
        ServiceReference<ManagedConnection> link = context.getServiceReference(ManagedConnection.class);
        return link != null && "CONNECTED".equals(link.getProperty(ConnbackProperties.STATE));
    }

    private static List<String> connbackThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("connback")).sorted().collect(Collectors.toList());
    }
}
