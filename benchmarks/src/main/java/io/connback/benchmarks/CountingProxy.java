package io.connback.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of the broker that records the time of every connection it accepts: the connection attempts as
 * the broker's side sees them, whatever the client library. While the broker is {@linkplain #down() down} it accepts,
 * reads the client's first bytes (its CONNECT) and closes, so that those attempts are counted too; {@linkplain #up()
 * up}, it forwards to the broker. One thread per direction and connection: a few hundred connections.
 *
 * <p>Why not close at once: Paho 1.2.5 starts its receiver thread and then polls, every 100 ms, until it sees it
 * running ({@code CommsReceiver.start}); a connection closed before the client wrote anything can stop the receiver
 * before the first poll, and the polling thread ({@code MQTT Con: <client>}) then loops for ever: one leaked thread per
 * attempt, in Connback's connector and in plain Paho alike.
 */
final class CountingProxy implements AutoCloseable {

    private final int target;
    private final ServerSocket listener;
    private final List<Long> accepted = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean up;

    /**
     * Listens on a port of its own, down until {@link #up()}.
     *
     * @param port the loopback port to listen on
     * @param target the broker's loopback port
     * @throws IOException if the port cannot be bound
     */
    CountingProxy(int port, int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(port, 4096, InetAddress.getLoopbackAddress());
        thread("accept", this::accept);
    }

    /** Forwards the connections accepted from now on. */
    void up() {
        up = true;
    }

    /** Closes the connections accepted from now on after their first bytes, like a broker that fails at once. */
    void down() {
        up = false;
    }

    /** Forgets the attempts recorded so far. */
    void resetCount() {
        accepted.clear();
    }

    /**
     * The attempts recorded since the last {@link #resetCount()}, in order.
     *
     * @return when each connection was accepted, in {@link System#nanoTime()}
     */
    long[] attempts() {
        long[] times = accepted.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(times);
        return times;
    }

    private void accept() {
        try {
            while (true) {
                Socket client = listener.accept();
                accepted.add(System.nanoTime());
                if (!up) {
                    thread("refuse", () -> closeAfterFirstBytes(client));
                    continue;
                }
                Socket broker;
                try {
                    broker = new Socket(InetAddress.getLoopbackAddress(), target);
                } catch (IOException brokerGone) {
                    client.close();
                    continue;
                }
                sockets.add(client);
                sockets.add(broker);
                thread("up", () -> pump(client, broker));
                thread("down", () -> pump(broker, client));
            }
        } catch (IOException closed) {
            // the proxy is closed
        }
    }

    private void closeAfterFirstBytes(Socket client) {
        try (client) {
            client.setSoTimeout(5_000);
            client.getInputStream().read();
        } catch (IOException closedOrSilent) {
            // closed anyway
        }
    }

    /** Copies one direction; the end of either side closes both. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException closed) {
            // either side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void thread(String name, Runnable task) {
        Thread thread = new Thread(task, "connback-bench-proxy-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(this::closeQuietly);
    }
}
