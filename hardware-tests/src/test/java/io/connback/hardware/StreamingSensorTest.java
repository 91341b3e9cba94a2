package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

@EnabledOnOs(OS.LINUX)
class StreamingSensorTest {

    @RegisterExtension
    final EmulatedDevices devices = new EmulatedDevices();

    @Test
    void sendsAboutTenReadingsASecondUnasked() throws Exception {
        EmulatedDevice device = devices.plugIn("sensor", new StreamingSensor(), "ttyACM0");
        try (HostPort host = HostPort.open(device.link())) {
            assertThat(host.readLine(Duration.ofSeconds(1))).isEqualTo("T=21.5\r\n");
            long start = System.nanoTime();
            int lines = 15;
            for (int i = 0; i < lines; i++) {
                assertThat(host.readLine(Duration.ofSeconds(1))).isEqualTo("T=21.5\r\n");
            }
            double perSecond = lines / ((System.nanoTime() - start) / 1e9);
            System.out.printf("[hardware-tests] streaming sensor: %.1f readings/s%n", perSecond);
            assertThat(perSecond).isBetween(8.0, 12.0);
        }
    }
}
