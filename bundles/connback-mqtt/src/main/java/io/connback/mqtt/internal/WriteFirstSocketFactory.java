package io.connback.mqtt.internal;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets for Paho that keep Paho 1.2.5's connecting thread ({@code MQTT Con: <client id>}) from looping
 * forever. That thread starts the receiver, the sender and the callback threads one after the other, and after each it
 * polls, every 100 ms, until the new thread is running; only then does it send the CONNECT. A thread that stops before
 * the poll saw it running makes the loop endless: one leaked thread per attempt.
 * <ul>
 *   <li>A server that accepts and closes at once (a proxy or a load balancer in front of a stopped broker) made the
 *       receiver read the end of the stream and stop: a leaked thread at every attempt, measured. Here the first read
 *       waits for the first write, the CONNECT, which comes after the last poll. MQTT servers never speak first, so
 *       this delays nothing.
 *   <li>A shutdown of the client during the polls (the attempt cancelled or timed out) stops the threads too. One
 *       factory serves one attempt, and {@link #abandon} runs before any shutdown: it waits until the CONNECT is
 *       written, and makes an attempt that has not asked for its streams yet fail instead. A socket closed before the
 *       CONNECT keeps its reader waiting for a grace period, for the same reason.
 * </ul>
 *
 * <p>TLS sockets come from the TLS socket factory; the first case cannot happen there (the handshake precedes the
 * threads), the second can, and is not covered.
 */
final class WriteFirstSocketFactory extends SocketFactory {

    /** Several times the 100 ms that Paho's connecting thread sleeps between two looks at its receiver. */
    private static final long CLOSED_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long POLL_MILLIS = 50;

    /** How long {@link #abandon} waits for the connecting thread to leave Paho's polls. */
    private static final long ABANDON_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Object lock = new Object();
    private boolean abandoned; // guarded by lock
    private boolean starting; // guarded by lock: from the input stream's request to the first write, the CONNECT

    /**
     * Marks the attempt abandoned, before its client is shut down; on a closer thread, as it may wait. Returns once
     * Paho's connecting thread is not, and never will be, in the polls that a shutdown would make endless.
     */
    void abandon() {
        long deadline = System.nanoTime() + ABANDON_WAIT_NANOS;
        synchronized (lock) {
            abandoned = true;
            long left = ABANDON_WAIT_NANOS;
            while (starting && left > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                left = deadline - System.nanoTime();
            }
        }
    }

    /** Paho asks for the input stream just before it starts its threads and polls for them. */
    private void threadsStarting() throws IOException {
        synchronized (lock) {
            if (abandoned) {
                throw new SocketException("the connection attempt was abandoned");
            }
            starting = true;
        }
    }

    /** The CONNECT is written, so the polls are over. */
    private void connectWritten() {
        synchronized (lock) {
            starting = false;
            lock.notifyAll();
        }
    }

    @Override
    public Socket createSocket() {
        return new WriteFirstSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress... local) throws IOException {
        Socket socket = new WriteFirstSocket();
        try {
            for (InetSocketAddress address : local) {
                socket.bind(address);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** A socket whose input opens once its output has been written to, or a grace period after it is closed. */
    private final class WriteFirstSocket extends Socket {
        private final CountDownLatch written = new CountDownLatch(1);
        private volatile long closedAtNanos; // 0 while open
        private InputStream input; // guarded by this
        private OutputStream output; // guarded by this

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                threadsStarting();
                input = new FilterInputStream(super.getInputStream()) {
                    @Override
                    public int read() throws IOException {
                        awaitWritten();
                        return super.read();
                    }

                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        awaitWritten();
                        return super.read(buffer, offset, length);
                    }
                };
            }
            return input;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (output == null) {
                output = new FilterOutputStream(super.getOutputStream()) {
                    @Override
                    public void write(int b) throws IOException {
                        out.write(b);
                        written();
                    }

                    @Override
                    public void write(byte[] buffer, int offset, int length) throws IOException {
                        out.write(buffer, offset, length); // not FilterOutputStream's byte-by-byte copy
                        written();
                    }
                };
            }
            return output;
        }

        @Override
        public synchronized void close() throws IOException {
            if (closedAtNanos == 0) {
                closedAtNanos = System.nanoTime() | 1; // never 0
            }
            super.close();
        }

        private void written() {
            if (written.getCount() > 0) {
                written.countDown();
                connectWritten();
            }
        }

        private void awaitWritten() throws IOException {
            try {
                while (!written.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    long closedAt = closedAtNanos;
                    if (closedAt != 0 && System.nanoTime() - closedAt >= CLOSED_GRACE_NANOS) {
                        return; // the read fails on the closed socket: the receiver stops
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the CONNECT to be written");
            }
        }
    }
}
