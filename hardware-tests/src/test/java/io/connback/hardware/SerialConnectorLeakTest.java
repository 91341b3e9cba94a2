package io.connback.hardware;

import static io.connback.hardware.ConnectorSetups.WAITING_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.Connector;
import io.connback.hardware.RecordedConnback.Kind;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.serial.DeviceTable;
import io.connback.serial.SerialConnector;
import io.connback.serial.SerialDevice;
import io.connback.serial.UsbIdentity;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many unplug/replug cycles in a row through the serial connector, and ending a Connback at awkward moments, leave no
 * file descriptor and no thread behind.
 */
@EnabledOnOs(OS.LINUX)
class SerialConnectorLeakTest {

    private static final int CYCLES = 100;
    /** A cycle that takes longer missed the hot-plug wake-up and waits out the 30 s backoff. */
    private static final Duration CYCLE_TIMEOUT = Duration.ofSeconds(2);
    /** The shared opener and writer threads end after 5 s without work. */
    private static final Duration POOL_IDLE_END = Duration.ofSeconds(10);
    private static final UsbIdentity FTDI = UsbIdentity.parse("port", "usb:0403:6001:CB000001");

    @RegisterExtension
    final EmulatedDevices devices = new EmulatedDevices();

    private static Connector<Link> modbusConnector(DeviceTable table) {
        return SerialConnector.builder().port(FTDI.toString()).deviceTable(table)
                .link(LinkSettings.fromMap(ConnectorSetups.MODBUS_LINK)).build();
    }

    private static List<String> threadsNamed(String prefix) {
        return Probes.liveThreads().stream().map(Thread::getName).filter(name -> name.startsWith(prefix)).toList();
    }

    /**
     * Unplugs the device under its open link, replugs it as soon as the link is offline, alternately under
     * {@code ttyUSB0} and {@code ttyUSB1} (found by USB identity), waits for the connect and pings the new link.
     */
    private Link cycle(RecordedConnback recorded, EmulatedDevice device, FakeDeviceTable table, int cycle)
            throws Exception {
        long unplugged = System.nanoTime();
        device.unplug();
        recorded.await(Kind.OFFLINE, unplugged, CYCLE_TIMEOUT);
        Path next = devices.path("ttyUSB" + cycle % 2);
        table.pointAt(FTDI, next);
        device.replug(next);
        Link link = recorded.await(Kind.CONNECT, unplugged, CYCLE_TIMEOUT).link();
        ConnectorSetups.assertPingPong(recorded, link);
        return link;
    }

    @Test
    void hundredUnplugReplugCyclesLeakNoFileDescriptorAndNoThread() throws Exception {
        FakeDeviceTable table = new FakeDeviceTable(devices.path(""));
        EmulatedDevice device = devices.plugIn("modbus", new ModbusLikeDevice(), "ttyUSB0");
        table.pointAt(FTDI, device.link());
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(modbusConnector(table), WAITING_LONG)) {
            runCycles(recorded, device, table, start);
        }
    }

    private void runCycles(RecordedConnback recorded, EmulatedDevice device, FakeDeviceTable table, long start)
            throws Exception {
        Link link = recorded.await(Kind.CONNECT, start, CYCLE_TIMEOUT).link();
        // a first cycle opens what the JVM opens lazily (classes, the watch service's first use)
        cycle(recorded, device, table, 1);
        long descriptorsBefore = Probes.openFileDescriptors();
        Set<Thread> threadsBefore = Probes.liveThreads();

        long cyclesStart = System.nanoTime();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            link = cycle(recorded, device, table, cycle);
        }
        double cycleMillis = RecordedConnback.millisBetween(cyclesStart, System.nanoTime()) / CYCLES;
        System.out.printf("[hardware-tests] serial connector: cycle of unplug, offline, replug under another path,"
                + " connect through the hot-plug watcher, ping/pong: %.1f ms%n", cycleMillis);

        assertThat(recorded.events(Kind.CONNECT, cyclesStart)).hasSize(CYCLES);
        assertThat(recorded.events(Kind.RECONNECT, cyclesStart)).as("one attempt per cycle").hasSize(CYCLES);
        assertThat(Probes.openFileDescriptors()).as("open file descriptors, connected as before the cycles")
                .isEqualTo(descriptorsBefore);
        assertThat(threadsNamed("connback-serial-reader-")).as("reader threads, connected").hasSize(1);

        // end while waiting for the unplugged device: the hot-plug watcher runs then, and must stop with the end
        long unplugged = System.nanoTime();
        device.unplug();
        recorded.await(Kind.OFFLINE, unplugged, CYCLE_TIMEOUT);
        // the watch starts right after the Connback hears of the loss
        recorded.awaitTrue("the hot-plug watcher while waiting", Duration.ofSeconds(2),
                () -> !threadsNamed("connback-serial-hotplug").isEmpty());
        recorded.end();
        assertThat(link.isOpen()).isFalse();
        recorded.awaitTrue("reader threads and the hot-plug watcher ended", Duration.ofSeconds(2),
                () -> threadsNamed("connback-serial-reader-").isEmpty()
                        && threadsNamed("connback-serial-hotplug").isEmpty());
        assertThat(Probes.openFileDescriptors()).as("open file descriptors, ended and unplugged")
                .isLessThan(descriptorsBefore);
        recorded.awaitTrue("the opener and writer threads ended after their idle time", POOL_IDLE_END,
                () -> threadsNamed("connback-serial-").isEmpty());
        assertThat(Probes.threadsLeftSince(threadsBefore)).as("threads left").isEmpty();
    }

    @Test
    void endingWhileAnAttemptLooksForTheDeviceLeavesNoHotPlugWatcher() throws Exception {
        CountDownLatch lookingUp = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        AtomicReference<Thread> opener = new AtomicReference<>();
        // the first look-up, by the attempt on the opener thread, lasts until the Connback has ended
        DeviceTable table = new DeviceTable() {
            @Override
            public List<SerialDevice> devices() throws IOException {
                if (opener.compareAndSet(null, Thread.currentThread())) {
                    lookingUp.countDown();
                    try {
                        assertThat(ended.await(5, TimeUnit.SECONDS)).as("ended").isTrue();
                    } catch (InterruptedException e) {
                        throw new InterruptedIOException();
                    }
                }
                return List.of();
            }

            @Override
            public Path nodeFolder() {
                return devices.path("");
            }
        };
        try (RecordedConnback recorded = RecordedConnback.start(modbusConnector(table), WAITING_LONG)) {
            assertThat(lookingUp.await(1, TimeUnit.SECONDS)).as("the attempt looks for the device").isTrue();
            recorded.end();
            ended.countDown();
            // the attempt finds no device, and must not start watching for it now that the Connback has ended
            recorded.awaitTrue("the end of the attempt", CYCLE_TIMEOUT,
                    () -> Arrays.stream(opener.get().getStackTrace())
                            .noneMatch(frame -> frame.getClassName().startsWith("io.connback.serial.")));
            recorded.awaitTrue("the hot-plug watcher stopped", CYCLE_TIMEOUT,
                    () -> threadsNamed("connback-serial-hotplug").isEmpty());
        }
    }
}
