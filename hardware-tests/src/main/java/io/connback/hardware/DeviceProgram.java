package io.connback.hardware;

import java.io.IOException;

/** The firmware of an {@link EmulatedDevice}: runs in the device's thread for the device's whole life. */
@FunctionalInterface
public interface DeviceProgram {

    /**
     * Runs the device until it is closed, which the line signals by throwing {@link InterruptedException}. The
     * program keeps running while the device is unplugged and after a replug: the line hides both.
     *
     * @param line the device's end of the serial line
     * @throws IOException if the line fails; {@link EmulatedDevice#close()} reports it
     * @throws InterruptedException when the device is closed: the normal end
     */
    void run(DeviceLine line) throws IOException, InterruptedException;
}
