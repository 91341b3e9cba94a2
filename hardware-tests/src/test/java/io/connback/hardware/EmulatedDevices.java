package io.connback.hardware;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives each test a fresh folder playing {@code /dev} and closes the devices plugged in
 * there after the test; a device whose program failed fails the test. Register it with
 * {@code @RegisterExtension final EmulatedDevices devices = new EmulatedDevices();}.
 */
public final class EmulatedDevices implements BeforeEachCallback, AfterEachCallback {

    private final List<EmulatedDevice> plugged = new ArrayList<>();
    private Path dev;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dev = Files.createTempDirectory("connback-dev-");
    }

    /**
     * A path in this test's {@code /dev} folder, such as {@code ttyUSB0} or {@code serial/by-id/usb-...}.
     *
     * @param name the path relative to the folder
     * @return the path; nothing needs to exist there
     */
    public Path path(String name) {
        return dev.resolve(name);
    }

    /**
     * Plugs in a device, closed after the test.
     *
     * @param name names the device and its thread
     * @param program what the device does
     * @param linkName where it appears, relative to this test's {@code /dev} folder
     * @return the running device
     * @throws IOException if the pty or the link cannot be made
     */
    public EmulatedDevice plugIn(String name, DeviceProgram program, String linkName) throws IOException {
        EmulatedDevice device = EmulatedDevice.plugIn(name, program, path(linkName));
        plugged.add(device);
        return device;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        IOException failure = null;
        for (EmulatedDevice device : plugged) {
            try {
                device.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        plugged.clear();
        try (Stream<Path> files = Files.walk(dev)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
