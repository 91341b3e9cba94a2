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
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open serial port as a {@link Link}. A reader thread of its own ({@code connback-serial-reader-NAME}) blocks in
 * {@link SerialPort#readBytes(byte[], int)} with a short timeout and feeds what it reads to the link, which hands the
 * frames to the listeners on a delivery thread (see {@link AbstractLink}), so that a listener that blocks does not
 * stop the reading (nor the detection of an unplugged device); writes run on
 * the connector's shared writer pool, one flush of this link at a time. A read error (the device was unplugged:
 * jSerialComm reports it within a few milliseconds) closes the link at once and reports the loss to the Connback.
 *
 * <p>Only the reader thread closes the port, after its last read: closing it under a read in progress frees the file
 * descriptor while the read still uses it, and a port opened meanwhile (the reconnection) can get that descriptor and
 * lose its first bytes to the old reader. {@link #close()} marks the link closed; the port follows within one read
 * timeout, and {@link #awaitPortClosed(Duration)} lets the next opening of the device wait for it.
 */
final class SerialLink extends AbstractLink {

    private static final System.Logger LOG = System.getLogger(SerialLink.class.getName());
    private static final int READ_CHUNK_BYTES = 1024;

    private final SerialPort port;
    private final Connback<Link> connback;
    private final Executor writer;
    private final Runnable onDeviceLost;
    private final WritableByteChannel output = new PortOutput();
    private final AtomicInteger flushRequests = new AtomicInteger(); // above zero while a flush task of this link runs
    private final CountDownLatch portClosed = new CountDownLatch(1);

    SerialLink(String remote, LinkSettings settings, Connback<Link> connback, SerialPort port, Executor writer,
            Runnable onDeviceLost) {
        super(remote, settings, connback);
        this.port = port;
        this.connback = connback;
        this.writer = writer;
        this.onDeviceLost = onDeviceLost;
    }

    void start() {
        SharedSerialThreads.start("connback-serial-reader-" + port.getSystemPortName(), this::readLoop);
    }

    /**
     * Closes the link, once: sends stop and queued ones fail; the reader thread closes the port after its current
     * read, within one read timeout.
     *
     * @return {@code true} if this call closed it
     */
    boolean close() {
        return markClosed();
    }

    /**
     * Waits until the reader thread has closed the port, so that the device can be opened again.
     *
     * @param timeout the longest wait
     * @return {@code true} if the port is closed
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitPortClosed(Duration timeout) throws InterruptedException {
        return portClosed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Runs the flushes of this link as one task on the writer pool at a time: a send during a flush counts a request
     * that the running task takes up, so two pool threads never write to the port at once.
     */
    @Override
    protected void requestFlush() {
        if (flushRequests.getAndIncrement() == 0) {
            writer.execute(this::flushWhileRequested);
        }
    }

    private void flushWhileRequested() {
        int served;
        do {
            served = flushRequests.get();
            try {
                flush(output);
            } catch (IOException e) {
                if (close()) {
                    connback.feedError(this, e);
                }
            }
        } while (flushRequests.addAndGet(-served) > 0);
    }

    private void readLoop() {
        byte[] buffer = new byte[READ_CHUNK_BYTES];
        try {
            while (isOpen()) {
                int read = port.readBytes(buffer, buffer.length);
                if (read > 0) {
                    received(ByteBuffer.wrap(buffer, 0, read));
                } else if (read < 0) {
                    deviceLost();
                    return;
                }
            }
        } finally {
            closePort();
        }
    }

    /**
     * The device is gone: the port closes first, so that its node is gone too when the hot-plug watch starts and a
     * quick replug is seen as one. The Connback hears of it before the watch starts: a device that the watch finds
     * at once asks it to retry, which only a Connback that knows the link is lost does.
     */
    private void deviceLost() {
        boolean closedHere = close();
        int error = port.getLastErrorCode();
        closePort();
        if (closedHere) {
            connback.feedError(this, new IOException(remote() + ": device disconnected (read error " + error + ")"));
            onDeviceLost.run();
        }
    }

    /** Closes the port, once; called on the reader thread only, after its last read. */
    private void closePort() {
        if (portClosed.getCount() == 0) {
            return;
        }
        if (!port.closePort()) {
            LOG.log(Level.DEBUG, () -> this + ": closePort reported error " + port.getLastErrorCode());
        }
        portClosed.countDown();
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
