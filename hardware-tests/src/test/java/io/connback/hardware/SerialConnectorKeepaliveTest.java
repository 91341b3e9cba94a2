package io.connback.hardware;

import static io.connback.hardware.RecordedConnback.millisBetween;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnbackOptions;
import io.connback.KeepaliveTimeoutException;
import io.connback.backoff.Jitter;
import io.connback.hardware.FaultyDevice.Fault;
import io.connback.hardware.RecordedConnback.Event;
import io.connback.hardware.RecordedConnback.Kind;
import io.connback.hardware.RecordedConnback.Received;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.serial.SerialConnector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A device that falls silent while its port stays open (no hangup, nothing for the reader to notice) is closed by the
 * keepalive and reconnected.
 */
@EnabledOnOs(OS.LINUX)
class SerialConnectorKeepaliveTest {

    private static final Duration KEEPALIVE = Duration.ofSeconds(1);
    /** The keepalive's promise: a silent link is closed between K and 1.5 K after its last sign of life. */
    private static final long CLOSE_AFTER_MIN_MILLIS = KEEPALIVE.toMillis();
    private static final long CLOSE_AFTER_MAX_MILLIS = KEEPALIVE.toMillis() * 3 / 2;
    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final ConnbackOptions OPTIONS = ConnbackOptions.builder().keepalive(KEEPALIVE)
            .initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1)).jitter(Jitter.none()).build();

    @RegisterExtension
    final EmulatedDevices devices = new EmulatedDevices();

    @Test
    void aSensorThatFallsSilentIsClosedWithinOneAndAHalfKeepalivesOfItsLastByteAndReconnected() throws Exception {
        FaultyDevice sensor = new FaultyDevice(Fault.NONE, 0);
        EmulatedDevice device = devices.plugIn("faulty", sensor, "ttyUSB0");
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(SerialConnector.builder()
                .port(device.link().toString()).link(LinkSettings.fromMap(Map.of("framing", "delimiter:\\r\\n")))
                .build(), OPTIONS)) {
            Link silent = recorded.await(Kind.CONNECT, start, SECOND).link();
            recorded.awaitFrame(silent, start, SECOND);

            sensor.inject(Fault.SILENT);
            Event close = recorded.await(Kind.CLOSE, start, KEEPALIVE.multipliedBy(3));
            // no bytes but whole readings: the last frame's delimiter is the sensor's last byte
            List<Received> frames = recorded.received(silent, start);
            double silenceMillis = millisBetween(frames.get(frames.size() - 1).nanos(), close.nanos());
            System.out.printf("[hardware-tests] serial connector, keepalive %d ms: last byte of a silent sensor ->"
                    + " closed: %.1f ms%n", KEEPALIVE.toMillis(), silenceMillis);
            assertThat(silenceMillis).as("ms from the last byte to the close")
                    .isBetween((double) CLOSE_AFTER_MIN_MILLIS, (double) CLOSE_AFTER_MAX_MILLIS);
            assertThat(recorded.events(Kind.ERROR, start)).first().extracting(Event::error)
                    .isInstanceOf(KeepaliveTimeoutException.class);
            assertThat(silent.isOpen()).as("the silent link, closed").isFalse();

            long healed = System.nanoTime();
            sensor.inject(Fault.NONE);
            Link reconnected = recorded.await(Kind.CONNECT, close.nanos(), SECOND).link();
            assertThat(reconnected).isNotSameAs(silent);
            assertThat(recorded.awaitFrame(reconnected, healed, SECOND).text()).isEqualTo("T=21.5");
        }
    }

    @Test
    void aModbusUnitThatStopsAnsweringPingsIsClosedWithinOneAndAHalfKeepalivesOfItsLastPong() throws Exception {
        ModbusLikeDevice unit = new ModbusLikeDevice();
        EmulatedDevice device = devices.plugIn("modbus", unit, "ttyUSB0");
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(SerialConnector.builder()
                .port(device.link().toString()).link(LinkSettings.fromMap(ConnectorSetups.MODBUS_LINK)).build(),
                OPTIONS)) {
            Link hung = recorded.await(Kind.CONNECT, start, SECOND).link();
            ConnectorSetups.assertPingPong(recorded, hung);

            unit.answering(false);
            Event close = recorded.await(Kind.CLOSE, start, KEEPALIVE.multipliedBy(3));
            List<Received> pongs = recorded.received(hung, start);
            double silenceMillis = millisBetween(pongs.get(pongs.size() - 1).nanos(), close.nanos());
            System.out.printf("[hardware-tests] serial connector, keepalive %d ms: last pong of a hung unit ->"
                    + " closed: %.1f ms%n", KEEPALIVE.toMillis(), silenceMillis);
            assertThat(silenceMillis).as("ms from the last pong to the close")
                    .isBetween((double) CLOSE_AFTER_MIN_MILLIS, (double) CLOSE_AFTER_MAX_MILLIS);
            assertThat(unit.pingsReceived()).as("pings, the keepalive's one included").isGreaterThanOrEqualTo(2);

            unit.answering(true);
            Link reconnected = recorded.await(Kind.CONNECT, close.nanos(), SECOND).link();
            ConnectorSetups.assertPingPong(recorded, reconnected);
        }
    }
}
