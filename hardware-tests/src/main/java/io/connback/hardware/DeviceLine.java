package io.connback.hardware;

import java.io.IOException;
import java.time.Duration;

/**
 * A device program's end of the serial line. It survives unplug and replug: while unplugged, reads find nothing and
 * writes are lost, as on a device without power. Every method throws {@link InterruptedException} once the device
 * is closed, which ends the program.
 */
public interface DeviceLine {

    /**
     * Reads what the host sent, waiting at most {@code timeout}.
     *
     * @param buffer receives the bytes
     * @param timeout the longest wait
     * @return the number of bytes read, 0 if none arrived in time
     * @throws IOException if the pseudo-terminal fails
     * @throws InterruptedException when the device is closed
     */
    int read(byte[] buffer, Duration timeout) throws IOException, InterruptedException;

    /**
     * Sends bytes to the host. They are lost while the device is unplugged or no host has the port open (a serial
     * line does not keep them for the next host), and their rest is lost if the host does not read them within a
     * second.
     *
     * @param bytes what to send
     * @throws IOException if the pseudo-terminal fails
     * @throws InterruptedException when the device is closed
     */
    void write(byte[] bytes) throws IOException, InterruptedException;
}
