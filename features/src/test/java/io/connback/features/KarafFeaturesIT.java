package io.connback.features;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFileExtend;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Hashtable;
import java.util.List;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * What a Karaf user does: adds the features repository to a minimal Karaf, installs connback-gateway and configures a
 * TCP link, which then connects. Karaf runs offline: its Maven resolver reads only the distribution's system folder
 * and target/karaf-repository, which the build fills with every bundle of the features, so a bundle missing from a
 * feature fails here instead of being fetched from elsewhere.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafFeaturesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
    private static final String PAX_URL_CFG = "etc/org.ops4j.pax.url.mvn.cfg";
    private static final String FEATURES_PROPERTY = "connback.features";
    private static final String TCP_COMPONENT = "io.connback.tcp.internal.TcpConnectorComponent";

    @Inject
    private BundleContext context;

    @Inject
    private FeaturesService featuresService;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    /**
     * The minimal Karaf distribution, offline, with the test repository.
     *
     * @return its options
     */
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        File target = new File("target").getAbsoluteFile();
        String repository = new File(System.getProperty("connback.karaf.repository")).toURI().toString();
        return new Option[] {
            karafDistributionConfiguration()
                    .frameworkUrl(new File(System.getProperty("karaf.distribution")).toURI().toString())
                    .unpackDirectory(new File(target, "exam"))
                    .useDeployFolder(false),
            configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
            logLevel(LogLevel.WARN),
            editConfigurationFileExtend(PAX_URL_CFG, "org.ops4j.pax.url.mvn.defaultRepositories",
                    repository + "@id=connback.test@snapshots"),
            editConfigurationFilePut(PAX_URL_CFG, "org.ops4j.pax.url.mvn.repositories", ""),
            // an empty local repository: nothing comes from the user's own
            editConfigurationFilePut(PAX_URL_CFG, "org.ops4j.pax.url.mvn.localRepository",
                    new File(target, "exam-local-repository").getPath()),
            editConfigurationFilePut(PAX_URL_CFG, "org.ops4j.pax.url.mvn.offline", "true"),
            systemProperty(FEATURES_PROPERTY).value(System.getProperty(FEATURES_PROPERTY)),
        };
    }

    @Test
    public void theGatewayFeatureRunsATcpLinkFromAConfiguration() throws Exception {
        featuresService.addRepository(URI.create(System.getProperty(FEATURES_PROPERTY)));
        // no refresh: it would restart this test's own bundle
        featuresService.installFeature("connback-gateway", EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles));

        try (ServerSocket device = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            device.setSoTimeout((int) TIMEOUT.toMillis());
            Configuration link = configurationAdmin.getFactoryConfiguration("io.connback.tcp", "karaf1", "?");
            Hashtable<String, Object> properties = new Hashtable<>();
            properties.put("host", "127.0.0.1");
            properties.put("port", device.getLocalPort());
            link.update(properties);
            try {
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                String states = Components.states(context, TCP_COMPONENT);
                while (!states.equals("[ACTIVE]") && System.nanoTime() < deadline) {
                    Thread.sleep(POLL_INTERVAL.toMillis());
                    states = Components.states(context, TCP_COMPONENT);
                }
                assertEquals("configurations of " + TCP_COMPONENT, "[ACTIVE]", states);
                // the connection manager runs the link: the device sees it connect
                try (Socket accepted = device.accept()) {
                    assertTrue(accepted.isConnected());
                }
            } finally {
                link.delete();
            }
        }
    }

    @Test
    public void theWebFeatureServesTheHealthUrlWhereItsConfigurationSays() throws Exception {
        featuresService.addRepository(URI.create(System.getProperty(FEATURES_PROPERTY)));
        featuresService.installFeature("connback-web", EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Configuration web = configurationAdmin.getConfiguration("io.connback.http", "?");
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("port", String.valueOf(port));
        web.update(properties);
        try {
            URL health = new URL("http://127.0.0.1:" + port + "/connback/health");
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            String answer = null;
            while (answer == null && System.nanoTime() < deadline) {
                try {
                    HttpURLConnection connection = (HttpURLConnection) health.openConnection();
                    assertEquals(200, connection.getResponseCode());
                    try (InputStream body = connection.getInputStream()) {
                        answer = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                    }
                } catch (ConnectException notYet) {
                    Thread.sleep(POLL_INTERVAL.toMillis());
                }
            }
            assertEquals("{\"status\":\"UP\",\"required\":[],\"failing\":[]}", answer);
        } finally {
            web.delete();
        }
    }

    /**
     * SCR's view of a component. A class of its own, so that the test class does not load the SCR API, which the
     * Karaf it boots in has only once the feature installed it.
     */
    static final class Components {

        private Components() {
        }

        /**
         * The states of a component's configurations, e.g. {@code [ACTIVE]}.
         *
         * @param context the test's bundle context
         * @param name the component name
         * @return the states, in SCR's order; {@code []} while SCR or the component is not there
         */
        static String states(BundleContext context, String name) {
            ServiceReference<ServiceComponentRuntime> reference = context.getServiceReference(
                    ServiceComponentRuntime.class);
            if (reference == null) {
                return "[]";
            }
            ServiceComponentRuntime runtime = context.getService(reference);
            try {
                List<String> states = new ArrayList<>();
                for (ComponentDescriptionDTO description : runtime.getComponentDescriptionDTOs()) {
                    if (description.name.equals(name)) {
                        for (ComponentConfigurationDTO configuration
                                : runtime.getComponentConfigurationDTOs(description)) {
                            states.add(stateName(configuration.state));
                        }
                    }
                }
                return states.toString();
            } finally {
                context.ungetService(reference);
            }
        }

        private static String stateName(int state) {
            switch (state) {
                case ComponentConfigurationDTO.ACTIVE:
                    return "ACTIVE";
                case ComponentConfigurationDTO.SATISFIED:
                    return "SATISFIED";
                case ComponentConfigurationDTO.UNSATISFIED_REFERENCE:
                    return "UNSATISFIED_REFERENCE";
                case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION:
                    return "UNSATISFIED_CONFIGURATION";
                case ComponentConfigurationDTO.FAILED_ACTIVATION:
                    return "FAILED_ACTIVATION";
                default:
                    return "state " + state;
            }
        }
    }
}
