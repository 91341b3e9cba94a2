package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnbackOptions;
import io.connback.backoff.Jitter;
import io.connback.hardware.FaultyDevice.Fault;
import io.connback.hardware.RecordedConnback.Kind;
import io.connback.hardware.RecordedConnback.Received;
import io.connback.link.FrameTooLongException;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.serial.SerialConnector;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Garbage and oversize frames from a device: the link stays up, the readings after them arrive intact, and the
 * memory the link uses stays bounded by its maximum frame size.
 */
@EnabledOnOs(OS.LINUX)
class SerialConnectorFaultsTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final String READING = "T=21.5";
    private static final ConnbackOptions OPTIONS = ConnbackOptions.builder().jitter(Jitter.none()).build();

    @RegisterExtension
    final EmulatedDevices devices = new EmulatedDevices();

    private static SerialConnector.Builder lineConnector(EmulatedDevice device, int maxFrameSize) {
        return SerialConnector.builder().port(device.link().toString()).link(LinkSettings.fromMap(
                Map.of("framing", "delimiter:\\r\\n", "maxFrameSize", String.valueOf(maxFrameSize))));
    }

    /** Waits until {@code link} has delivered {@code count} intact readings in a row since {@code since}. */
    private static void awaitIntactReadings(RecordedConnback recorded, Link link, long since, int count) {
        recorded.awaitValue(count + " intact readings in a row", Duration.ofSeconds(3), () -> {
            List<Received> received = recorded.received(link, since);
            int inARow = 0;
            for (Received r : received) {
                inARow = r.isFrame() && r.text().equals(READING) ? inARow + 1 : 0;
            }
            return inARow >= count ? Optional.of(inARow) : Optional.empty();
        });
    }

    private static void assertStillUp(RecordedConnback recorded, Link link, long since) {
        assertThat(recorded.events(Kind.CLOSE, since)).as("closes").isEmpty();
        assertThat(recorded.connback().client()).containsSame(link);
        assertThat(link.isOpen()).isTrue();
    }

    @Test
    void garbageFromTheLineIsDiscardedAndTheReadingsAfterItArriveIntact() throws Exception {
        FaultyDevice sensor = new FaultyDevice(Fault.NONE, 0);
        EmulatedDevice device = devices.plugIn("faulty", sensor, "ttyUSB0");
        int maxFrameSize = 256;
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(lineConnector(device, maxFrameSize).build(),
                OPTIONS)) {
            Link link = recorded.await(Kind.CONNECT, start, SECOND).link();
            assertThat(recorded.awaitFrame(link, start, SECOND).text()).isEqualTo(READING);

            long garbage = System.nanoTime();
            sensor.inject(Fault.GARBAGE);
            // 64 random bytes a period, hardly ever a CR LF: a frame overflows after about 4 periods
            Received overflow = recorded.awaitReceived(r -> !r.isFrame(), "a framing error", garbage,
                    Duration.ofSeconds(3));
            assertThat(overflow.error()).isInstanceOf(FrameTooLongException.class)
                    .hasMessageContaining("maxFrameSize (" + maxFrameSize + " bytes)");

            long healed = System.nanoTime();
            sensor.inject(Fault.NONE);
            awaitIntactReadings(recorded, link, healed, 5);
            assertStillUp(recorded, link, start);
        }
    }

    @Test
    void megabytesWithoutDelimiterAreDiscardedWithinTheMaximumFrameSize() throws Exception {
        int oversize = 4 * 1024 * 1024;
        int oversizeFrames = 3;
        FaultyDevice sensor = new FaultyDevice(Fault.NONE, oversize);
        EmulatedDevice device = devices.plugIn("faulty", sensor, "ttyUSB0");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long start = System.nanoTime();
        try (RecordedConnback recorded = RecordedConnback.start(lineConnector(device,
                LinkSettings.DEFAULT_MAX_FRAME_SIZE).build(), OPTIONS)) {
            Link link = recorded.await(Kind.CONNECT, start, SECOND).link();
            awaitIntactReadings(recorded, link, start, 2);
            long heapBefore = usedHeapAfterGc(memory);

            long faulty = System.nanoTime();
            sensor.inject(Fault.OVERSIZE);
            recorded.awaitValue(oversizeFrames + " oversize frames", Duration.ofSeconds(5), () -> {
                long errors = recorded.received(link, faulty).stream().filter(r -> !r.isFrame()).count();
                return errors >= oversizeFrames ? Optional.of(errors) : Optional.empty();
            });
            long healed = System.nanoTime();
            sensor.inject(Fault.NONE);
            awaitIntactReadings(recorded, link, healed, 3);
            long heapGrowth = usedHeapAfterGc(memory) - heapBefore;

            List<Received> received = recorded.received(link, faulty);
            long overflows = received.stream().filter(r -> !r.isFrame()).count();
            System.out.printf("[hardware-tests] serial connector: %d frames of %d MiB without delimiter discarded,"
                    + " heap after GC %+.1f MiB%n", overflows, oversize >> 20, heapGrowth / 1048576.0);
            assertThat(received).filteredOn(r -> !r.isFrame()).extracting(Received::error)
                    .allSatisfy(error -> assertThat(error).isInstanceOf(FrameTooLongException.class));
            // each oversize frame ends with a reading, discarded with it: what arrives is the readings sent after
            assertThat(received).filteredOn(Received::isFrame).extracting(Received::text).containsOnly(READING);
            assertThat(heapGrowth).as("bytes of heap grown while %d MiB of garbage passed",
                    (overflows * oversize) >> 20).isLessThan(oversize / 2);
            assertStillUp(recorded, link, start);
        }
    }

    /** The heap in use after a full collection (G1 collects fully on {@link System#gc()}). */
    private static long usedHeapAfterGc(MemoryMXBean memory) {
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
