package io.connback.hardware;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Modbus-RTU-like unit 1 that answers one request, "read holding register 0", with the value 42: the ping and
 * pong of a heartbeat. Other bytes are ignored. A silence ends a frame, as in Modbus RTU, so the rest of a frame cut
 * short by an unplug does not combine with later bytes.
 */
public final class ModbusLikeDevice implements DeviceProgram {

    /** {@code 01 03 00 00 00 01 84 0A}: unit 1, read holding registers, from 0, count 1, CRC. */
    private static final byte[] PING = withCrc(0x01, 0x03, 0x00, 0x00, 0x00, 0x01);
    /** {@code 01 03 02 00 2A 39 9B}: unit 1, read holding registers, 2 bytes, 42, CRC. */
    private static final byte[] PONG = withCrc(0x01, 0x03, 0x02, 0x00, 0x2A);
    /** Modbus RTU ends a frame after 3.5 characters of silence (4 ms at 9600 baud); a pty needs more slack. */
    private static final Duration FRAME_GAP = Duration.ofMillis(20);

    private final AtomicInteger pingsReceived = new AtomicInteger();
    private volatile boolean answering = true;

    /**
     * The request frame.
     *
     * @return a copy of {@code 01 03 00 00 00 01 84 0A}
     */
    public static byte[] ping() {
        return PING.clone();
    }

    /**
     * The response frame.
     *
     * @return a copy of {@code 01 03 02 00 2A 39 9B}
     */
    public static byte[] pong() {
        return PONG.clone();
    }

    /**
     * Makes the device answer pings, or receive and ignore them as a hung unit does.
     *
     * @param answering whether pings get a pong
     */
    public void answering(boolean answering) {
        this.answering = answering;
    }

    /**
     * How many pings arrived, answered or not.
     *
     * @return the count since the device started
     */
    public int pingsReceived() {
        return pingsReceived.get();
    }

    @Override
    public void run(DeviceLine line) throws IOException, InterruptedException {
        byte[] buffer = new byte[256];
        byte[] frame = new byte[PING.length];
        int framed = 0;
        while (true) {
            int count = line.read(buffer, FRAME_GAP);
            if (count == 0) {
                framed = 0;
            }
            for (int i = 0; i < count; i++) {
                // the last PING.length bytes of the frame: whatever precedes a ping is ignored
                if (framed == frame.length) {
                    System.arraycopy(frame, 1, frame, 0, frame.length - 1);
                    framed--;
                }
                frame[framed++] = buffer[i];
                if (framed == frame.length && Arrays.equals(frame, PING)) {
                    framed = 0;
                    pingsReceived.incrementAndGet();
                    if (answering) {
                        line.write(PONG);
                    }
                }
            }
        }
    }

    /** A frame: the bytes followed by their Modbus CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF, low first). */
    private static byte[] withCrc(int... bytes) {
        byte[] frame = new byte[bytes.length + 2];
        int crc = 0xFFFF;
        for (int i = 0; i < bytes.length; i++) {
            frame[i] = (byte) bytes[i];
            crc ^= bytes[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            }
        }
        frame[bytes.length] = (byte) crc;
        frame[bytes.length + 1] = (byte) (crc >>> 8);
        return frame;
    }
}
