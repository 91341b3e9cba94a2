package io.connback.hardware;

import static io.connback.hardware.ConnectorSetups.WAITING_LONG;
import static io.connback.hardware.RecordedConnback.millisBetween;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnectionState;
import io.connback.Connector;
import io.connback.hardware.RecordedConnback.Event;
import io.connback.hardware.RecordedConnback.Kind;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.serial.SerialConnector;
import io.connback.serial.UsbIdentity;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Unplug and replug through the serial connector, with a 30 s backoff wait in progress: an unplug is reported at once,
 * a replug (under the same path, or under another one found by USB identity) connects at once. Also a port that is not
 * there at all.
 */
@EnabledOnOs(OS.LINUX)
class SerialConnectorHotPlugTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    /** The longest an unplug may take to close the link and put it offline. */
    private static final long UNPLUG_BOUND_MILLIS = 200;
    /** The longest a replug may take to connect, with a 30 s backoff wait in progress. */
    private static final long REPLUG_BOUND_MILLIS = 500;
    /** How long the device stays unplugged in each round: long enough to see that nothing retries meanwhile. */
    private static final Duration UNPLUGGED = Duration.ofMillis(100);
    private static final int ROUNDS = 5;
    private static final UsbIdentity FTDI = UsbIdentity.parse("port", "usb:0403:6001:CB000001");

    @RegisterExtension
    final EmulatedDevices devices = new EmulatedDevices();

    /** The figures of the rounds, printed at the end. */
    private final List<Double> unplugToClose = new ArrayList<>();
    private final List<Double> unplugToOffline = new ArrayList<>();
    private final List<Double> replugToConnect = new ArrayList<>();

    private static Connector<Link> modbusConnector(String port, FakeDeviceTable table) {
        SerialConnector.Builder builder = SerialConnector.builder().port(port)
                .link(LinkSettings.fromMap(ConnectorSetups.MODBUS_LINK));
        return (table == null ? builder : builder.deviceTable(table)).build();
    }

    @Test
    void aDeviceRepluggedUnderTheSamePathIsBackWithinHalfASecondDespiteA30sBackoff() throws Exception {
        EmulatedDevice device = devices.plugIn("modbus", new ModbusLikeDevice(), "ttyUSB0");
        Path port = device.link();
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(modbusConnector(port.toString(), null),
                WAITING_LONG)) {
            Link link = recorded.await(Kind.CONNECT, start, SECOND).link();
            ConnectorSetups.assertPingPong(recorded, link);
            for (int round = 0; round < ROUNDS; round++) {
                link = unplugAndReplug(recorded, device, () -> port);
                assertThat(link.remote()).isEqualTo(port.toString());
            }
        }
        report("same path");
    }

    @Test
    void aDeviceRepluggedUnderAnotherPathIsFoundByItsUsbIdentityWithinHalfASecondDespiteA30sBackoff()
            throws Exception {
        FakeDeviceTable table = new FakeDeviceTable(devices.path(""));
        // another adapter, present all along: the connector must pick the device by its identity, not any device
        EmulatedDevice other = devices.plugIn("other", new EchoDevice(), "ttyUSB9");
        table.pointAt(UsbIdentity.parse("port", "usb:10c4:ea60:0002"), other.link());
        EmulatedDevice device = devices.plugIn("modbus", new ModbusLikeDevice(), "ttyUSB0");
        table.pointAt(FTDI, device.link());
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(modbusConnector(FTDI.toString(), table),
                WAITING_LONG)) {
            Link link = recorded.await(Kind.CONNECT, start, SECOND).link();
            assertThat(link.remote()).isEqualTo(devices.path("ttyUSB0") + " (" + FTDI + ")");
            ConnectorSetups.assertPingPong(recorded, link);
            for (int round = 0; round < ROUNDS; round++) {
                Path next = devices.path("ttyUSB" + (1 + round % 2));
                link = unplugAndReplug(recorded, device, () -> {
                    // as the kernel does: sysfs knows the new node before udev makes its link in /dev
                    table.pointAt(FTDI, next);
                    return next;
                });
                assertThat(link.remote()).isEqualTo(next + " (" + FTDI + ")");
            }
        }
        report("another path, by USB identity");
    }

    /**
     * Unplugs the device under its open link, checks that the link closes and goes offline at once and that nothing
     * retries while the device is away (the backoff wait is 30 s), replugs it where {@code replugPath} says, and
     * checks that it connects at once through the hot-plug watcher, on the first attempt, and answers a ping.
     *
     * @return the new link
     */
    private Link unplugAndReplug(RecordedConnback recorded, EmulatedDevice device, ReplugPath replugPath)
            throws Exception {
        long unplugged = System.nanoTime();
        device.unplug();
        Event close = recorded.await(Kind.CLOSE, unplugged, SECOND);
        Event offline = recorded.await(Kind.OFFLINE, unplugged, SECOND);
        unplugToClose.add(millisBetween(unplugged, close.nanos()));
        unplugToOffline.add(millisBetween(unplugged, offline.nanos()));
        assertThat(millisBetween(unplugged, offline.nanos())).as("ms from unplug to offline")
                .isLessThan(UNPLUG_BOUND_MILLIS);
        assertThat(millisBetween(unplugged, close.nanos())).as("ms from unplug to close")
                .isLessThan(UNPLUG_BOUND_MILLIS);
        assertThat(recorded.events(Kind.ERROR, unplugged)).first().extracting(Event::error).asString()
                .contains("device disconnected");

        Thread.sleep(UNPLUGGED.toMillis()); // the scenario: the device stays away for a while
        assertThat(recorded.events(Kind.RECONNECT, unplugged)).as("attempts while unplugged").isEmpty();
        assertThat(recorded.connback().state()).isEqualTo(ConnectionState.RECONNECTING);

        Path path = replugPath.prepare();
        long replugged = System.nanoTime();
        device.replug(path);
        Event connect = recorded.await(Kind.CONNECT, replugged, SECOND);
        double millis = millisBetween(replugged, connect.nanos());
        replugToConnect.add(millis);
        assertThat(millis).as("ms from replug to connect, with a 30 s backoff wait").isLessThan(REPLUG_BOUND_MILLIS);
        assertThat(recorded.events(Kind.RECONNECT, unplugged)).as("attempts since the unplug").hasSize(1);
        ConnectorSetups.assertPingPong(recorded, connect.link());
        return connect.link();
    }

    private void report(String how) {
        System.out.printf("[hardware-tests] serial connector, replug under %s (%d rounds, 30 s backoff wait):"
                + " unplug -> close %s ms, unplug -> offline %s ms, replug -> connect %s ms%n", how, ROUNDS,
                summary(unplugToClose), summary(unplugToOffline), summary(replugToConnect));
    }

    /** min / median / max. */
    private static String summary(List<Double> millis) {
        List<Double> sorted = millis.stream().sorted().toList();
        return String.format("%.1f / %.1f / %.1f", sorted.get(0), sorted.get(sorted.size() / 2),
                Collections.max(sorted));
    }

    @Test
    void aMissingPortIsAClearConnectErrorAndTheDevicePluggedInLaterConnectsAtOnce() throws Exception {
        Path port = devices.path("ttyUSB3");
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(modbusConnector(port.toString(), null),
                WAITING_LONG)) {
            Throwable error = recorded.await(Kind.ERROR, start, SECOND).error();
            assertThat(error).isInstanceOf(NoSuchFileException.class)
                    .hasMessage(port + ": serial device not present");
            assertThat(recorded.connback().state()).isEqualTo(ConnectionState.RECONNECTING);

            long plugged = System.nanoTime();
            devices.plugIn("modbus", new ModbusLikeDevice(), "ttyUSB3");
            Event connect = recorded.await(Kind.CONNECT, plugged, SECOND);
            assertThat(millisBetween(plugged, connect.nanos())).as("ms from plug-in to connect")
                    .isLessThan(REPLUG_BOUND_MILLIS);
            assertThat(recorded.events(Kind.ERROR, start)).as("errors").hasSize(1);
            ConnectorSetups.assertPingPong(recorded, connect.link());
        }
    }

    @Test
    void aStaleLinkAndAnAbsentUsbDeviceAreClearConnectErrorsToo() throws Exception {
        // a link left behind by a device that is gone (e.g. socat killed with SIGKILL), pointing at nothing
        Path stale = Files.createSymbolicLink(devices.path("ttyUSB4"), devices.path("pts/gone"));
        FakeDeviceTable table = new FakeDeviceTable(devices.path(""));
        EmulatedDevice other = devices.plugIn("other", new EchoDevice(), "ttyACM0");
        table.pointAt(UsbIdentity.parse("port", "usb:10c4:ea60:0002"), other.link());
        long start = System.nanoTime();
        try (RecordedConnback staleLink = RecordedConnback.start(modbusConnector(stale.toString(), null),
                WAITING_LONG);
                RecordedConnback absentUsb = RecordedConnback.start(modbusConnector(FTDI.toString(), table),
                        WAITING_LONG)) {
            assertThat(staleLink.await(Kind.ERROR, start, SECOND).error()).isInstanceOf(NoSuchFileException.class)
                    .hasMessage(stale + ": serial device not present");
            assertThat(absentUsb.await(Kind.ERROR, start, SECOND).error()).isInstanceOf(NoSuchFileException.class)
                    .hasMessage(FTDI + ": no such USB serial device; present: " + other.link()
                            + " usb:10c4:ea60:0002");
            for (RecordedConnback waiting : List.of(staleLink, absentUsb)) {
                assertThat(waiting.connback().state()).isEqualTo(ConnectionState.RECONNECTING);
                assertThat(waiting.events(Kind.CONNECT, start)).isEmpty();
            }
        }
    }

    /** Where the device is replugged; may update a device table first. */
    @FunctionalInterface
    private interface ReplugPath {
        Path prepare() throws Exception;
    }
}
