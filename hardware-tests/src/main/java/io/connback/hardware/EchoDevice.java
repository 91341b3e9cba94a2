package io.connback.hardware;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;

/** Sends back every byte it receives. */
public final class EchoDevice implements DeviceProgram {

    @Override
    public void run(DeviceLine line) throws IOException, InterruptedException {
        byte[] buffer = new byte[4096];
        while (true) {
            int count = line.read(buffer, Duration.ofSeconds(1));
            if (count > 0) {
                line.write(Arrays.copyOf(buffer, count));
            }
        }
    }
}
