package io.connback.tcp.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

/**
 * TLS over a non-blocking socket with an {@link SSLEngine}, client side. The handshake's delegated tasks (certificate
 * checks) run inline on the selector thread: they take milliseconds, and a gateway opens few TLS links at once.
 *
 * <p>Buffers: {@code netIn} holds bytes read and not yet unwrapped (write mode), {@code netOut} records wrapped and
 * not yet written (read mode), {@code appIn} plaintext not yet delivered (write mode).
 */
final class TlsTransport implements Transport {

    private static final System.Logger LOG = System.getLogger(TlsTransport.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final WritableByteChannel writer = new Writer();
    private ByteBuffer netIn;
    private ByteBuffer netOut;
    private ByteBuffer appIn;

    private TlsTransport(SocketChannel channel, SSLEngine engine) {
        this.channel = channel;
        this.engine = engine;
        netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize()).flip();
        appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    /**
     * Starts the client handshake over a connected socket.
     *
     * @param channel the connected socket, non-blocking
     * @param context makes the engine: trusted certificates, protocols
     * @param host the host as configured: the name checked against the server's certificate and sent as SNI
     * @param port the server's port
     * @param verifyHostname whether the certificate must match {@code host} (HTTPS endpoint identification)
     * @return the transport, its handshake begun
     * @throws SSLException if the engine cannot begin
     */
    static TlsTransport start(SocketChannel channel, SSLContext context, String host, int port,
            boolean verifyHostname) throws SSLException {
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        if (verifyHostname) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
        }
        engine.beginHandshake();
        return new TlsTransport(channel, engine);
    }

    @Override
    public int handshake() throws IOException {
        while (true) {
            if (!flushPending()) {
                return SelectionKey.OP_WRITE;
            }
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> runDelegatedTasks();
                case NEED_WRAP -> wrap(EMPTY);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    SSLEngineResult.Status status = unwrap().getStatus();
                    if (status == SSLEngineResult.Status.CLOSED) {
                        throw new SSLHandshakeException("the server closed the TLS session");
                    }
                    if (status == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        int read = channel.read(netIn);
                        if (read < 0) {
                            throw new SSLHandshakeException("the server closed the connection");
                        }
                        if (read == 0) {
                            return SelectionKey.OP_READ;
                        }
                    }
                }
                default -> {
                    return 0; // FINISHED or NOT_HANDSHAKING
                }
            }
        }
    }

    @Override
    public boolean read(Consumer<ByteBuffer> sink) throws IOException {
        for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
            int room = netIn.remaining();
            int read = channel.read(netIn);
            if (!unwrapAll(sink) || read < 0) {
                return false;
            }
            if (read < room) {
                return true; // the socket is drained
            }
        }
        return true;
    }

    @Override
    public WritableByteChannel writer() {
        return writer;
    }

    @Override
    public boolean flushPending() throws IOException {
        while (netOut.hasRemaining()) {
            if (channel.write(netOut) == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void closeOutbound() {
        engine.closeOutbound();
        try {
            // the close_notify, or the alert of a failed handshake, fits in one record
            if (flushPending() && !engine.isOutboundDone()) {
                wrap(EMPTY);
            }
            flushPending();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "no TLS close_notify sent: " + e);
        }
    }

    /** Unwraps and delivers every complete record held; {@code false} once the peer closed the TLS session. */
    private boolean unwrapAll(Consumer<ByteBuffer> sink) throws IOException {
        deliver(sink); // plaintext that came with the handshake's last records
        while (netIn.position() > 0) {
            SSLEngineResult result = unwrap();
            deliver(sink);
            switch (result.getStatus()) {
                case CLOSED -> {
                    return false;
                }
                case BUFFER_UNDERFLOW -> {
                    return true;
                }
                case OK -> {
                    answerPostHandshakeMessages();
                    if (result.bytesConsumed() == 0) {
                        return true; // the engine waits for something else than these bytes
                    }
                }
                default -> {
                    // BUFFER_OVERFLOW: appIn was grown, unwrap again
                }
            }
        }
        return true;
    }

    /** TLS 1.3 key updates and the like: runs their tasks and wraps their answers (written with the next flush). */
    private void answerPostHandshakeMessages() throws IOException {
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> runDelegatedTasks();
                case NEED_WRAP -> {
                    if (!flushPending()) {
                        return; // written later: the link writes pending records before application data
                    }
                    wrap(EMPTY);
                }
                default -> {
                    return;
                }
            }
        }
    }

    private void deliver(Consumer<ByteBuffer> sink) {
        if (appIn.position() > 0) {
            sink.accept(appIn.flip());
            appIn.clear();
        }
    }

    /** One unwrap from {@code netIn} into {@code appIn}; grows a buffer that was too small. */
    private SSLEngineResult unwrap() throws SSLException {
        netIn.flip();
        SSLEngineResult result;
        try {
            result = engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
        switch (result.getStatus()) {
            case BUFFER_OVERFLOW -> appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
            case BUFFER_UNDERFLOW -> {
                if (!netIn.hasRemaining()) { // a record larger than the buffer: the session allows larger ones
                    netIn = grow(netIn, engine.getSession().getPacketBufferSize());
                }
            }
            default -> {
                // OK, or CLOSED: the caller decides
            }
        }
        return result;
    }

    /** Wraps application data (or nothing, for handshake messages) into {@code netOut}, which must be empty. */
    private int wrap(ByteBuffer source) throws SSLException {
        netOut.clear();
        SSLEngineResult result;
        try {
            result = engine.wrap(source, netOut);
        } finally {
            netOut.flip();
        }
        if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            netOut = grow(netOut.clear(), engine.getSession().getPacketBufferSize()).flip();
            return 0; // the caller tries again
        }
        if (result.getStatus() == SSLEngineResult.Status.CLOSED && source != EMPTY) {
            throw new SSLException("the TLS session is closed");
        }
        return result.bytesConsumed();
    }

    private void runDelegatedTasks() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    /**
     * A copy of a buffer in write mode with room for {@code size} more bytes.
     *
     * @throws SSLException if the buffer had that room already: the engine keeps asking for more
     */
    private static ByteBuffer grow(ByteBuffer buffer, int size) throws SSLException {
        int needed = buffer.position() + size;
        if (needed <= buffer.capacity()) {
            throw new SSLException("the TLS engine asks for more than " + size + " bytes of buffer");
        }
        return ByteBuffer.allocate(needed).put(buffer.flip());
    }

    /** Application data: wraps a record at a time and writes it, holding what the socket does not take. */
    private final class Writer implements WritableByteChannel {
        @Override
        public int write(ByteBuffer source) throws IOException {
            if (!flushPending()) {
                return 0;
            }
            int consumed = wrap(source);
            flushPending();
            return consumed;
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() {
            throw new UnsupportedOperationException("the link closes the socket");
        }
    }
}
