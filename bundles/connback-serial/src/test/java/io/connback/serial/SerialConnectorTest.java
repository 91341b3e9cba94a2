package io.connback.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.Connector;
import io.connback.ConnectionState;
import io.connback.backoff.Jitter;
import io.connback.link.Link;
import io.connback.testing.Await;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The connector without a device: configuration errors, a missing port, and the hot-plug wake-up. */
class SerialConnectorTest {

    @TempDir
    Path dev;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "baudRate|fast|expected a whole number",
        "baudRate|0|must be above zero",
        "baudRate|-9600|must be above zero",
        "dataBits|9|must be 5 to 8",
        "parity|weird|expected none, odd, even, mark or space",
        "stopBits|3|expected 1, 1.5 or 2",
        "flowControl|magic|expected none, rts/cts or xon/xoff",
        "openDelay|-1|must not be negative",
        "port|usb:403:6001|expected a device path or usb:VID:PID[:SERIAL]",
        "port|''|expected a device path or usb:VID:PID[:SERIAL]",
        "ping.frame|hex:0g|'g' is not a hex digit",
        "pong.match|regex:(|bad regular expression",
    })
    void aBadValueIsRefusedNamingTheKeyAndTheValue(String key, String value, String reason) {
        Map<String, Object> config = new HashMap<>(Map.of("port", "/dev/ttyUSB0"));
        config.put(key, value);
        assertThatThrownBy(() -> SerialConnector.fromMap(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(key + ": invalid value '" + value + "'").hasMessageContaining(reason);
    }

    @Test
    void aPortIsRequired() {
        assertThatThrownBy(() -> SerialConnector.fromMap(Map.of("baudRate", 9600)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("port: invalid value ''");
    }

    @Test
    void readsEveryKeyOfAConfiguration() {
        assertThat(SerialConnector.fromMap(Map.of("port", "/dev/ttyUSB0", "baudRate", "19200", "dataBits", 7,
                "parity", "Even", "stopBits", "2", "flowControl", "RTS/CTS", "openDelay", "250")))
                .hasToString("SerialConnector[/dev/ttyUSB0 19200 7E2 rts/cts]");
    }

    @Test
    void aPortThatDoesNotExistIsAClearConnectError() throws Exception {
        Path missing = dev.resolve("ttyUSB7");
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Connback<Link> connback = start(SerialConnector.builder().port(missing.toString()).build(), errors);
        try {
            awaitTrue(() -> !errors.isEmpty());
            assertThat(errors.get(0)).isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining(missing.toString()).hasMessageContaining("serial device not present");
            assertThat(connback.state()).isEqualTo(ConnectionState.RECONNECTING);
        } finally {
            connback.end().whenEnded().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void anAbsentUsbDeviceIsReportedWithTheDevicesThatArePresent() throws Exception {
        DeviceTable table = () -> List.of(new SerialDevice(dev.resolve("ttyUSB0"),
                Optional.of(new UsbIdentity("10c4", "ea60", Optional.of("0001"))), "Silicon Labs CP2102"));
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Connback<Link> connback = start(SerialConnector.builder().port("usb:0403:6001").deviceTable(table).build(),
                errors);
        try {
            awaitTrue(() -> !errors.isEmpty());
            assertThat(errors.get(0)).isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining("usb:0403:6001")
                    .hasMessageContaining("present: " + dev.resolve("ttyUSB0") + " usb:10c4:ea60:0001");
        } finally {
            connback.end().whenEnded().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The backoff wait is 30 s; the device node appearing cuts it short at once. A device that appears but cannot be
     * opened yet (udev sets its permissions a moment later) is tried again at its next change, a few times only.
     */
    @Test
    void aDeviceThatAppearsWakesTheWaitingLinkWithoutWaitingForTheBackoff() throws Exception {
        Path node = dev.resolve("ttyACM0");
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Connback<Link> connback = start(SerialConnector.builder().port(node.toString()).build(), errors);
        try {
            awaitTrue(() -> errors.size() == 1);
            long plugged = System.nanoTime();
            Files.createFile(node); // not a terminal, so the open fails: what counts is that it is tried at once
            awaitTrue(() -> errors.size() == 2);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - plugged);
            assertThat(millis).as("retried %d ms after the device appeared", millis).isLessThan(1000);
            assertThat(errors.get(1)).isNotInstanceOf(NoSuchFileException.class);

            for (int change = 1; change <= 3; change++) {
                int expected = 2 + change;
                Files.writeString(node, "udev changes the node " + change);
                awaitTrue(() -> errors.size() == expected);
            }
            Files.writeString(node, "a fourth change");
            TimeUnit.MILLISECONDS.sleep(1000); // nothing may happen: give it the time to (wrongly) happen
            assertThat(errors).as("re-armed 3 times only, then the backoff rules").hasSize(5);
        } finally {
            connback.end().whenEnded().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    private static ConnbackOptions waitingLong() {
        return ConnbackOptions.builder().initialDelay(Duration.ofSeconds(30)).maxDelay(Duration.ofSeconds(60))
                .jitter(Jitter.none()).build();
    }

    /** Starts a Connback whose errors are recorded from the very first (the listener is given to create). */
    private Connback<Link> start(Connector<Link> connector, List<Throwable> errors) {
        return Connback.create(connector, waitingLong(), new ConnbackListener<Link>() {
            @Override
            public void onError(Throwable error) {
                errors.add(error);
            }
        });
    }

    private static void awaitTrue(BooleanSupplier condition) {
        Await.until("the condition", Duration.ofSeconds(10), condition);
    }
}
