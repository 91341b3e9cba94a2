package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.hardware.FaultyDevice.Fault;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

@EnabledOnOs(OS.LINUX)
class FaultyDeviceTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final String READING = "T=21.5\r\n";

    @RegisterExtension
    final EmulatedDevices devices = new EmulatedDevices();

    @Test
    void sendsGarbage() throws Exception {
        EmulatedDevice device = devices.plugIn("faulty", new FaultyDevice(Fault.GARBAGE, 0), "ttyUSB0");
        try (HostPort host = HostPort.open(device.link())) {
            byte[] garbage = host.read(FaultyDevice.GARBAGE_LENGTH, SECOND);
            assertThat(garbage).hasSize(FaultyDevice.GARBAGE_LENGTH);
            int high = 0;
            for (byte b : garbage) {
                high += b < 0 ? 1 : 0;
            }
            assertThat(high).as("bytes above 0x7F, which no reading has").isPositive();
        }
    }

    @Test
    void sendsAnOversizeFrameWithoutLineEndThenAGoodReading() throws Exception {
        int oversize = 8192;
        EmulatedDevice device = devices.plugIn("faulty", new FaultyDevice(Fault.OVERSIZE, oversize), "ttyUSB0");
        try (HostPort host = HostPort.open(device.link())) {
            // the device sends nothing while no host listens, so the first byte is the start of a frame
            assertThat(host.readLine(SECOND)).isEqualTo("X".repeat(oversize) + READING);
        }
    }

    @Test
    void fallsSilentWhileThePortStaysOpen() throws Exception {
        FaultyDevice program = new FaultyDevice(Fault.NONE, 0);
        EmulatedDevice device = devices.plugIn("faulty", program, "ttyUSB0");
        try (HostPort host = HostPort.open(device.link())) {
            assertThat(host.readLine(SECOND)).isEqualTo(READING);

            program.inject(Fault.SILENT);
            // a reading may have been on its way when the fault struck
            assertThat(host.read(READING.length() + 1, Duration.ofMillis(300)).length)
                    .isLessThanOrEqualTo(READING.length());
            assertThat(host.read(1, SECOND)).as("bytes from a silent device").isEmpty();
            assertThat(host.hungUp()).isFalse();
            assertThat(host.serialPort().bytesAvailable()).as("jSerialComm sees a connected port").isZero();

            program.inject(Fault.NONE);
            assertThat(host.readLine(SECOND)).isEqualTo(READING);
        }
    }
}
