package io.connback.serial.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.serial.SerialDevice;
import io.connback.serial.UsbIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SerialPortCommandsTest {

    @Test
    void listsTheDevicesWithTheIdentityToConfigure() {
        SerialPortCommands commands = new SerialPortCommands(() -> List.of(
                new SerialDevice(Path.of("/dev/ttyS0"), Optional.empty(), ""),
                new SerialDevice(Path.of("/dev/ttyUSB0"),
                        Optional.of(new UsbIdentity("0403", "6001", Optional.of("A50285BI"))),
                        "FTDI FT232R USB UART")));
        String[] lines = commands.ports().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("PORT").contains("USB IDENTITY");
        assertThat(lines[1]).startsWith("/dev/ttyS0").endsWith("-");
        assertThat(lines[2]).startsWith("/dev/ttyUSB0").contains("usb:0403:6001:A50285BI")
                .endsWith("FTDI FT232R USB UART");
    }

    @Test
    void saysWhenThereIsNothingOrTheTableCannotBeRead() {
        assertThat(new SerialPortCommands(List::of).ports()).isEqualTo("no serial device present");
        assertThat(new SerialPortCommands(() -> {
            throw new IOException("/sys not mounted");
        }).ports()).isEqualTo("cannot list the serial devices: /sys not mounted");
    }
}
