package io.connback.serial;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The serial devices present now. On Linux the connector reads it from sysfs; tests feed their own.
 * Implementations must be thread-safe; a call may take a few milliseconds (it reads the file system).
 */
@FunctionalInterface
public interface DeviceTable {

    /**
     * Lists the devices present now.
     *
     * @return the devices, sorted by path
     * @throws IOException if the table cannot be read
     */
    List<SerialDevice> devices() throws IOException;

    /**
     * The folder where device nodes appear when a device is plugged in; the hot-plug watcher watches it.
     *
     * @return {@code /dev} by default
     */
    default Path nodeFolder() {
        return Path.of("/dev");
    }
}
