package io.connback.serial.internal;

import com.fazecast.jSerialComm.SerialPort;
import io.connback.Connback;
import io.connback.link.AbstractLink;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.Executor;

/**
 * One open serial port as a {@link Link}. A reader thread of its own ({@code connback-serial-reader-NAME}) blocks in
 * {@link SerialPort#readBytes(byte[], int)} with a short timeout and feeds what it reads to the link; writes run on
 * the connector's shared writer pool. A read error (the device was unplugged: jSerialComm reports it within a few
 * milliseconds) closes the port at once and reports the loss to the Connback.
 */
final class SerialLink extends AbstractLink {

    private static final System.Logger LOG = System.getLogger(SerialLink.class.getName());
    private static final int READ_CHUNK_BYTES = 1024;

    private final SerialPort port;
    private final Connback<Link> connback;
    private final Executor writer;
    private final Runnable onDeviceLost;
    private final Thread reader;
    private final WritableByteChannel output = new PortOutput();

    SerialLink(String remote, LinkSettings settings, Connback<Link> connback, SerialPort port, Executor writer,
            Runnable onDeviceLost) {
        super(remote, settings, connback);
        this.port = port;
        this.connback = connback;
        this.writer = writer;
        this.onDeviceLost = onDeviceLost;
        this.reader = new Thread(this::readLoop, "connback-serial-reader-" + port.getSystemPortName());
        reader.setDaemon(true);
    }

    void start() {
        reader.start();
    }

    /**
     * Closes the port, once; the reader thread ends within one read timeout.
     *
     * @return {@code true} if this call closed it
     */
    boolean close() {
        if (!markClosed()) {
            return false;
        }
        if (!port.closePort()) {
            LOG.log(Level.DEBUG, () -> this + ": closePort reported error " + port.getLastErrorCode());
        }
        return true;
    }

    /** Whether the reader thread has ended; for tests that look for leaks. */
    boolean readerEnded() {
        return !reader.isAlive();
    }

    @Override
    protected void requestFlush() {
        writer.execute(() -> {
            try {
                flush(output);
            } catch (IOException e) {
                if (close()) {
                    connback.feedError(this, e);
                }
            }
        });
    }

    private void readLoop() {
        byte[] buffer = new byte[READ_CHUNK_BYTES];
        while (isOpen()) {
            int read = port.readBytes(buffer, buffer.length);
            if (read > 0) {
                received(ByteBuffer.wrap(buffer, 0, read));
            } else if (read < 0 && close()) {
                onDeviceLost.run();
                connback.feedError(this, new IOException(remote() + ": device disconnected (read error "
                        + port.getLastErrorCode() + ")"));
            }
        }
    }

    /** Blocking writes with the port's write timeout; a timeout or an error fails the flush. */
    private final class PortOutput implements WritableByteChannel {
        @Override
        public int write(ByteBuffer source) throws IOException {
            int length = source.remaining();
            byte[] bytes = new byte[length];
            source.duplicate().get(bytes);
            int written = port.writeBytes(bytes, length);
            if (written < 0) {
                throw new IOException(remote() + ": write failed (error " + port.getLastErrorCode() + ")");
            }
            if (written == 0 && length > 0) {
                throw new IOException(remote() + ": write timed out (flow control holding, or device gone)");
            }
            source.position(source.position() + written);
            return written;
        }

        @Override
        public boolean isOpen() {
            return port.isOpen();
        }

        @Override
        public void close() {
            // the port is closed by the link
        }
    }
}
