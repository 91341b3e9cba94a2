package io.connback.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

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
     * Starts the server in a child JVM on this class path; it stops when the child's standard input closes.
     *
     * @param maxHeap the child's {@code -Xmx}, e.g. {@code 256m}
     * @return the child, whose first line of output announces the port (see {@link #awaitPort})
     * @throws IOException if the child cannot start
     */
    static Process startInChildJvm(String maxHeap) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"),
                EchoServer.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    /**
     * Reads the port a child started by {@link #startInChildJvm} listens on.
     *
     * @param child the child
     * @return the port
     * @throws IOException if its output cannot be read
     * @throws IllegalStateException if it did not start
     */
    static int awaitPort(Process child) throws IOException {
        String line = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        if (line == null || !line.startsWith(READY)) {
            throw new IllegalStateException("the echo server did not start; it said: " + line);
        }
        return Integer.parseInt(line.substring(READY.length()).trim());
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
