package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

@EnabledOnOs(OS.LINUX)
class EchoDeviceTest {

    @RegisterExtension
    final EmulatedDevices devices = new EmulatedDevices();

    @Test
    void sendsBackWhatTheHostWrites() throws Exception {
        EmulatedDevice device = devices.plugIn("echo", new EchoDevice(), "ttyUSB0");
        byte[] block = new byte[16 * 1024];
        new Random(1).nextBytes(block);
        try (HostPort host = HostPort.open(device.link())) {
            byte[] hello = "hello\r\n".getBytes(StandardCharsets.US_ASCII);
            host.write(hello);
            assertThat(host.read(hello.length, Duration.ofSeconds(1))).isEqualTo(hello);

            host.write(block);
            assertThat(host.read(block.length, Duration.ofSeconds(2))).isEqualTo(block);
        }
    }
}
