package io.connback.hardware;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Sends a reading, {@code T=21.5\r\n}, every period (100 ms unless told otherwise) without being asked. */
public class StreamingSensor implements DeviceProgram {

    private static final byte[] READING = "T=21.5\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Duration period;

    /** A sensor that sends ten readings a second. */
    public StreamingSensor() {
        this(Duration.ofMillis(100));
    }

    /**
     * A sensor that sends a reading every {@code period}.
     *
     * @param period the time between two readings
     */
    public StreamingSensor(Duration period) {
        this.period = period;
    }

    /**
     * The reading every sensor sends.
     *
     * @return a copy of {@code T=21.5\r\n} in ASCII
     */
    public static byte[] reading() {
        return READING.clone();
    }

    @Override
    public final void run(DeviceLine line) throws IOException, InterruptedException {
        byte[] ignored = new byte[256];
        long next = System.nanoTime();
        while (true) {
            // at a fixed rate; after a stall (a host that did not read) it goes on from now instead of catching up
            next = Math.max(next + period.toNanos(), System.nanoTime());
            for (long rest = next - System.nanoTime(); rest > 0; rest = next - System.nanoTime()) {
                // reading the host's bytes is the wait; a sensor ignores them, but they must not fill the pty
                line.read(ignored, Duration.ofNanos(rest));
            }
            line.write(emission());
        }
    }

    /**
     * What the sensor sends each period.
     *
     * @return one reading
     */
    protected byte[] emission() {
        return reading();
    }
}
