package io.connback.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongConsumer;

/**
 * A local echo server on one selector thread whose {@linkplain #kill() kill} closes its listener and every connection
 * at once, with a reset, as a killed process does, and which {@linkplain #restart() starts again} on the same port.
 * Its connections need one file descriptor each in this process.
 */
final class KillableServer {

    private static final int BACKLOG = 1024;

    private final Selector selector = Selector.open();
    private final Thread thread;
    private final int port;
    private final LongConsumer acceptedAt;
    private volatile ServerSocketChannel listener;
    private final List<Runnable> tasks = new ArrayList<>(); // guarded by tasks

    /**
     * Listens on a free loopback port.
     *
     * @param acceptedAt called on the server's thread with the {@link System#nanoTime()} of each connection accepted
     * @throws IOException if it cannot listen
     */
    KillableServer(LongConsumer acceptedAt) throws IOException {
        this.acceptedAt = acceptedAt;
        listener = open(0);
        port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        listener.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "killable-echo-server");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The loopback port, the same after a restart.
     *
     * @return the port
     */
    int port() {
        return port;
    }

    private static ServerSocketChannel open(int port) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), BACKLOG);
        channel.configureBlocking(false);
        return channel;
    }

    /**
     * Closes the listener and resets every connection; returns once done. Connection attempts are refused from then on.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    void kill() throws InterruptedException {
        runOnLoop(() -> {
            for (SelectionKey key : selector.keys()) {
                try {
                    if (key.channel() instanceof SocketChannel socket) {
                        socket.setOption(StandardSocketOptions.SO_LINGER, 0);
                    }
                    key.channel().close();
                } catch (IOException e) {
                    // closed anyway
                }
            }
        });
    }

    /**
     * Listens on the same port again; returns once listening.
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if the port cannot be bound again
     */
    void restart() throws InterruptedException {
        runOnLoop(() -> {
            try {
                selector.selectNow(); // releases the cancelled keys, and with them the port
                listener = open(port);
                listener.register(selector, SelectionKey.OP_ACCEPT);
            } catch (IOException e) {
                throw new IllegalStateException("cannot listen on port " + port + " again", e);
            }
        });
    }

    private void runOnLoop(Runnable task) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        synchronized (tasks) {
            tasks.add(() -> {
                try {
                    task.run();
                } finally {
                    done.countDown();
                }
            });
        }
        selector.wakeup();
        done.await();
    }

    private void loop() {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (selector.isOpen()) {
            try {
                selector.select();
                List<Runnable> due;
                synchronized (tasks) {
                    due = new ArrayList<>(tasks);
                    tasks.clear();
                }
                due.forEach(Runnable::run);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        SocketChannel accepted;
                        while ((accepted = ((ServerSocketChannel) key.channel()).accept()) != null) {
                            acceptedAt.accept(System.nanoTime());
                            accepted.configureBlocking(false);
                            accepted.register(selector, SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        SocketChannel socket = (SocketChannel) key.channel();
                        buffer.clear();
                        if (socket.read(buffer) < 0) {
                            socket.close();
                        } else {
                            buffer.flip();
                            socket.write(buffer); // the pings are tiny: a short write drops the rest
                        }
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException | ClosedSelectorException e) {
                if (!selector.isOpen()) {
                    return;
                }
            }
        }
    }

    /**
     * Kills the server for good and waits for its thread to end.
     *
     * @throws IOException if the selector cannot be closed
     * @throws InterruptedException if interrupted while waiting
     */
    void stop() throws IOException, InterruptedException {
        kill();
        selector.close();
        thread.join(5000);
    }
}
