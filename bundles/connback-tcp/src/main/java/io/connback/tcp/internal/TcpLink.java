package io.connback.tcp.internal;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Subscription;
import io.connback.link.AbstractLink;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * A {@link Link} over one TCP connection, from the connection attempt to the close. Everything that touches the socket
 * runs on the {@linkplain SelectorLoop shared selector thread}; other threads post tasks to it. Frame listeners
 * and pong matchers of the application's making do not: the link hands its frames to a delivery thread (see
 * {@link AbstractLink}), so a listener that blocks holds up this link only.
 *
 * <p>The connection reports its end to its Connback in the client-scoped forms ({@link Connback#feedClose(Object,
 * boolean)}, {@link Connback#feedError(Object, Throwable)}), so that a late report cannot close a successor.
 */
public final class TcpLink extends AbstractLink implements SelectorLoop.Handler {

    /** How long a graceful close waits for the queued bytes to be written before it closes anyway. */
    static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private static final System.Logger LOG = System.getLogger(TcpLink.class.getName());

    private enum State { RESOLVING, CONNECTING, HANDSHAKING, OPEN, DRAINING, CLOSED }

    private final TcpEndpoint endpoint;
    private final Connback<Link> connback;
    private final SelectorLoop loop;
    /** Completed with this link once connected (and TLS set up), or with the reason of the failure. */
    private final CompletableFuture<Link> connected = new CompletableFuture<>();

    // Selector thread only.
    private State state = State.RESOLVING;
    private SocketChannel channel;
    private SelectionKey key;
    private Transport transport;
    private SelectorLoop.Timer drainDeadline;

    private TcpLink(TcpEndpoint endpoint, LinkSettings settings, Connback<Link> connback, SelectorLoop loop) {
        super(endpoint.remote(), settings, connback);
        this.endpoint = endpoint;
        this.connback = connback;
        this.loop = loop;
    }

    /**
     * Starts one connection attempt: resolves the host (off the caller's thread unless it is an IP address literal),
     * connects without blocking and, with TLS, completes the handshake.
     *
     * @param endpoint where and how to connect
     * @param settings framing, limits and heartbeat matching of the link
     * @param connback the Connback asking; it receives the link's heartbeats, close and errors
     * @param token abandons the attempt and closes its socket when cancelled
     * @return a stage completed with the link once connected
     */
    public static CompletionStage<Link> connect(TcpEndpoint endpoint, LinkSettings settings, Connback<Link> connback,
            CancellationToken token) {
        TcpLink link = new TcpLink(endpoint, settings, connback, SelectorLoop.SHARED);
        Subscription cancellation = token.onCancellationRequested(link::abandon);
        link.connected.whenComplete((connectedLink, error) -> cancellation.close());
        if (!link.connected.isDone()) {
            Resolver.SHARED.resolve(endpoint.host()).whenComplete(link::resolved);
        }
        return link.connected.minimalCompletionStage();
    }

    /**
     * Closes the connection, on the selector thread; does nothing if it is closed already. Reports nothing to the
     * Connback, which asked for the close.
     *
     * @param force {@code true} to close at once, dropping unsent data (with a TCP reset), {@code false} to write the
     *     queued sends first (for at most two seconds, reading nothing meanwhile) and, with TLS, a close_notify
     */
    public void close(boolean force) {
        // once marked closed, the socket is closed or about to be: only a forced close cuts a graceful one short
        if (force && markClosed()) { // sends fail from now on, not when the selector thread gets to it
            loop.execute(() -> closeNow(true));
        } else if (!force && isOpen()) {
            loop.execute(this::closeGracefully);
        }
    }

    @Override
    protected void requestFlush() {
        loop.execute(this::flushRequested);
    }

    @Override
    public void ready(SelectionKey readyKey) {
        try {
            switch (state) {
                case CONNECTING -> {
                    if (channel.finishConnect()) {
                        socketConnected();
                    }
                }
                case HANDSHAKING -> handshake();
                case OPEN -> {
                    if (readyKey.isReadable()) {
                        read();
                    }
                    if (state == State.OPEN && readyKey.isWritable()) {
                        write();
                    }
                }
                case DRAINING -> drain();
                default -> {
                    // closed meanwhile: a stale readiness
                }
            }
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void abort(IOException cause) {
        failed(cause);
    }

    /** The host was resolved, on the resolver thread (or the caller's, for an IP address literal). */
    private void resolved(InetAddress address, Throwable error) {
        if (error != null) {
            connected.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error);
            return;
        }
        if (connected.isDone()) {
            return; // abandoned while resolving
        }
        try {
            loop.execute(() -> open(address));
        } catch (UncheckedIOException e) {
            connected.completeExceptionally(e.getCause());
        }
    }

    private void open(InetAddress address) {
        if (connected.isDone()) {
            return;
        }
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, endpoint.tcpNoDelay());
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, endpoint.tcpKeepAlive());
            state = State.CONNECTING;
            boolean connectedAtOnce = channel.connect(new InetSocketAddress(address, endpoint.port()));
            key = loop.register(channel, connectedAtOnce ? 0 : SelectionKey.OP_CONNECT, this);
            if (connectedAtOnce) {
                socketConnected();
            }
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }

    private void socketConnected() throws IOException {
        if (endpoint.tls()) {
            state = State.HANDSHAKING;
            transport = TlsTransport.start(channel, sslContext(), endpoint.host(), endpoint.port(),
                    endpoint.verifyHostname());
            handshake();
        } else {
            transport = new PlainTransport(channel, loop);
            becomeOpen();
        }
    }

    private SSLContext sslContext() throws SSLException {
        if (endpoint.sslContext().isPresent()) {
            return endpoint.sslContext().get();
        }
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new SSLException("the JVM has no default TLS context", e);
        }
    }

    private void handshake() throws IOException {
        int awaited = transport.handshake();
        if (awaited == 0) {
            becomeOpen();
        } else {
            key.interestOps(awaited);
        }
    }

    private void becomeOpen() throws IOException {
        state = State.OPEN;
        key.interestOps(SelectionKey.OP_READ);
        if (!connected.complete(this)) {
            closeNow(false); // abandoned at the last moment
            return;
        }
        LOG.log(Level.DEBUG, () -> this + ": connected from " + localAddress());
        if (endpoint.tls()) {
            read(); // application data may have come with the handshake's last records
        }
    }

    private void read() throws IOException {
        if (!transport.read(this::received)) {
            LOG.log(Level.DEBUG, () -> this + ": closed by the peer");
            closeNow(false);
            connback.feedClose(this, false);
            return;
        }
        if (state == State.OPEN && !transport.flushPending()) {
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE); // TLS records the read produced
        }
    }

    /** Writes what the link and the transport hold; waits for the socket to be writable if it takes not all. */
    private void write() throws IOException {
        boolean written = transport.flushPending() && flush(transport.writer()) && transport.flushPending();
        key.interestOps(written ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    private void flushRequested() {
        try {
            if (state == State.OPEN) {
                write();
            } else if (state == State.DRAINING) {
                drain();
            }
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }

    private void closeGracefully() {
        if (state != State.OPEN) {
            return; // draining already, or closed
        }
        state = State.DRAINING;
        drainDeadline = loop.schedule(DRAIN_TIMEOUT_NANOS, () -> {
            LOG.log(Level.DEBUG, () -> this + ": queued data not written within the drain timeout; dropping it");
            drainDeadline = null;
            closeNow(true);
        });
        drain();
    }

    /** Closing gracefully: writes the queued data, then closes; reads nothing meanwhile. */
    private void drain() {
        try {
            if (transport.flushPending() && flush(transport.writer()) && transport.flushPending()) {
                transport.closeOutbound();
                closeNow(false);
            } else {
                key.interestOps(SelectionKey.OP_WRITE);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> this + ": closing without writing the queued data: " + e);
            closeNow(true);
        }
    }

    /** Something failed on the selector thread: an attempt fails, an open link reports the error and closes. */
    private void failed(Throwable error) {
        switch (state) {
            case OPEN -> {
                LOG.log(Level.DEBUG, () -> this + ": failed: " + error);
                closeNow(true);
                connback.feedError(this, error);
            }
            case DRAINING, CLOSED -> closeNow(true); // closing anyway, at the Connback's request
            default -> {
                Throwable reason = describe(error);
                if (transport != null) {
                    transport.closeOutbound(); // tells a TLS server why the handshake ended
                }
                closeNow(false);
                connected.completeExceptionally(reason);
            }
        }
    }

    /** The token was cancelled, on the cancelling thread: the attempt ends now and its socket is closed. */
    private void abandon() {
        if (connected.completeExceptionally(new CancellationException("connecting to " + remote() + " abandoned"))) {
            loop.execute(() -> closeNow(false));
        }
    }

    /** Closes the socket, once; {@code reset} drops unsent data with a TCP reset (SO_LINGER 0). */
    private void closeNow(boolean reset) {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasConnected = state == State.HANDSHAKING || state == State.OPEN || state == State.DRAINING;
        state = State.CLOSED;
        markClosed();
        if (drainDeadline != null) {
            drainDeadline.cancel();
            drainDeadline = null;
        }
        if (channel == null) {
            return;
        }
        try {
            if (reset && wasConnected) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> this + ": cannot set SO_LINGER before the reset: " + e);
        }
        try {
            channel.close(); // cancels the key; the socket is released at the selector's next select
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> this + ": closing the socket failed: " + e);
        }
    }

    /** Names the remote end in the attempt's error, and keeps its type: callers' retry predicates test it. */
    private Throwable describe(Throwable error) {
        if (state == State.HANDSHAKING && error instanceof SSLException) {
            return new SSLHandshakeException("TLS handshake with " + remote() + " failed: " + error.getMessage())
                    .initCause(error);
        }
        if (state == State.HANDSHAKING && error instanceof IOException) {
            return new SSLHandshakeException("TLS handshake with " + remote() + " failed: " + error)
                    .initCause(error);
        }
        if (error instanceof ConnectException) {
            return new ConnectException(error.getMessage() + ": " + remote()).initCause(error);
        }
        return error;
    }

    private String localAddress() {
        try {
            return String.valueOf(channel.getLocalAddress());
        } catch (IOException e) {
            return "?";
        }
    }
}
