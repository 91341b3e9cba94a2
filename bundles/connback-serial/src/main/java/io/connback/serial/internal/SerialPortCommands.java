package io.connback.serial.internal;

import io.connback.serial.DeviceTable;
import io.connback.serial.SerialDevice;
import io.connback.serial.UsbIdentity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;

/**
 * The console command {@code connback:ports}: the serial devices present, with the USB identity to write in a
 * link's {@code port} key so that it finds its device wherever it is plugged, and the product the device says it is.
 * The Gogo annotation is optional at run time (its package is imported optionally): without Gogo it is not read.
 */
@Component(service = SerialPortCommands.class, property = {
    "osgi.command.scope=connback",
    "osgi.command.function=ports"})
public final class SerialPortCommands {

    private static final String NONE = "-";
    private static final String GAP = "  ";

    private final DeviceTable table;

    /** Made by SCR: reads this machine's sysfs. */
    public SerialPortCommands() {
        this(SysfsDeviceTable.system());
    }

    SerialPortCommands(DeviceTable table) {
        this.table = table;
    }

    /**
     * One line per serial device: its node, its USB identity (for {@code port=usb:...}) and the manufacturer and
     * product strings it reports, in columns as wide as their content.
     *
     * @return the table, or why it could not be read
     */
    @Descriptor("lists the serial devices present: node, USB identity for a link's port key (usb:VID:PID:SERIAL), "
            + "manufacturer and product")
    public String ports() {
        List<SerialDevice> devices;
        try {
            devices = table.devices();
        } catch (IOException e) {
            return "cannot list the serial devices in " + table.nodeFolder() + ": " + e.getMessage();
        }
        if (devices.isEmpty()) {
            return "no serial device present in " + table.nodeFolder();
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PORT", "USB IDENTITY", "PRODUCT"});
        for (SerialDevice device : devices) {
            rows.add(new String[] {device.path().toString(), device.usb().map(UsbIdentity::toString).orElse(NONE),
                device.description().isEmpty() ? NONE : device.description()});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int column = 0; column < row.length; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < row.length; column++) {
                line.append(String.format("%-" + widths[column] + "s", row[column])).append(GAP);
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString().stripTrailing();
    }
}
