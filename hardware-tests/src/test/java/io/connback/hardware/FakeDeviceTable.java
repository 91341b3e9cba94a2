package io.connback.hardware;

import io.connback.serial.DeviceTable;
import io.connback.serial.SerialDevice;
import io.connback.serial.UsbIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The USB identities of emulated devices, kept up to date by the test as the kernel keeps sysfs: before a device is
 * replugged under another path, the test points its identity there. As in sysfs, a device is listed only while its
 * node exists, so an unplugged device is absent and a replugged one present as soon as its link appears.
 */
final class FakeDeviceTable implements DeviceTable {

    private final Path nodeFolder;
    private final Map<UsbIdentity, Path> nodes = new ConcurrentHashMap<>();

    FakeDeviceTable(Path nodeFolder) {
        this.nodeFolder = nodeFolder;
    }

    /** Where the device with that identity appears from now on. */
    void pointAt(UsbIdentity identity, Path node) {
        nodes.put(identity, node);
    }

    @Override
    public List<SerialDevice> devices() {
        return nodes.entrySet().stream()
                .filter(entry -> Files.exists(entry.getValue()))
                .map(entry -> new SerialDevice(entry.getValue(), Optional.of(entry.getKey()), "Connback Emulated"))
                .sorted(Comparator.comparing(SerialDevice::path))
                .toList();
    }

    @Override
    public Path nodeFolder() {
        return nodeFolder;
    }
}
