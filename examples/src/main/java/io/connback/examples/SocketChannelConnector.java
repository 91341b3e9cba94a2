package io.connback.examples;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Connector;
import io.connback.Subscription;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.WritePendingException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Connects a TCP socket without blocking and keeps its Connback informed: inbound data is a heartbeat, end of stream
 * a close, a failed read an error. Pings with a line, which an echo server sends back.
 */
final class SocketChannelConnector implements Connector<AsynchronousSocketChannel> {

    private static final byte[] PING = "ping\n".getBytes(StandardCharsets.US_ASCII);
    private static final int READ_BUFFER_BYTES = 512;

    private final String host;
    private final int port;

    SocketChannelConnector(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public CompletionStage<AsynchronousSocketChannel> connect(Connback<AsynchronousSocketChannel> connback,
            CancellationToken token) {
        // resolved at each attempt, so that a changed DNS entry is picked up
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            return CompletableFuture.failedFuture(new UnknownHostException(host));
        }
        AsynchronousSocketChannel channel;
        try {
            channel = AsynchronousSocketChannel.open();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<AsynchronousSocketChannel> connected = new CompletableFuture<>();
        // closing the channel fails the pending connect: that is how an abandoned attempt stops
        Subscription cancellation = token.onCancellationRequested(() -> closeQuietly(channel));
        channel.connect(address, null, new CompletionHandler<Void, Void>() {
            @Override
            public void completed(Void result, Void attachment) {
                cancellation.close();
                connected.complete(channel);
                readLoop(connback, channel);
            }

            @Override
            public void failed(Throwable error, Void attachment) {
                cancellation.close();
                closeQuietly(channel);
                connected.completeExceptionally(error);
            }
        });
        return connected;
    }

    /** Closes the channel; TCP still delivers what was written, so {@code force} makes no difference here. */
    @Override
    public void close(AsynchronousSocketChannel channel, boolean force) throws IOException {
        channel.close();
    }

    @Override
    public void ping(AsynchronousSocketChannel channel) throws IOException {
        try {
            // Not awaited: a write that fails also fails the pending read, which reports the error.
            channel.write(ByteBuffer.wrap(PING));
        } catch (WritePendingException e) {
            throw new IOException("the previous ping is still unsent: the peer stopped reading", e);
        }
    }

    @Override
    public String toString() {
        return "SocketChannelConnector[" + host + ":" + port + "]";
    }

    private static void readLoop(Connback<AsynchronousSocketChannel> connback, AsynchronousSocketChannel channel) {
        ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
        channel.read(buffer, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer bytesRead, Void attachment) {
                if (bytesRead < 0) {
                    connback.feedClose(channel, false);
                    return;
                }
                connback.feedHeartbeat();
                buffer.clear();
                channel.read(buffer, null, this);
            }

            @Override
            public void failed(Throwable error, Void attachment) {
                // fed for this channel only: once Connback closed or replaced it, the report is ignored
                connback.feedError(channel, error);
            }
        });
    }

    private static void closeQuietly(AsynchronousSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // an abandoned attempt: nothing was sent and nobody waits for it
        }
    }
}
