package io.connback.serial.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.serial.SerialDevice;
import io.connback.serial.UsbIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.Test;

class SerialPortCommandsTest {

    @Test
    void listsTheDevicesWithTheIdentityToConfigureAndTheProductInColumnsAsWideAsTheirContent() {
        SerialPortCommands commands = new SerialPortCommands(() -> List.of(
                new SerialDevice(Path.of("/dev/ttyS0"), Optional.empty(), ""),
                new SerialDevice(Path.of("/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"),
                        Optional.of(new UsbIdentity("0403", "6001", Optional.of("A50285BI"))),
                        "FTDI FT232R USB UART"),
                new SerialDevice(Path.of("/dev/ttyACM0"), Optional.of(new UsbIdentity("2341", "0043",
                        Optional.empty())), "Arduino (www.arduino.cc) Arduino Uno")));
        String longPath = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0";
        assertThat(commands.ports().split("\n")).containsExactly(
                "PORT" + " ".repeat(longPath.length() - 4) + "  USB IDENTITY            PRODUCT",
                "/dev/ttyS0" + " ".repeat(longPath.length() - 10) + "  -                       -",
                longPath + "  usb:0403:6001:A50285BI  FTDI FT232R USB UART",
                "/dev/ttyACM0" + " ".repeat(longPath.length() - 12)
                        + "  usb:2341:0043           Arduino (www.arduino.cc) Arduino Uno");
    }

    @Test
    void theCommandDescribesItselfToGogo() throws NoSuchMethodException {
        assertThat(SerialPortCommands.class.getMethod("ports").getAnnotation(Descriptor.class).value())
                .contains("serial devices", "USB identity", "product");
    }

    @Test
    void saysWhenThereIsNothingOrTheTableCannotBeRead() {
        assertThat(new SerialPortCommands(List::of).ports()).isEqualTo("no serial device present in /dev");
        assertThat(new SerialPortCommands(() -> {
            throw new IOException("/sys not mounted");
        }).ports()).isEqualTo("cannot list the serial devices in /dev: /sys not mounted");
    }
}
