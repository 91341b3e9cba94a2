package io.connback.serial.internal;

import io.connback.config.ConfigValues;
import io.connback.serial.DeviceTable;
import io.connback.serial.SerialDevice;
import io.connback.serial.UsbIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Finds the device node of a configured port, again at every connection attempt: a path ({@code /dev/ttyUSB0}, a
 * {@code /dev/serial/by-id} link) is taken as it is; a USB identity ({@code usb:0403:6001[:SERIAL]}) is looked up in
 * the device table, so a device that comes back as {@code /dev/ttyUSB1} is still found.
 */
public final class PortLocator {

    private final String configured;
    private final Optional<UsbIdentity> usb;
    private final DeviceTable table;

    private PortLocator(String configured, Optional<UsbIdentity> usb, DeviceTable table) {
        this.configured = configured;
        this.usb = usb;
        this.table = table;
    }

    /**
     * Reads a configured port.
     *
     * @param key the configuration key, named in errors
     * @param port a path or {@code usb:VID:PID[:SERIAL]}
     * @param table where USB identities are looked up
     * @return the locator
     * @throws IllegalArgumentException naming the key and the value if the port is empty or a malformed identity
     */
    public static PortLocator parse(String key, String port, DeviceTable table) {
        if (port == null || port.isBlank()) {
            throw ConfigValues.invalid(key, port == null ? "" : port, "expected a device path or usb:VID:PID[:SERIAL]");
        }
        String trimmed = port.trim();
        Optional<UsbIdentity> usb = UsbIdentity.isUsbIdentity(trimmed)
                ? Optional.of(UsbIdentity.parse(key, trimmed))
                : Optional.empty();
        return new PortLocator(trimmed, usb, table);
    }

    /**
     * The device node of the port now.
     *
     * @return the path to open
     * @throws NoSuchFileException if the device is not present; its message says what is present instead
     * @throws IOException if the device table cannot be read
     */
    public Path resolve() throws IOException {
        if (usb.isEmpty()) {
            Path path = Path.of(configured);
            if (!Files.exists(path)) {
                throw new NoSuchFileException(configured, null, "serial device not present");
            }
            return path;
        }
        List<SerialDevice> devices = table.devices();
        UsbIdentity wanted = usb.get();
        return devices.stream()
                .filter(device -> device.usb().map(wanted::matches).orElse(false))
                .map(SerialDevice::path)
                .findFirst()
                .orElseThrow(() -> new NoSuchFileException(configured, null, "no such USB serial device; present: "
                        + (devices.isEmpty() ? "none" : devices.stream()
                                .map(device -> device.path() + device.usb().map(id -> " " + id).orElse(""))
                                .collect(Collectors.joining(", ")))));
    }

    /**
     * Whether the device is present now.
     *
     * @return {@code true} if {@link #resolve()} would find it
     */
    public boolean isPresent() {
        try {
            resolve();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The folder in which the device node appears when the device is plugged in.
     *
     * @return the folder of the configured path, or the device table's node folder for a USB identity
     */
    public Path watchFolder() {
        if (usb.isPresent()) {
            return table.nodeFolder();
        }
        Path parent = Path.of(configured).toAbsolutePath().getParent();
        return parent == null ? table.nodeFolder() : parent;
    }

    @Override
    public String toString() {
        return configured;
    }
}
