package io.connback.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import com.fazecast.jSerialComm.SerialPort;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/** The host's end, as a serial connector sees it: a plain jSerialComm port opened by path, read with timeouts. */
final class HostPort implements AutoCloseable {

    /** jSerialComm rounds read timeouts on Linux to steps of 100 ms. */
    private static final int READ_STEP_MILLIS = 100;
    private static final int WRITE_TIMEOUT_MILLIS = 1000;

    private final SerialPort port;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private boolean hungUp;

    private HostPort(SerialPort port) {
        this.port = port;
    }

    /** Opens the port at {@code path} (a link is resolved now, as jSerialComm does), without the safety sleep. */
    static HostPort open(Path path) {
        SerialPort port = SerialPort.getCommPort(path.toString());
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING,
                READ_STEP_MILLIS, WRITE_TIMEOUT_MILLIS);
        assertThat(port.openPort(0)).as("jSerialComm opens %s", path).isTrue();
        return new HostPort(port);
    }

    SerialPort serialPort() {
        return port;
    }

    void write(byte[] bytes) {
        assertThat(port.writeBytes(bytes, bytes.length)).as("bytes written to %s", port).isEqualTo(bytes.length);
    }

    /** Reads {@code count} bytes; fewer if the timeout passes or the device hangs up first. */
    byte[] read(int count, Duration timeout) {
        receiveUntil(() -> received.size() >= count, timeout);
        return take(Math.min(count, received.size()));
    }

    /** Reads up to and including the next {@code '\n'}; what arrived if the timeout passes or the device hangs up. */
    String readLine(Duration timeout) {
        receiveUntil(() -> lineEnd() >= 0, timeout);
        int end = lineEnd();
        return new String(take(end < 0 ? received.size() : end + 1), StandardCharsets.ISO_8859_1);
    }

    /** Whether a read returned -1: the device is gone. */
    boolean hungUp() {
        return hungUp;
    }

    @Override
    public void close() {
        port.closePort();
    }

    private void receiveUntil(BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buffer = new byte[4096];
        while (!done.getAsBoolean() && !hungUp && System.nanoTime() - deadline < 0) {
            int count = port.readBytes(buffer, buffer.length);
            if (count < 0) {
                hungUp = true;
            } else {
                received.write(buffer, 0, count);
            }
        }
    }

    private int lineEnd() {
        byte[] bytes = received.toByteArray();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private byte[] take(int count) {
        byte[] bytes = received.toByteArray();
        received.reset();
        received.write(bytes, count, bytes.length - count);
        return Arrays.copyOf(bytes, count);
    }
}
