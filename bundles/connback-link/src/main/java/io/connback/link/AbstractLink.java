package io.connback.link;

import io.connback.Connback;
import io.connback.Subscription;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The part of a {@link Link} that every connector shares: the frame listeners, the {@link FrameDecoder}, the heartbeat
 * matching and a bounded outbound queue. A connector subclasses it for one connection and wires it to its I/O:
 * <ul>
 *   <li>its reader passes every chunk it reads to {@link #received(ByteBuffer)}: the link feeds heartbeats to the
 *       {@link Connback} as the {@link LinkSettings#pongMatcher() pong matcher} says, decodes frames and delivers them
 *       to the listeners;
 *   <li>{@link #send(ByteBuffer)} queues the bytes and calls {@link #requestFlush()}, upon which the connector calls
 *       {@link #flush(WritableByteChannel)} from its writer (for NIO: once the channel is writable);
 *   <li>its {@link io.connback.Connector#ping(Object)} calls {@link #sendPing()};
 *   <li>when the connection closes, it calls {@link #markClosed()}, which fails the sends still queued, and reports
 *       an unexpected close to the Connback ({@link Connback#feedClose(boolean)} or
 *       {@link Connback#feedError(Throwable)}).
 * </ul>
 *
 * <h2>Threading</h2>
 * {@link #received(ByteBuffer)} is called by one thread at a time (the reader), and so is
 * {@link #flush(WritableByteChannel)} (the writer, which may be the same thread). Everything else is safe from any
 * thread. Frame listeners run on the reader's thread, inside {@link #received(ByteBuffer)}, except for frames held
 * while the link had no listener, which the first listener receives on the thread that adds it; either way one frame
 * at a time, in order.
 */
public abstract class AbstractLink implements Link {

    private static final System.Logger LOG = System.getLogger(AbstractLink.class.getName());

    /** How many frames a link holds while it has no listener; older ones are dropped. */
    public static final int MAX_HELD_FRAMES = 64;

    private final String remote;
    private final LinkSettings settings;
    private final Connback<?> connback;
    private final FrameDecoder decoder;
    private final boolean everyByteIsHeartbeat;
    private final List<FrameListener> listeners = new CopyOnWriteArrayList<>();
    /** Frames and framing errors not yet delivered; the lock of the delivery hand-over. */
    private final Deque<Delivery> deliveries = new ArrayDeque<>();
    private boolean delivering; // guarded by deliveries
    private final Queue<Outbound> outbound = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean flushRequested = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Whether a framing error was logged at WARNING yet; only the reader's thread uses it. */
    private boolean framingErrorLogged;

    /**
     * Creates an open link.
     *
     * @param remote describes the device end, see {@link #remote()}
     * @param settings framing, limits and heartbeat matching
     * @param connback the Connback that keeps this link alive; it receives the heartbeats
     */
    protected AbstractLink(String remote, LinkSettings settings, Connback<?> connback) {
        this.remote = Objects.requireNonNull(remote, "remote");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.connback = Objects.requireNonNull(connback, "connback");
        this.decoder = new FrameDecoder(settings.framing(), settings.maxFrameSize(), new Dispatcher());
        this.everyByteIsHeartbeat = settings.pongMatcher() == PongMatcher.any();
    }

    @Override
    public final CompletionStage<Void> send(ByteBuffer data) {
        int size = data.remaining();
        if (closed.get()) {
            return CompletableFuture.failedStage(new ClosedChannelException());
        }
        if (size == 0) {
            return CompletableFuture.completedStage(null);
        }
        if (!reserve(size)) {
            return CompletableFuture.failedStage(new SendQueueFullException(size + " bytes do not fit in the "
                    + "outbound queue of " + this + " (" + queuedBytes.get() + " of " + settings.maxQueuedBytes()
                    + " bytes queued)"));
        }
        byte[] copy = new byte[size];
        data.get(data.position(), copy);
        Outbound entry = new Outbound(ByteBuffer.wrap(copy));
        outbound.add(entry);
        if (closed.get()) {
            failQueued(); // closed while queuing: markClosed may have emptied the queue before the entry arrived
        } else if (flushRequested.compareAndSet(false, true)) {
            requestFlush();
        }
        return entry.done.minimalCompletionStage();
    }

    /**
     * Sends the configured {@link LinkSettings#pingFrame() ping frame}; a connector calls it from
     * {@link io.connback.Connector#ping(Object)}.
     *
     * @return the stage of the send, or a completed stage if no ping frame is configured
     */
    public final CompletionStage<Void> sendPing() {
        return settings.pingFrame().map(this::send).orElseGet(() -> CompletableFuture.completedStage(null));
    }

    @Override
    public final String remote() {
        return remote;
    }

    @Override
    public final boolean isOpen() {
        return !closed.get();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Frames that arrived while the link had no listener (a device that speaks first: a banner, a streaming
     * sensor, between the connection and the application's {@code onConnect}) are held, the last
     * {@value #MAX_HELD_FRAMES} of them, and delivered to the first listener added, on the thread that adds it.
     */
    @Override
    public final Subscription addFrameListener(FrameListener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        boolean drain;
        synchronized (deliveries) {
            drain = !delivering && !deliveries.isEmpty();
            delivering |= drain;
        }
        if (drain) {
            drainDeliveries();
        }
        AtomicBoolean removed = new AtomicBoolean();
        return () -> {
            if (removed.compareAndSet(false, true)) {
                listeners.remove(listener);
            }
        };
    }

    /**
     * The settings this link runs with.
     *
     * @return the settings
     */
    protected final LinkSettings settings() {
        return settings;
    }

    /**
     * Takes bytes just read from the device: feeds a heartbeat (with the default pong matcher, for any byte; with
     * another, for each matching frame), decodes them and delivers the frames to the listeners, on this thread.
     *
     * @param chunk the bytes read; all its remaining bytes are consumed
     */
    protected final void received(ByteBuffer chunk) {
        if (!chunk.hasRemaining()) {
            return;
        }
        if (everyByteIsHeartbeat) {
            connback.feedHeartbeat();
        }
        decoder.feed(chunk);
    }

    /**
     * Asks the connector to call {@link #flush(WritableByteChannel)} soon: data was queued. Called on the thread that
     * sent, possibly a frame listener on the reader's thread; it must not block (for NIO: set the write interest and
     * wake the selector up). It is not called again until the next flush starts.
     */
    protected abstract void requestFlush();

    /**
     * Writes queued data to the channel, in order, until the queue is empty or the channel takes no more, and
     * completes the sends written whole. Tells the Connback that data went out, so it need not ping.
     *
     * @param channel the connection, e.g. a socket channel, or {@link java.nio.channels.Channels#newChannel(
     *     java.io.OutputStream)} over a serial port's stream
     * @return {@code true} if the queue is empty, {@code false} if the channel took only part of it (call again when
     *     it is writable)
     * @throws IOException if writing failed; the connector then closes the link, which fails the queued sends
     */
    protected final boolean flush(WritableByteChannel channel) throws IOException {
        flushRequested.set(false); // a send from now on requests another flush, so none is left waiting
        for (Outbound head = outbound.peek(); head != null && !closed.get(); head = outbound.peek()) {
            int written = channel.write(head.data);
            if (written > 0) {
                connback.reschedulePingTimer();
            }
            if (head.data.hasRemaining()) {
                if (written == 0) {
                    return false;
                }
                continue; // a partial write: try the rest of it at once
            }
            if (outbound.remove(head)) { // not removed by markClosed meanwhile
                queuedBytes.addAndGet(-head.size);
                head.done.complete(null);
            }
        }
        return true;
    }

    /**
     * Marks the link closed, once: {@link #isOpen()} turns false, the queued sends fail with a
     * {@link ClosedChannelException}, and later sends fail at once. Does not report anything to the Connback.
     *
     * @return {@code true} if this call closed the link, {@code false} if it was already closed
     */
    protected final boolean markClosed() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        failQueued();
        return true;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + remote + (isOpen() ? "" : ", closed") + "]";
    }

    private boolean reserve(int size) {
        long limit = settings.maxQueuedBytes();
        long queued;
        do {
            queued = queuedBytes.get();
            if (queued + size > limit) {
                return false;
            }
        } while (!queuedBytes.compareAndSet(queued, queued + size));
        return true;
    }

    private void failQueued() {
        for (Outbound entry = outbound.poll(); entry != null; entry = outbound.poll()) {
            queuedBytes.addAndGet(-entry.size);
            entry.done.completeExceptionally(new ClosedChannelException());
        }
    }

    /**
     * Hands a frame or a framing error to the listeners, in order, one at a time: the calling thread delivers it, and
     * whatever queued meanwhile, unless another thread is delivering already; with no listener, it is held.
     */
    private void deliver(Consumer<FrameListener> call, String event) {
        synchronized (deliveries) {
            if (listeners.isEmpty() && deliveries.size() >= MAX_HELD_FRAMES) {
                deliveries.poll(); // keep the latest: a listener added late wants the current readings
            }
            deliveries.add(new Delivery(call, event));
            if (delivering || listeners.isEmpty()) {
                return;
            }
            delivering = true;
        }
        drainDeliveries();
    }

    private void drainDeliveries() {
        while (true) {
            Delivery next;
            synchronized (deliveries) {
                next = deliveries.poll();
                if (next == null) {
                    delivering = false;
                    return;
                }
            }
            forEachListener(next.call(), next.event());
        }
    }

    private void forEachListener(Consumer<FrameListener> call, String event) {
        for (FrameListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, () -> this + ": frame listener " + listener + " failed on " + event, e);
            }
        }
    }

    /** Receives the decoder's output on the reader's thread. */
    private final class Dispatcher implements FrameListener {
        @Override
        public void onFrame(ByteBuffer frame) {
            if (!everyByteIsHeartbeat && settings.pongMatcher().matches(frame.duplicate())) {
                connback.feedHeartbeat();
            }
            deliver(listener -> listener.onFrame(frame.duplicate()), "a frame");
        }

        @Override
        public void onFramingError(FramingException error) {
            if (framingErrorLogged) {
                LOG.log(Level.DEBUG, () -> AbstractLink.this + ": " + error.getMessage());
            } else {
                framingErrorLogged = true;
                LOG.log(Level.WARNING, () -> AbstractLink.this + ": " + error.getMessage()
                        + " (further framing errors of this link are logged at DEBUG)");
            }
            deliver(listener -> listener.onFramingError(error), "a framing error");
        }
    }

    /** A frame or a framing error on its way to the listeners. */
    private record Delivery(Consumer<FrameListener> call, String event) {}

    /** Bytes waiting to be written; compared by identity, so that a writer removes exactly the entry it wrote. */
    private static final class Outbound {
        final ByteBuffer data;
        final int size;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Outbound(ByteBuffer data) {
            this.data = data;
            this.size = data.remaining();
        }
    }
}
