package io.connback.serial;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A serial device present on this machine.
 *
 * @param path its device node, e.g. {@code /dev/ttyUSB0}
 * @param usb its USB identity, empty for a device that is not on USB
 * @param description the manufacturer and product strings the device reports, or empty
 */
public record SerialDevice(Path path, Optional<UsbIdentity> usb, String description) {}
