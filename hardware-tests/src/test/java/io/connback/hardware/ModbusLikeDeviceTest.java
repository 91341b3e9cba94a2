package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

@EnabledOnOs(OS.LINUX)
class ModbusLikeDeviceTest {

    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");
    private static final int PONG_LENGTH = ModbusLikeDevice.pong().length;

    @RegisterExtension
    final EmulatedDevices devices = new EmulatedDevices();

    private final ModbusLikeDevice unit = new ModbusLikeDevice();
    private HostPort host;

    @BeforeEach
    void plugIn() throws Exception {
        host = HostPort.open(devices.plugIn("modbus", unit, "ttyUSB0").link());
    }

    @AfterEach
    void closeHost() {
        host.close();
    }

    private void awaitPings(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (unit.pingsReceived() < count && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        assertThat(unit.pingsReceived()).as("pings received").isEqualTo(count);
    }

    @Test
    void framesCarryTheModbusCrc() {
        // the request is the textbook "read holding register 0 of unit 1", whose CRC is well known
        assertThat(HEX.formatHex(ModbusLikeDevice.ping())).isEqualTo("01 03 00 00 00 01 84 0a");
        assertThat(HEX.formatHex(ModbusLikeDevice.pong())).isEqualTo("01 03 02 00 2a 39 9b");
    }

    @Test
    void answersAPingWithAPong() {
        host.write(ModbusLikeDevice.ping());
        assertThat(host.read(PONG_LENGTH, Duration.ofSeconds(1))).isEqualTo(ModbusLikeDevice.pong());
    }

    @Test
    void ignoresOtherBytes() throws Exception {
        byte[] noiseThenPing = HEX.parseHex("00 ff 7f 0d 0a 01 03 01 03 00 00 00 01 84 0a");
        host.write(noiseThenPing);
        assertThat(host.read(PONG_LENGTH, Duration.ofSeconds(1))).isEqualTo(ModbusLikeDevice.pong());

        host.write(HEX.parseHex("01 03 00 00 00 01 84 0b"));
        host.write("T=21.5\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(host.read(1, Duration.ofMillis(300))).as("answer to a bad CRC or a text line").isEmpty();
        awaitPings(1);
    }

    @Test
    void aHungUnitReceivesPingsButDoesNotAnswer() throws Exception {
        unit.answering(false);
        host.write(ModbusLikeDevice.ping());
        awaitPings(1);
        assertThat(host.read(1, Duration.ofMillis(300))).isEmpty();

        unit.answering(true);
        host.write(ModbusLikeDevice.ping());
        assertThat(host.read(PONG_LENGTH, Duration.ofSeconds(1))).isEqualTo(ModbusLikeDevice.pong());
    }
}
