package io.connback.mqtt;

import io.connback.testing.LoopbackPorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a broker that can stop forwarding without closing anything: the broker looks alive to the
 * operating system (the connection stays open, writes succeed) and dead to MQTT, like a hung broker or a dropped
 * route. Only the keepalive can tell.
 */
final class BlackholeProxy implements AutoCloseable {

    final int port = LoopbackPorts.belowEphemeralRange();
    private final int target;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Socket> silenced = new CopyOnWriteArrayList<>();
    private volatile boolean blackhole;

    BlackholeProxy(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        thread("accept", this::accept);
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Stops forwarding in both directions; bytes are read and dropped. Returns when it started, in nanoTime. */
    long blackhole() {
        long since = System.nanoTime();
        blackhole = true;
        return since;
    }

    /** Forwards again, on the connections made from now on; those of the silence stay silent. */
    void restore() {
        silenced.addAll(sockets);
        blackhole = false;
    }

    private void accept() {
        try {
            while (true) {
                Socket client = listener.accept();
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(client);
                sockets.add(broker);
                thread("up", () -> pump(client, broker));
                thread("down", () -> pump(broker, client));
            }
        } catch (IOException closed) {
            // the proxy is closed
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!blackhole && !silenced.contains(from)) {
                    out.write(buffer, 0, n);
                }
            }
        } catch (IOException closed) {
            // either side closed
        }
    }

    private static void thread(String name, Runnable task) {
        Thread thread = new Thread(task, "test-proxy-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
