package io.connback.examples;

import io.connback.testing.LoopbackPorts;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP echo server that can be switched off and on, to give the demo a link to lose and find again. Switched off, it
 * closes its listening socket and every connection, so that clients see end of stream and then "connection refused".
 * It comes back on the same port.
 */
final class EchoServer {

    private static final System.Logger LOG = System.getLogger(EchoServer.class.getName());

    private final InetAddress address;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    // below the ephemeral range: a client reconnecting while the server is off can never be given it as its own port
    // and connect to itself
    private int port = LoopbackPorts.belowEphemeralRange(); // guarded by this
    private ServerSocket listener; // guarded by this; null while off

    EchoServer(InetAddress address) {
        this.address = address;
    }

    /**
     * Starts listening, on the port of the previous start if any.
     *
     * @return where it listens
     * @throws IOException if the port cannot be bound, e.g. another program took it while the server was off
     */
    synchronized InetSocketAddress start() throws IOException {
        if (listener == null) {
            ServerSocket socket = new ServerSocket();
            try {
                // connections of the previous round may linger in TIME_WAIT on this port
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(address, port));
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            listener = socket;
            startDaemon("connback-echo-accept-" + port, () -> acceptLoop(socket));
        }
        return new InetSocketAddress(address, port);
    }

    /** Stops listening and closes every connection; does nothing if already off. */
    synchronized void stop() {
        if (listener != null) {
            closeQuietly(listener);
            listener = null;
            connections.forEach(EchoServer::closeQuietly);
            connections.clear();
        }
    }

    synchronized boolean isOn() {
        return listener != null;
    }

    private void acceptLoop(ServerSocket socket) {
        while (true) {
            Socket connection;
            try {
                connection = socket.accept();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.log(Level.WARNING, "the echo server stops accepting connections", e);
                }
                return;
            }
            synchronized (this) {
                if (listener != socket) {
                    // stop() ran while this connection was being accepted
                    closeQuietly(connection);
                    return;
                }
                connections.add(connection);
            }
            startDaemon("connback-echo-" + connection.getPort(), () -> echo(connection));
        }
    }

    private void echo(Socket connection) {
        try (connection) {
            connection.getInputStream().transferTo(connection.getOutputStream());
        } catch (IOException e) {
            // closed by stop(), or reset by the client: this connection is over either way
        } finally {
            connections.remove(connection);
        }
    }

    private static void startDaemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "closing " + closeable + " failed", e);
        }
    }
}
