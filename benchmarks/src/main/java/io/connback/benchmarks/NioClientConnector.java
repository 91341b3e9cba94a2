package io.connback.benchmarks;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Connector;
import io.connback.Subscription;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A TCP connector for the scale run: every connection of this connector is served by ONE selector thread
 * ({@code connback-bench-nio}); no thread per connection. Pings write {@value #PING_TEXT}; any data read is fed as a
 * heartbeat, end of stream as a close, a read error as an error.
 */
final class NioClientConnector implements Connector<SocketChannel> {

    private static final String PING_TEXT = "ping";
    private static final byte[] PING = PING_TEXT.getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress server;
    private final Selector selector;
    private final Thread selectorThread;
    private final Queue<Runnable> selectorTasks = new ConcurrentLinkedQueue<>();
    // only the selector thread reads: one buffer serves every connection
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(4096);
    private final LongAdder heartbeatsFed = new LongAdder();
    private volatile boolean closing;

    /** A connection attempt, attached to its key until connected; then the key holds the Connback alone. */
    private record PendingConnect(Connback<SocketChannel> connback, CompletableFuture<SocketChannel> connected) {}

    NioClientConnector(InetSocketAddress server) throws IOException {
        this.server = server;
        this.selector = Selector.open();
        this.selectorThread = new Thread(this::selectLoop, "connback-bench-nio");
        selectorThread.setDaemon(true);
        selectorThread.start();
    }

    long heartbeatsFed() {
        return heartbeatsFed.sum();
    }

    @Override
    public CompletionStage<SocketChannel> connect(Connback<SocketChannel> connback, CancellationToken token) {
        SocketChannel channel = null;
        boolean connectedAlready;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            connectedAlready = channel.connect(server);
        } catch (IOException e) {
            closeQuietly(channel);
            return CompletableFuture.failedFuture(e);
        }
        SocketChannel opened = channel;
        PendingConnect pending = new PendingConnect(connback, new CompletableFuture<>());
        Subscription cancellation = token.onCancellationRequested(() -> {
            if (pending.connected().completeExceptionally(new CancellationException("connect to " + server
                    + " cancelled"))) {
                closeQuietly(opened);
            }
        });
        pending.connected().whenComplete((connected, error) -> cancellation.close());
        onSelectorThread(() -> register(opened, pending, connectedAlready));
        return pending.connected();
    }

    @Override
    public void close(SocketChannel client, boolean force) throws IOException {
        // the selector drops the key at its next select
        client.close();
    }

    @Override
    public void ping(SocketChannel client) throws IOException {
        int written = client.write(ByteBuffer.wrap(PING));
        if (written != PING.length) {
            throw new IOException("ping: wrote " + written + " of " + PING.length + " bytes, the send buffer is full");
        }
    }

    /**
     * Stops the selector thread; the connections must be closed already (end their Connbacks first).
     *
     * @throws InterruptedException if interrupted while waiting for the thread to end
     */
    void shutdown() throws InterruptedException {
        closing = true;
        selector.wakeup();
        selectorThread.join(TimeUnit.SECONDS.toMillis(10));
    }

    @Override
    public String toString() {
        return "tcp " + server;
    }

    private void onSelectorThread(Runnable task) {
        selectorTasks.add(task);
        selector.wakeup();
    }

    private void selectLoop() {
        try (selector) {
            while (!closing) {
                selector.select(this::handle);
                Runnable task;
                while ((task = selectorTasks.poll()) != null) {
                    task.run();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("the client selector failed", e);
        }
    }

    private void register(SocketChannel channel, PendingConnect pending, boolean connectedAlready) {
        try {
            if (connectedAlready) {
                channel.register(selector, SelectionKey.OP_READ, pending.connback());
                connected(channel, pending);
            } else {
                channel.register(selector, SelectionKey.OP_CONNECT, pending);
            }
        } catch (ClosedChannelException e) {
            pending.connected().completeExceptionally(e); // cancelled meanwhile
        }
    }

    @SuppressWarnings("unchecked") // the attachments are set in this class only
    private void handle(SelectionKey key) {
        try {
            if (key.isConnectable()) {
                finishConnect(key, (PendingConnect) key.attachment());
            } else if (key.isReadable()) {
                read(key, (Connback<SocketChannel>) key.attachment());
            }
        } catch (CancelledKeyException e) {
            // closed by its Connback meanwhile
        }
    }

    private void finishConnect(SelectionKey key, PendingConnect pending) {
        SocketChannel channel = (SocketChannel) key.channel();
        try {
            channel.finishConnect();
        } catch (IOException e) {
            key.cancel();
            closeQuietly(channel);
            pending.connected().completeExceptionally(e);
            return;
        }
        key.attach(pending.connback());
        key.interestOps(SelectionKey.OP_READ);
        connected(channel, pending);
    }

    private static void connected(SocketChannel channel, PendingConnect pending) {
        // reads are handled on this thread after this returns, so Connback learns of the connection first
        if (!pending.connected().complete(channel)) {
            closeQuietly(channel); // cancelled meanwhile
        }
    }

    private void read(SelectionKey key, Connback<SocketChannel> connback) {
        SocketChannel channel = (SocketChannel) key.channel();
        readBuffer.clear();
        int read;
        try {
            read = channel.read(readBuffer);
        } catch (IOException e) {
            key.cancel();
            connback.feedError(e);
            return;
        }
        if (read > 0) {
            heartbeatsFed.increment();
            connback.feedHeartbeat();
        } else if (read < 0) {
            key.cancel();
            connback.feedClose();
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }
}
