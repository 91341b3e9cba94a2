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
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
 * thread. The reader's thread runs no application code: it decodes the frames (the {@link Framing}s are this
 * package's own, linear in the bytes) and runs the pong matchers of {@link PongMatcher}'s factories (linear too), so
 * that the heartbeat goes on whatever the listeners do; then it queues the frames. A delivery thread (shared by all
 * links, see {@link #AbstractLink(String, LinkSettings, Connback, Executor)}) hands them to the listeners, and runs
 * a pong matcher of the application's own making before them: one frame at a time per link, in order. So a listener
 * that blocks holds up its own link only:
 * <ul>
 *   <li>its frames queue, within {@link LinkSettings#maxQueuedBytes()}; beyond it newly read frames are dropped and
 *       counted ({@link #droppedFrames()}); the link stays open;
 *   <li>a call stuck for more than 5 s is logged once, at WARNING, with the link and the stack of the stuck thread,
 *       and its return at INFO; once the listeners caught up, the frames dropped meanwhile are logged at INFO.
 * </ul>
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
    /** Whether the pong matcher is one of this package's, linear and never blocking, run on the reader's thread. */
    private final boolean matchOnReader;
    private final Executor delivery;
    private final DeliveryWatchdog watchdog;
    private final Runnable drainTask = this::drainDeliveries;
    private final List<FrameListener> listeners = new CopyOnWriteArrayList<>();
    /** Frames and framing errors for the delivery thread; the lock of the delivery hand-over. */
    private final Deque<Delivery> pending = new ArrayDeque<>(1); // mostly empty: small until a burst
    /** Frames read while the link had no listener, the latest {@value #MAX_HELD_FRAMES}; guarded by pending. */
    private final Deque<Delivery> held = new ArrayDeque<>(1);
    private long pendingBytes; // guarded by pending
    private long heldBytes; // guarded by pending
    private boolean delivering; // guarded by pending: a drain task is queued or runs
    private long droppedFrames; // guarded by pending
    private long droppedSinceReported; // guarded by pending
    /** When the delivery thread entered its current call of listeners, or 0 between calls. */
    private volatile long callStartedNanos;
    private volatile Thread deliveryThread;
    /** Whether the current call was reported stuck; set by the watchdog, cleared by the delivery thread. */
    private volatile boolean stuckReported;
    private final Queue<Outbound> outbound = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean flushRequested = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Whether a framing error was logged at WARNING yet; only the reader's thread uses it. */
    private boolean framingErrorLogged;

    /**
     * Creates an open link whose listeners run on the delivery threads that all links share.
     *
     * @param remote describes the device end, see {@link #remote()}
     * @param settings framing, limits and heartbeat matching
     * @param connback the Connback that keeps this link alive; it receives the heartbeats
     */
    protected AbstractLink(String remote, LinkSettings settings, Connback<?> connback) {
        this(remote, settings, connback, DeliveryThreads.SHARED);
    }

    /**
     * Creates an open link whose listeners run on the given executor.
     *
     * @param remote describes the device end, see {@link #remote()}
     * @param settings framing, limits and heartbeat matching
     * @param connback the Connback that keeps this link alive; it receives the heartbeats
     * @param delivery runs this link's delivery tasks (one at a time per link; each runs the listeners for the frames
     *     queued); {@code Runnable::run} delivers on the reader's thread, as a test may want
     */
    protected AbstractLink(String remote, LinkSettings settings, Connback<?> connback, Executor delivery) {
        this(remote, settings, connback, delivery, DeliveryWatchdog.SHARED);
    }

    AbstractLink(String remote, LinkSettings settings, Connback<?> connback, Executor delivery,
            DeliveryWatchdog watchdog) {
        this.remote = Objects.requireNonNull(remote, "remote");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.connback = Objects.requireNonNull(connback, "connback");
        this.delivery = Objects.requireNonNull(delivery, "delivery");
        this.watchdog = Objects.requireNonNull(watchdog, "watchdog");
        this.decoder = new FrameDecoder(settings.framing(), settings.maxFrameSize(), new Dispatcher());
        PongMatcher matcher = settings.pongMatcher();
        this.everyByteIsHeartbeat = matcher == PongMatcher.any();
        this.matchOnReader = everyByteIsHeartbeat || matcher instanceof PongMatchers.Regex
                || matcher instanceof PongMatchers.Prefix;
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
     * {@value #MAX_HELD_FRAMES} of them within {@link LinkSettings#maxQueuedBytes()}, and delivered to the first
     * listener added.
     */
    @Override
    public final Subscription addFrameListener(FrameListener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        boolean drain;
        synchronized (pending) {
            drain = !delivering && !held.isEmpty();
            delivering |= drain;
        }
        if (drain) {
            delivery.execute(drainTask);
        }
        AtomicBoolean removed = new AtomicBoolean();
        return () -> {
            if (removed.compareAndSet(false, true)) {
                listeners.remove(listener);
            }
        };
    }

    /**
     * How many frames and framing errors were dropped because the listeners were behind by more than
     * {@link LinkSettings#maxQueuedBytes()} (frames held for a first listener, beyond {@value #MAX_HELD_FRAMES}, are
     * not counted).
     *
     * @return the count since the link opened
     */
    public final long droppedFrames() {
        synchronized (pending) {
            return droppedFrames;
        }
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
     * another, for each matching frame), decodes them and queues the frames for the listeners. Runs no application
     * code on this thread (see the class description).
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
     * Queues a frame or a framing error for the delivery thread, on the reader's thread; with no listener and
     * nothing to match, holds it. Beyond {@link LinkSettings#maxQueuedBytes()}, drops it and counts it.
     */
    private void enqueue(Delivery next) {
        synchronized (pending) {
            if (listeners.isEmpty() && !next.toMatch() && !delivering) {
                hold(next);
                return;
            }
            if (pendingBytes + next.size() > settings.maxQueuedBytes() && !pending.isEmpty()) {
                if (droppedSinceReported++ == 0) {
                    LOG.log(Level.INFO, () -> this + ": the frame listeners are " + pendingBytes + " bytes behind "
                            + "(maxQueuedBytes " + settings.maxQueuedBytes() + "); dropping newly read frames");
                }
                droppedFrames++;
                return;
            }
            pending.add(next);
            pendingBytes += next.size();
            if (delivering) {
                return;
            }
            delivering = true;
        }
        delivery.execute(drainTask);
    }

    /** Keeps the latest frames for a listener to come; guarded by pending. */
    private void hold(Delivery next) {
        held.add(next);
        heldBytes += next.size();
        while (held.size() > MAX_HELD_FRAMES || heldBytes > settings.maxQueuedBytes()) {
            heldBytes -= held.poll().size(); // keep the latest: a listener added late wants the current readings
        }
    }

    /** The delivery task: runs the listeners for the queued frames, in order, until none is left. */
    private void drainDeliveries() {
        deliveryThread = Thread.currentThread();
        watchdog.started(this);
        try {
            while (true) {
                Delivery next;
                long droppedMeanwhile = 0;
                synchronized (pending) {
                    boolean listening = !listeners.isEmpty();
                    next = listening ? held.poll() : null;
                    if (next != null) {
                        heldBytes -= next.size();
                    } else {
                        next = pending.poll();
                        if (next == null) {
                            delivering = false;
                            droppedMeanwhile = droppedSinceReported;
                            droppedSinceReported = 0;
                        } else {
                            pendingBytes -= next.size();
                            if (!listening && !next.toMatch()) {
                                hold(next); // the last listener left meanwhile
                                continue;
                            }
                        }
                    }
                }
                if (next == null) {
                    reportCaughtUp(droppedMeanwhile);
                    return;
                }
                long started = System.nanoTime();
                callStartedNanos = started;
                run(next);
                callStartedNanos = 0;
                if (stuckReported) {
                    stuckReported = false;
                    LOG.log(Level.INFO, () -> this + ": the stuck frame listener or pong matcher returned after "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
                }
            }
        } finally {
            callStartedNanos = 0;
            watchdog.finished(this);
        }
    }

    private void reportCaughtUp(long dropped) {
        if (dropped > 0) {
            LOG.log(Level.INFO, () -> this + ": the frame listeners caught up; " + dropped + " frames were dropped "
                    + "meanwhile (" + droppedFrames() + " since the link opened)");
        }
    }

    private void run(Delivery next) {
        if (next.toMatch()) {
            boolean heartbeat;
            try {
                heartbeat = settings.pongMatcher().matches(next.frame().duplicate());
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, () -> this + ": pong matcher " + settings.pongMatcher() + " failed", e);
                heartbeat = false;
            }
            if (heartbeat) {
                connback.feedHeartbeat();
            }
            if (listeners.isEmpty()) {
                synchronized (pending) {
                    hold(new Delivery(next.frame(), null, false));
                }
                return;
            }
        }
        for (FrameListener listener : listeners) {
            try {
                if (next.error() == null) {
                    listener.onFrame(next.frame().duplicate());
                } else {
                    listener.onFramingError(next.error());
                }
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, () -> this + ": frame listener " + listener + " failed on "
                        + (next.error() == null ? "a frame" : "a framing error"), e);
            }
        }
    }

    /** Called by the watchdog, on its thread: reports the current call once if it has run longer than the limit. */
    final void checkStuck(long now, long limitNanos) {
        long started = callStartedNanos;
        Thread thread = deliveryThread;
        if (started == 0 || stuckReported || now - started <= limitNanos || thread == null) {
            return;
        }
        stuckReported = true;
        DeliveryWatchdog.reportStuck(this, thread, now - started);
    }

    /** Receives the decoder's output on the reader's thread. */
    private final class Dispatcher implements FrameListener {
        @Override
        public void onFrame(ByteBuffer frame) {
            if (matchOnReader && !everyByteIsHeartbeat && settings.pongMatcher().matches(frame.duplicate())) {
                connback.feedHeartbeat();
            }
            enqueue(new Delivery(frame, null, !matchOnReader));
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
            enqueue(new Delivery(null, error, false));
        }
    }

    /**
     * A frame, or a framing error, on its way to the listeners; {@code toMatch} if the pong matcher is yet to see it.
     */
    private record Delivery(ByteBuffer frame, FramingException error, boolean toMatch) {
        /** What it counts against maxQueuedBytes: at least one byte, so that the count of entries is bounded too. */
        int size() {
            return frame == null ? 1 : Math.max(1, frame.remaining());
        }
    }

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
