package io.connback.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.connback.ConnectionState;
import io.connback.Connector;
import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.LinkStatus;
import io.connback.osgi.LinkStatuses;
import io.connback.osgi.ManagedConnection;
import io.connback.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/** The gateway in a real Felix: links from factory configurations, whiteboard listeners, hot swap of a connector. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GatewayIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Inject
    private ServiceComponentRuntime componentRuntime;

    private Links links;
    private EchoServer echo;

    /**
     * The framework of this class.
     *
     * @return its options
     */
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return Gateway.framework();
    }

    @Before
    public void startEchoServer() {
        links = new Links(context, configurationAdmin);
        echo = new EchoServer();
    }

    @After
    public void cleanUp() throws Exception {
        try {
            links.cleanUp();
        } finally {
            echo.close();
        }
    }

    @Test
    public void aFactoryConfigurationBecomesAManagedConnectionThatConnectsAndDeliversFrames() throws Exception {
        RecordingListener listener = listen("echo1");
        configure("echo1", Gateway.tcpLink(echo.port()));

        ManagedConnection connection = awaitConnected("echo1");
        assertEquals("tcp", connection.type());
        Await.until("the listener's connect event", TIMEOUT, () -> listener.count("echo1:connect") == 1);

        connection.link().orElseThrow().send("hello".getBytes(StandardCharsets.US_ASCII));
        Await.until("the echo as frames", TIMEOUT, () -> listener.received().equals("hello"));
    }

    @Test
    public void aBadConfigurationIsRefusedWithItsKeyAndValueAndTheOtherLinksRun() throws Exception {
        Dictionary<String, Object> badPort = Gateway.tcpLink(70000);
        configure("badport", badPort);
        Dictionary<String, Object> badStrategy = Gateway.tcpLink(echo.port());
        badStrategy.put("strategy", "sometimes");
        configure("badstrategy", badStrategy);
        configure("good", Gateway.tcpLink(echo.port()));

        awaitConnected("good");
        Await.until("both bad configurations refused", TIMEOUT, () -> failures().size() == 2);
        List<String> failures = failures();
        System.out.println("Refused configurations, as their statuses show them:\n" + String.join("\n", failures));
        assertTrue(failures.toString(), failures.stream().anyMatch(f -> f.contains("port") && f.contains("70000")));
        assertTrue(failures.toString(),
                failures.stream().anyMatch(f -> f.contains("strategy") && f.contains("sometimes")));
        assertEquals(Optional.empty(), managedConnection("badport"));
        assertEquals(Optional.empty(), managedConnection("badstrategy"));
        assertEquals("connector services", 1,
                context.getServiceReferences(Connector.class, "(connback.type=tcp)").size());
        assertEquals(Bundle.ACTIVE, context.getBundle(0).getState());
    }

    @Test
    public void aRefusedConfigurationThatIsFixedAppliesAtItsNextSave() throws Exception {
        Dictionary<String, Object> bad = Gateway.tcpLink(echo.port());
        bad.put("port", "abc");
        bad.put("keepalive", "-1");
        Configuration configuration = configure("fixed1", bad);
        Await.until("the bad configuration refused", TIMEOUT, () -> failures().size() == 1);
        assertTrue(failures().toString(), failures().get(0).contains("port: invalid value 'abc'")
                && failures().get(0).contains("keepalive: invalid value '-1'"));
        assertEquals("no component failed its activation", List.of(), failedActivations());

        Dictionary<String, Object> good = Gateway.tcpLink(echo.port());
        good.put("keepalive", "5s");
        configuration.update(good);
        ManagedConnection connection = awaitConnected("fixed1");
        assertEquals(List.of(), failures());
        assertEquals(List.of(), connection.status().problems());
    }

    @Test
    public void aSecondConfigurationClaimingATakenNameIsRefusedAndRemovingItChangesNothing() throws Exception {
        Dictionary<String, Object> first = Gateway.tcpLink(echo.port());
        first.put("name", "good");
        configure("first1", first);
        ManagedConnection good = awaitConnected("good");
        long serviceId = serviceId("good");
        RecordingListener listener = listen("good");

        Dictionary<String, Object> second = Gateway.tcpLink(echo.port());
        second.put("name", "good");
        Configuration duplicate = configure("second1", second);
        Hashtable<String, Object> serial = new Hashtable<>();
        serial.put("port", "/dev/connback-it-no-such-device");
        serial.put("name", "good");
        Configuration serialDuplicate = configure(Gateway.SERIAL_PID, "third1", serial);
        Await.until("both claims refused", TIMEOUT, () -> statuses().all().stream()
                .filter(status -> status.name().equals("good") && status.state().isEmpty()).count() == 2);
        String refusal = statuses().all().stream().filter(status -> status.state().isEmpty()).findFirst()
                .orElseThrow().problems().get(0);
        assertTrue(refusal, refusal.contains("name: 'good' is already used by io.connback.tcp~first1"));

        links.delete(duplicate);
        links.delete(serialDuplicate);
        Await.until("the refused claims gone", TIMEOUT, () -> statuses().all().size() == 1);
        assertEquals(serviceId, serviceId("good"));
        assertEquals(ConnectionState.CONNECTED, good.state());
        assertEquals("the link never dropped", List.of(), listener.events().stream()
                .filter(event -> !event.endsWith(":connect")).toList());
    }

    @Test
    public void aDeviceLinkWithoutPingFrameHasNoKeepaliveUnlessItIsSet() throws Exception {
        configure("quiet1", Gateway.tcpLink(echo.port()));
        Dictionary<String, Object> streaming = Gateway.tcpLink(echo.port());
        streaming.put("keepalive", "7");
        configure("streaming1", streaming);
        awaitConnected("quiet1");
        awaitConnected("streaming1");

        assertEquals("0", connectorProperty("quiet1", "keepalive"));
        assertEquals("7", connectorProperty("streaming1", "keepalive"));
    }

    /** The link components' configurations that SCR could not activate: none, as refusals never fail them. */
    private List<String> failedActivations() {
        List<String> failed = new ArrayList<>();
        for (ComponentDescriptionDTO description : componentRuntime.getComponentDescriptionDTOs()) {
            for (ComponentConfigurationDTO configuration
                    : componentRuntime.getComponentConfigurationDTOs(description)) {
                if (configuration.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    failed.add(description.name + ": " + configuration.failure);
                }
            }
        }
        return failed;
    }

    @Test
    public void updatingTheTcpBundleReconnectsTheSameManagedConnectionAndKeepsItsListeners() throws Exception {
        RecordingListener listener = listen("swap1");
        configure("swap1", Gateway.tcpLink(echo.port()));
        awaitConnected("swap1");
        long serviceId = serviceId("swap1");
        Await.until("the first connect", TIMEOUT, () -> listener.count("swap1:connect") == 1);

        Bundle tcp = bundle("io.connback.tcp");
        long started = System.nanoTime();
        tcp.update();
        Await.until("the reconnection through the updated bundle", TIMEOUT,
                () -> listener.count("swap1:connect") == 2);
        long reconnectedMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("Hot swap: bundle update -> reconnected in " + reconnectedMillis + " ms");

        assertEquals(serviceId, serviceId("swap1"));
        assertEquals(List.of("swap1:connect", "swap1:close", "swap1:connect"), listener.events());
        // the client sees its connection before the server's accept() returns
        Await.until("the second connection accepted", TIMEOUT, () -> echo.accepted() == 2);
        ManagedConnection connection = awaitConnected("swap1");
        connection.link().orElseThrow().send("again".getBytes(StandardCharsets.US_ASCII));
        Await.until("frames through the new link", TIMEOUT, () -> listener.received().equals("again"));
    }

    @Test
    public void aChangedConfigurationReconnectsTheSameManagedConnectionWithTheNewSettings() throws Exception {
        RecordingListener listener = listen("change1");
        Configuration configuration = configure("change1", Gateway.tcpLink(echo.port()));
        awaitConnected("change1");
        long serviceId = serviceId("change1");

        try (EchoServer other = new EchoServer()) {
            Dictionary<String, Object> moved = Gateway.tcpLink(other.port());
            configuration.update(moved);
            Await.until("a connection to the new port", TIMEOUT, () -> other.accepted() == 1);
            Await.until("the reconnection", TIMEOUT, () -> listener.count("change1:connect") == 2);
            assertEquals(serviceId, serviceId("change1"));

            moved.put("keepalive", 30);
            configuration.update(moved);
            Await.until("a Connback with the new options", TIMEOUT, () -> listener.count("change1:connect") == 3);
            assertEquals(serviceId, serviceId("change1"));
            Await.until("the second connection to the new port accepted", TIMEOUT, () -> other.accepted() == 2);
            Await.until("the first links closed", TIMEOUT, () -> echo.connected() == 0 && other.connected() == 1);
        }
    }

    @Test
    public void aRenamedLinkEndsUnderItsOldNameAndStartsUnderTheNewOne() throws Exception {
        RecordingListener oldName = listen("rename1");
        RecordingListener newName = listen("renamed1");
        Configuration configuration = configure("rename1", Gateway.tcpLink(echo.port()));
        awaitConnected("rename1");
        long oldServiceId = serviceId("rename1");

        Dictionary<String, Object> renamed = Gateway.tcpLink(echo.port());
        renamed.put("name", "renamed1");
        configuration.update(renamed);

        awaitConnected("renamed1");
        Await.until("the old name's service unregistered", TIMEOUT, () -> managedConnection("rename1").isEmpty());
        Await.until("the old name's end", TIMEOUT, () -> oldName.count("rename1:end") == 1);
        assertEquals(List.of("rename1:connect", "rename1:close", "rename1:end"), oldName.events());
        Await.until("the new name's connect", TIMEOUT, () -> newName.count("renamed1:connect") == 1);
        assertEquals(List.of("renamed1:connect"), newName.events());
        assertNotEquals(oldServiceId, serviceId("renamed1"));
        Await.until("the new connection accepted, the old one closed", TIMEOUT,
                () -> echo.accepted() == 2 && echo.connected() == 1);
    }

    @Test
    public void aBadChangeOfARunningLinkIsRefusedAndTheLinkKeepsRunning() throws Exception {
        Configuration configuration = configure("steady1", Gateway.tcpLink(echo.port()));
        ManagedConnection connection = awaitConnected("steady1");
        long serviceId = serviceId("steady1");

        Dictionary<String, Object> bad = Gateway.tcpLink(echo.port());
        bad.put("maxFrameSize", "huge");
        configuration.update(bad);
        // Configuration Admin delivers its events in order: once a later configuration is running, SCR has seen the
        // bad change
        configure("marker1", Gateway.tcpLink(echo.port()));
        awaitConnected("marker1");

        assertEquals(null, connectorProperty("steady1", "maxFrameSize"));
        assertEquals(serviceId, serviceId("steady1"));
        assertEquals(ConnectionState.CONNECTED, connection.state());
        Await.until("both links accepted", TIMEOUT, () -> echo.accepted() == 2);
    }

    @Test
    public void aStoppedConnectorMakesItsLinksWaitAndTheyReconnectWhenItStartsAgain() throws Exception {
        RecordingListener listener = listen("pause1");
        configure("pause1", Gateway.tcpLink(echo.port()));
        ManagedConnection connection = awaitConnected("pause1");
        Bundle tcp = bundle("io.connback.tcp");

        tcp.stop();
        Await.until("the link waiting for its connector", TIMEOUT,
                () -> connection.lastError().map(Throwable::getMessage)
                        .filter("connector io.connback.tcp unavailable"::equals).isPresent());
        assertEquals(ConnectionState.RECONNECTING, connection.state());
        tcp.start();

        Await.until("the reconnection", TIMEOUT, () -> listener.count("pause1:connect") == 2);
        assertEquals(connection, managedConnection("pause1").orElseThrow());
    }

    @Test
    public void aListenerWithAFilterReceivesTheEventsOfTheConnectionsItMatches() throws Exception {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ConnbackProperties.FILTER, "(" + ConnbackProperties.TYPE + "=tcp)");
        RecordingListener tcpLinks = links.listen(properties);
        properties.put(ConnbackProperties.FILTER, "(" + ConnbackProperties.TYPE + "=serial)");
        RecordingListener serialLinks = links.listen(properties);

        configure("filtered1", Gateway.tcpLink(echo.port()));

        Await.until("the connect event", TIMEOUT, () -> tcpLinks.count("filtered1:connect") == 1);
        assertEquals(List.of(), serialLinks.events());
    }

    @Test
    public void aListenerRegisteredWhileALinkIsUpGetsItsConnectAtOnceThenItsEvents() throws Exception {
        configure("late1", Gateway.tcpLink(echo.port()));
        ManagedConnection connection = awaitConnected("late1");

        RecordingListener late = listen("late1");
        // no event of the link is being delivered: the replay is made during the registration, on this thread
        assertEquals(List.of("late1:connect"), late.events());

        connection.link().orElseThrow().send("after".getBytes(StandardCharsets.US_ASCII));
        Await.until("frames after the replay", TIMEOUT, () -> late.received().equals("after"));
        connection.reconnect();
        Await.until("the reconnection", TIMEOUT, () -> late.count("late1:connect") == 2);
        assertEquals(List.of("late1:connect", "late1:close", "late1:connect"), late.events());
        RecordingListener other = listen("other1");
        assertEquals("nothing to replay for a link it does not watch", List.of(), other.events());
    }

    @Test
    public void aDeletedConfigurationEndsAndUnregistersItsManagedConnection() throws Exception {
        RecordingListener listener = listen("gone1");
        Configuration configuration = configure("gone1", Gateway.tcpLink(echo.port()));
        awaitConnected("gone1");

        links.delete(configuration);
        Await.until("the ManagedConnection unregistered", TIMEOUT, () -> managedConnection("gone1").isEmpty());
        Await.until("the end event", TIMEOUT, () -> listener.count("gone1:end") == 1);
        Await.until("the link closed", TIMEOUT, () -> echo.connected() == 0);
    }

    @Test
    public void aSerialLinkWithoutItsDeviceWaitsForItAsAManagedConnectionAndABadOneIsRefused() throws Exception {
        Hashtable<String, Object> missing = new Hashtable<>();
        missing.put("port", "/dev/connback-it-no-such-device");
        missing.put("baudRate", 19200);
        configure(Gateway.SERIAL_PID, "meter1", missing);
        Hashtable<String, Object> bad = new Hashtable<>(missing);
        bad.put("dataBits", 9);
        configure(Gateway.SERIAL_PID, "meter2", bad);

        Await.until("meter1 reconnecting", TIMEOUT, () -> managedConnection("meter1")
                .filter(meter -> meter.state() == ConnectionState.RECONNECTING && meter.lastError().isPresent())
                .isPresent());
        ManagedConnection meter = managedConnection("meter1").orElseThrow();
        assertEquals("serial", meter.type());
        System.out.println("A serial link without its device: " + meter.lastError().orElseThrow());
        Await.until("meter2 refused", TIMEOUT, () -> failures(Gateway.SERIAL_PID).size() == 1);
        assertTrue(failures(Gateway.SERIAL_PID).toString(), failures(Gateway.SERIAL_PID).get(0).contains("dataBits"));
        assertEquals(Optional.empty(), managedConnection("meter2"));
    }

    private RecordingListener listen(String name) {
        return links.listen(name);
    }

    private Configuration configure(String name, Dictionary<String, Object> properties) throws Exception {
        return configure(Gateway.TCP_PID, name, properties);
    }

    private Configuration configure(String factoryPid, String name, Dictionary<String, Object> properties)
            throws Exception {
        return links.configure(factoryPid, name, properties);
    }

    private Object connectorProperty(String name, String key) {
        try {
            return context.getServiceReferences(Connector.class, "(" + ConnbackProperties.NAME + "=" + name + ")")
                    .iterator().next().getProperty(key);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private ManagedConnection awaitConnected(String name) throws InterruptedException {
        return links.awaitConnected(name);
    }

    private Optional<ManagedConnection> managedConnection(String name) {
        return links.managedConnection(name);
    }

    private long serviceId(String name) {
        return links.serviceId(name);
    }

    private Bundle bundle(String symbolicName) {
        return links.bundle(symbolicName);
    }

    /** The problems of the refused TCP link configurations, as the link statuses show them. */
    private List<String> failures() {
        return failures(Gateway.TCP_PID);
    }

    /** The problems of a connector's refused configurations (no link runs from them), as the statuses show them. */
    private List<String> failures(String factoryPid) {
        List<String> failures = new ArrayList<>();
        for (LinkStatus status : statuses().all()) {
            if (status.state().isEmpty() && factoryPid.equals("io.connback." + status.type())) {
                failures.add(status.source() + ": " + String.join(" | ", status.problems()));
            }
        }
        return failures;
    }

    private LinkStatuses statuses() {
        return context.getService(context.getServiceReference(LinkStatuses.class));
    }
}
