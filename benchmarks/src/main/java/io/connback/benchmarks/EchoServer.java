package io.connback.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The peer of the scale run: a TCP echo server on 127.0.0.1 with one selector thread, run in a JVM of its own so that
 * each process needs only one file descriptor per link (the descriptor limit here is 20,000 and cannot be raised).
 *
 * <p>Prints {@value #READY} and the port on standard output once listening, and stops when standard input closes, so
 * it never outlives the scale run that started it.
 */
public final class EchoServer {

    /** The line prefix that announces the port. */
    static final String READY = "echo-server listening on port ";

    private static final int BACKLOG = 4096;

    private final Selector selector;
    private final ServerSocketChannel listener;
    // only the selector thread reads and writes: one buffer serves every connection
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
    private volatile boolean stopping;
    private long shortWrites;

    private EchoServer() throws IOException {
        selector = Selector.open();
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
    }

    /**
     * Serves until standard input closes.
     *
     * @param args none
     * @throws IOException if the server cannot listen
     */
    public static void main(String[] args) throws IOException {
        Thread.currentThread().setName("echo-server-selector");
        EchoServer server = new EchoServer();
        Thread stdinWatch = new Thread(() -> server.stopAtEndOf(System.in), "echo-server-stdin");
        stdinWatch.setDaemon(true);
        stdinWatch.start();
        System.out.println(READY + server.listener.socket().getLocalPort());
        System.out.flush();
        server.serve();
    }

    private void stopAtEndOf(InputStream in) {
        try {
            while (in.read() >= 0) {
                // the parent sends nothing; only the end matters
            }
        } catch (IOException e) {
            // the parent is gone all the same
        }
        stopping = true;
        selector.wakeup();
    }

    private void serve() throws IOException {
        try (selector; listener) {
            while (!stopping) {
                selector.select(this::handle);
            }
        }
        if (shortWrites > 0) {
            System.err.println("echo-server: closed " + shortWrites + " connections on a short write");
        }
    }

    private void handle(SelectionKey key) {
        try {
            if (key.isAcceptable()) {
                accept();
            } else if (key.isReadable()) {
                echo(key);
            }
        } catch (CancelledKeyException e) {
            // closed meanwhile
        } catch (IOException e) {
            close(key);
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = listener.accept()) != null) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
        }
    }

    private void echo(SelectionKey key) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        buffer.clear();
        if (channel.read(buffer) < 0) {
            close(key);
            return;
        }
        buffer.flip();
        channel.write(buffer);
        if (buffer.hasRemaining()) {
            // a few bytes never fill an idle socket's send buffer; if it happens, the client sees a close
            shortWrites++;
            close(key);
        }
    }

    private static void close(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
