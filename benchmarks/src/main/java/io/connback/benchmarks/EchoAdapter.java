package io.connback.benchmarks;

import io.connback.hardware.EchoDevice;
import io.connback.hardware.EmulatedDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The device of the serial runs: an emulated USB serial adapter with a device behind it that echoes every byte, on a
 * pseudo-terminal (see {@link EmulatedDevice}). A fresh folder plays {@code /dev}; the adapter appears in it as
 * {@code ttyUSB0}. Closing unplugs the device, stops its thread and deletes the folder.
 */
final class EchoAdapter implements AutoCloseable {

    /** The baud rate the runs configure. A pty ignores it: the runs measure software, not the line. */
    static final int BAUD_RATE = 115_200;

    private final Path folder;
    private final EmulatedDevice device;

    private EchoAdapter(Path folder, EmulatedDevice device) {
        this.folder = folder;
        this.device = device;
    }

    /**
     * Plugs the adapter in.
     *
     * @return the adapter, present as {@code ttyUSB0} in its folder
     * @throws IOException if the folder or the pty cannot be made
     */
    static EchoAdapter plugIn() throws IOException {
        Path folder = Files.createTempDirectory("connback-bench-dev-");
        try {
            return new EchoAdapter(folder, EmulatedDevice.plugIn("echo", new EchoDevice(), folder.resolve("ttyUSB0")));
        } catch (IOException | RuntimeException e) {
            Files.delete(folder);
            throw e;
        }
    }

    /**
     * The folder that plays {@code /dev}.
     *
     * @return the folder
     */
    Path folder() {
        return folder;
    }

    /**
     * The emulated device, to unplug and replug it.
     *
     * @return the device
     */
    EmulatedDevice device() {
        return device;
    }

    @Override
    public void close() throws IOException {
        try {
            device.close();
        } finally {
            Files.delete(folder); // empty: unplugging removed the device's link
        }
    }
}
