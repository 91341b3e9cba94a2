package io.connback.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.function.Consumer;

/** Bytes go to and come from the socket as they are. */
final class PlainTransport implements Transport {

    private final SocketChannel channel;
    private final SelectorLoop loop;

    PlainTransport(SocketChannel channel, SelectorLoop loop) {
        this.channel = channel;
        this.loop = loop;
    }

    @Override
    public int handshake() {
        return 0;
    }

    @Override
    public boolean read(Consumer<ByteBuffer> sink) throws IOException {
        for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
            ByteBuffer buffer = loop.readBuffer();
            int read = channel.read(buffer);
            if (read < 0) {
                return false;
            }
            if (read > 0) {
                sink.accept(buffer.flip());
            }
            if (read < buffer.capacity()) {
                return true; // the socket is drained
            }
        }
        return true;
    }

    @Override
    public WritableByteChannel writer() {
        return channel;
    }

    @Override
    public boolean flushPending() {
        return true;
    }

    @Override
    public void closeOutbound() {
        // nothing of its own to send: the socket's close sends the FIN after the data the kernel holds
    }
}
