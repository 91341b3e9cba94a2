package io.connback.osgi.internal;

import io.connback.Subscription;
import io.connback.link.FrameListener;
import io.connback.link.Link;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.function.LongConsumer;

/**
 * A link as applications get it from a {@link io.connback.osgi.ManagedConnection}: the connector's link, whose sends
 * are counted for the link's status.
 *
 * @param link the connector's link
 * @param sent told the size of every frame handed to {@link #send(ByteBuffer)}
 */
record CountingLink(Link link, LongConsumer sent) implements Link {

    @Override
    public CompletionStage<Void> send(ByteBuffer data) {
        sent.accept(data.remaining());
        return link.send(data);
    }

    @Override
    public String remote() {
        return link.remote();
    }

    @Override
    public boolean isOpen() {
        return link.isOpen();
    }

    @Override
    public Subscription addFrameListener(FrameListener listener) {
        return link.addFrameListener(listener);
    }

    @Override
    public String toString() {
        return link.toString();
    }
}
