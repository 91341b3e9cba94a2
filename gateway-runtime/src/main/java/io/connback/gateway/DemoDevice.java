package io.connback.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The device of {@code bin/gateway --demo}: a TCP echo server on the loopback address that is switched off (its
 * connections dropped, its port closed) and on again in a cycle, so that a new user sees a link connect, drop and
 * reconnect with no hardware. It echoes every byte, so the link's ping frame is answered.
 */
final class DemoDevice implements AutoCloseable {

    private static final Logger LOG = System.getLogger("io.connback.gateway.demo");

    private final int port;
    private final Duration on;
    private final Duration off;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread cycle;
    private volatile ServerSocket server;
    private volatile boolean closed;

    /**
     * Starts the device, switched on.
     *
     * @param port the loopback port to listen on
     * @param on how long it stays on
     * @param off how long it stays off
     */
    DemoDevice(int port, Duration on, Duration off) {
        this.port = port;
        this.on = on;
        this.off = off;
        this.cycle = new Thread(this::cycle, "connback-demo-device");
        cycle.setDaemon(true);
        cycle.start();
    }

    private void cycle() {
        try {
            while (!closed) {
                switchOn();
                Thread.sleep(on.toMillis());
                switchOff();
                LOG.log(Level.INFO, "demo device on port " + port + " switched off for " + off.toSeconds() + " s");
                Thread.sleep(off.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            switchOff();
        }
    }

    private void switchOn() {
        ServerSocket socket = null;
        try {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            // taken by another program meanwhile: the link shows it; the next cycle tries again
            LOG.log(Level.WARNING, "the demo device cannot listen on port " + port + ": " + e.getMessage());
            closeQuietly(socket);
            return;
        }
        server = socket;
        Thread acceptor = new Thread(this::accept, "connback-demo-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        ServerSocket socket = server;
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                connections.add(connection);
                Thread echo = new Thread(() -> echo(connection), "connback-demo-echo");
                echo.setDaemon(true);
                echo.start();
            } catch (IOException closedBySwitchOff) {
                return;
            }
        }
    }

    private void echo(Socket connection) {
        byte[] buffer = new byte[1024];
        try (connection; InputStream in = connection.getInputStream();
                OutputStream out = connection.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
            }
        } catch (IOException droppedBySwitchOff) {
            // the connection is gone: nothing to echo any more
        } finally {
            connections.remove(connection);
        }
    }

    private void switchOff() {
        closeQuietly(server);
        connections.forEach(DemoDevice::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable socket) {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "demo device: " + e);
        }
    }

    @Override
    public void close() {
        closed = true;
        cycle.interrupt();
    }
}
