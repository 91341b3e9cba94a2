package io.connback.serial.internal;

import io.connback.serial.DeviceTable;
import io.connback.serial.SerialDevice;
import io.connback.serial.UsbIdentity;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;

/**
 * The console command {@code connback:ports}: the serial devices present, with the USB identity to write in a
 * link's {@code port} key so that it finds its device wherever it is plugged.
 */
@Component(service = SerialPortCommands.class, property = {
    "osgi.command.scope=connback",
    "osgi.command.function=ports"})
public final class SerialPortCommands {

    private final DeviceTable table;

    /** Made by SCR: reads this machine's sysfs. */
    public SerialPortCommands() {
        this(SysfsDeviceTable.system());
    }

    SerialPortCommands(DeviceTable table) {
        this.table = table;
    }

    /**
     * One line per serial device: its node, its USB identity (for {@code port=usb:...}) and what it says it is.
     *
     * @return the table, or why it could not be read
     */
    public String ports() {
        List<SerialDevice> devices;
        try {
            devices = table.devices();
        } catch (IOException e) {
            return "cannot list the serial devices: " + e.getMessage();
        }
        if (devices.isEmpty()) {
            return "no serial device present";
        }
        return devices.stream()
                .map(device -> String.format("%-28s %-32s %s", device.path(),
                        device.usb().map(UsbIdentity::toString).orElse("-"), device.description()).stripTrailing())
                .collect(Collectors.joining("\n", String.format("%-28s %-32s %s%n", "PORT", "USB IDENTITY",
                        "DESCRIPTION"), ""));
    }
}
