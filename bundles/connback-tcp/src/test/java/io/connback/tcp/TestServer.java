package io.connback.tcp;

import io.connback.testing.LoopbackPorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;

/**
 * A device emulated on a loopback port with blocking sockets: one thread accepts, one thread per connection runs the
 * device's behaviour. Closing it closes the listener and every connection, and waits for the threads.
 */
final class TestServer implements AutoCloseable {

    /** What the device does with one connection; returns to close it. */
    @FunctionalInterface
    interface Device {
        void serve(Socket socket) throws IOException, InterruptedException;
    }

    private final ServerSocket listener;
    private final Device device;
    private final Thread acceptor;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    /** How each connection ended, seen from the device: "eof", "reset" or another exception. */
    final BlockingQueue<String> ends = new LinkedBlockingQueue<>();

    TestServer(Device device) throws IOException {
        // below the ephemeral range: a client reconnecting while the server is down never connects to itself there
        this(ServerSocketFactory.getDefault(), LoopbackPorts.belowEphemeralRange(), device);
    }

    TestServer(ServerSocketFactory factory, int port, Device device) throws IOException {
        this.listener = factory.createServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        this.device = device;
        this.acceptor = new Thread(this::accept, "test-server-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                accepted.incrementAndGet();
                connections.add(socket);
                Thread thread = new Thread(() -> serve(socket), "test-server-device-" + port());
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            device.serve(socket);
            ends.add("returned");
        } catch (SocketException e) {
            ends.add(e.getMessage() != null && e.getMessage().contains("reset") ? "reset" : e.toString());
        } catch (IOException | InterruptedException e) {
            ends.add(e.toString());
        } finally {
            connections.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : connections) {
            socket.close();
        }
        try {
            acceptor.join(5000);
            for (Thread thread : threads) {
                thread.interrupt();
                thread.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping the server on port " + port());
        }
    }

    // ---------------------------------------------------------------- devices

    /** Sends back every byte received; records "eof" when the client closes. */
    static void echo(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            out.write(buffer, 0, n);
        }
    }

    /** Reads everything and never answers: a device that fell silent. */
    static void silent(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[1024];
        while (in.read(buffer) >= 0) {
            // swallowed
        }
    }

    /** Reads one line, as ISO-8859-1 without its \n; null at the end of the stream. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                return line.toString();
            }
            line.append((char) b);
        }
        return null;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
