package io.connback.serial.internal;

import io.connback.serial.DeviceTable;
import io.connback.serial.SerialDevice;
import io.connback.serial.UsbIdentity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Lists serial devices from Linux sysfs: each {@code /sys/class/tty/NAME} with a {@code device} link is hardware;
 * walking up from that device to the first folder with {@code idVendor} and {@code idProduct} finds its USB device
 * (for ttyUSB the port sits below the interface; for ttyACM the interface itself is the device link), whose
 * {@code serial}, {@code manufacturer} and {@code product} files complete the identity. The node is
 * {@code /dev/NAME}. The 8250 driver's reserved slots ({@code ttyS0} to {@code ttyS31} on a PC) whose {@code type}
 * is 0 have no UART behind them and are left out.
 *
 * <p>Both roots are parameters so that tests run against a fake tree.
 */
public final class SysfsDeviceTable implements DeviceTable {

    private static final int MAX_DEPTH = 8;

    private final Path sysRoot;
    private final Path devRoot;

    /**
     * Reads a sysfs tree.
     *
     * @param sysRoot the sysfs mount, {@code /sys} on a real machine
     * @param devRoot the device folder, {@code /dev} on a real machine
     */
    public SysfsDeviceTable(Path sysRoot, Path devRoot) {
        this.sysRoot = sysRoot;
        this.devRoot = devRoot;
    }

    /**
     * The machine's own table.
     *
     * @return a table over {@code /sys} and {@code /dev}
     */
    public static SysfsDeviceTable system() {
        return new SysfsDeviceTable(Path.of("/sys"), Path.of("/dev"));
    }

    @Override
    public Path nodeFolder() {
        return devRoot;
    }

    @Override
    public List<SerialDevice> devices() throws IOException {
        Path ttys = sysRoot.resolve("class/tty");
        if (!Files.isDirectory(ttys)) {
            return List.of();
        }
        List<SerialDevice> devices = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(ttys)) {
            for (Path tty : entries) {
                Path deviceLink = tty.resolve("device");
                if (!Files.exists(deviceLink)) {
                    continue; // virtual terminals and ptys have no device
                }
                if (read(tty.resolve("type")).filter("0"::equals).isPresent()) {
                    continue; // a UART slot the 8250 driver reserves, with no UART behind it (PORT_UNKNOWN)
                }
                Path node = devRoot.resolve(tty.getFileName().toString());
                if (!Files.exists(node)) {
                    continue; // not (or no longer) in /dev
                }
                devices.add(describe(node, deviceLink.toRealPath()));
            }
        }
        devices.sort(Comparator.comparing(SerialDevice::path));
        return devices;
    }

    private static SerialDevice describe(Path node, Path device) throws IOException {
        Path folder = device;
        for (int depth = 0; folder != null && depth < MAX_DEPTH; depth++, folder = folder.getParent()) {
            Optional<String> vendor = read(folder.resolve("idVendor"));
            Optional<String> product = read(folder.resolve("idProduct"));
            if (vendor.isPresent() && product.isPresent()) {
                UsbIdentity usb = new UsbIdentity(vendor.get(), product.get(), read(folder.resolve("serial")));
                String description = (read(folder.resolve("manufacturer")).orElse("") + " "
                        + read(folder.resolve("product")).orElse("")).trim();
                return new SerialDevice(node, Optional.of(usb), description);
            }
        }
        return new SerialDevice(node, Optional.empty(), "");
    }

    private static Optional<String> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        // by stream: Files.readString trusts the file size, which sysfs and procfs files do not report truthfully
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }
}
