package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnbackOptions;
import io.connback.ConnectionState;
import io.connback.Connector;
import io.connback.backoff.Jitter;
import io.connback.hardware.FaultyDevice.Fault;
import io.connback.hardware.RecordedConnback.Kind;
import io.connback.hardware.RecordedConnback.Received;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.serial.SerialConnector;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each emulated device reaches CONNECTED through the serial connector and exchanges frames with the application. */
@EnabledOnOs(OS.LINUX)
class SerialConnectorExchangeTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final ConnbackOptions OPTIONS = ConnbackOptions.builder().jitter(Jitter.none()).build();
    private static final Map<String, String> LINES = Map.of("framing", "delimiter:\\r\\n");
    private static final String READING = "T=21.5";

    @RegisterExtension
    final EmulatedDevices devices = new EmulatedDevices();

    private static Connector<Link> connectorTo(EmulatedDevice device, Map<String, String> linkConfig) {
        return SerialConnector.builder().port(device.link().toString()).baudRate(115200)
                .link(LinkSettings.fromMap(linkConfig)).build();
    }

    /** Waits for the first connect and checks that the Connback is CONNECTED with that link. */
    private static Link connected(RecordedConnback recorded, long since) {
        RecordedConnback.Event connect = recorded.await(Kind.CONNECT, since, SECOND);
        Link link = connect.link();
        assertThat(recorded.connback().state()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(recorded.connback().client()).containsSame(link);
        assertThat(link.isOpen()).isTrue();
        System.out.printf("[hardware-tests] serial connector: %s connected in %.1f ms%n", link.remote(),
                RecordedConnback.millisBetween(since, connect.nanos()));
        return link;
    }

    private static void send(Link link, String text) throws Exception {
        link.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII))).toCompletableFuture()
                .get(1, TimeUnit.SECONDS);
    }

    /** The next {@code count} frames of {@code link} from {@code since}, as text. */
    private static List<String> frames(RecordedConnback recorded, Link link, long since, int count) {
        return recorded.awaitValue(count + " frames", Duration.ofSeconds(2), () -> {
            List<Received> frames = recorded.received(link, since).stream().filter(Received::isFrame).toList();
            return frames.size() >= count
                    ? Optional.of(frames.subList(0, count).stream().map(Received::text).toList())
                    : Optional.empty();
        });
    }

    @Test
    void anEchoDeviceReturnsTheLinesTheLinkSends() throws Exception {
        EmulatedDevice device = devices.plugIn("echo", new EchoDevice(), "ttyUSB0");
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(connectorTo(device, LINES), OPTIONS)) {
            Link link = connected(recorded, start);
            long sent = System.nanoTime();
            send(link, "AT\r\n");
            send(link, "ATI\r\nAT+GMR\r\n");
            assertThat(frames(recorded, link, sent, 3)).containsExactly("AT", "ATI", "AT+GMR");
        }
    }

    @Test
    void aModbusLikeUnitAnswersTheSentPingAndTheKeepalivePingsWithPongs() throws Exception {
        ModbusLikeDevice unit = new ModbusLikeDevice();
        EmulatedDevice device = devices.plugIn("modbus", unit, "ttyUSB0");
        Duration keepalive = Duration.ofMillis(500);
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(connectorTo(device, ConnectorSetups.MODBUS_LINK),
                OPTIONS.toBuilder().keepalive(keepalive).build())) {
            Link link = connected(recorded, start);
            long sent = System.nanoTime();
            ConnectorSetups.assertPingPong(recorded, link);

            // with nothing else sent, the keepalive pings with the ping frame; the pongs keep the link up
            int keepalivePings = 2;
            recorded.awaitTrue("the pongs of " + keepalivePings + " keepalive pings",
                    keepalive.multipliedBy(keepalivePings + 2),
                    () -> recorded.received(link, sent).size() >= 1 + keepalivePings);
            assertThat(recorded.received(link, sent))
                    .allSatisfy(pong -> assertThat(pong.bytes()).isEqualTo(ModbusLikeDevice.pong()));
            assertThat(unit.pingsReceived()).isGreaterThanOrEqualTo(1 + keepalivePings);
            assertThat(recorded.events(Kind.CLOSE, start)).isEmpty();
            assertThat(recorded.connback().client()).containsSame(link);
        }
    }

    @Test
    void aStreamingSensorDeliversReadingsUnaskedAndTakesWhatIsSent() throws Exception {
        EmulatedDevice device = devices.plugIn("sensor", new StreamingSensor(), "ttyACM0");
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(connectorTo(device, LINES), OPTIONS)) {
            Link link = connected(recorded, start);
            send(link, "ignored by a sensor\r\n");
            assertThat(frames(recorded, link, start, 5)).containsOnly(READING);
        }
    }

    @Test
    void aFaultyDeviceWithoutFaultDeliversReadings() throws Exception {
        EmulatedDevice device = devices.plugIn("faulty", new FaultyDevice(Fault.NONE, 0), "ttyUSB0");
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(connectorTo(device, LINES), OPTIONS)) {
            Link link = connected(recorded, start);
            send(link, "ignored\r\n");
            assertThat(frames(recorded, link, start, 3)).containsOnly(READING);
        }
    }
}
