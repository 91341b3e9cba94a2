package io.connback.serial.internal;

import com.fazecast.jSerialComm.SerialPort;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The serial ports this JVM holds open, and which link holds each, so that a link that cannot open a port another
 * link holds says which link it is, rather than only jSerialComm's error code. An entry whose port is closed no longer
 * counts; the next open of that device replaces it.
 */
final class OpenPorts {

    /** The open ports of every serial connector of this JVM. */
    static final OpenPorts SHARED = new OpenPorts();

    private record Holder(String link, SerialPort port) {}

    private final Map<Path, Holder> holders = new ConcurrentHashMap<>();

    /**
     * Records that a link opened a device.
     *
     * @param device the device's path
     * @param link the link that holds it
     * @param port its open port
     */
    void opened(Path device, String link, SerialPort port) {
        holders.put(device, new Holder(link, port));
    }

    /**
     * Which link holds a device open now.
     *
     * @param device the device's path
     * @return the link's name, or empty if none of this JVM holds it
     */
    Optional<String> holder(Path device) {
        Holder holder = holders.get(device);
        if (holder == null) {
            return Optional.empty();
        }
        if (!holder.port().isOpen()) {
            holders.remove(device, holder);
            return Optional.empty();
        }
        return Optional.of(holder.link());
    }
}
