package io.connback;

import java.util.concurrent.CompletionStage;

/**
 * Opens, closes and pings the client of one kind of link (a socket, a serial port, an MQTT client...) on behalf of a
 * {@link Connback}, which decides when to do each.
 *
 * <p>Every method is called on a Connback worker thread, one call at a time per Connback, never while Connback holds a
 * lock. None may block for long: an implementation starts the work and completes the returned stage later (NIO, an
 * asynchronous client, or a small bounded pool of its own for blocking libraries).
 *
 * @param <T> the client type, e.g. a socket channel or a link
 */
public interface Connector<T> {

    /**
     * Starts one connection attempt.
     *
     * <p>The stage completes with the connected client, or exceptionally with the reason of the failure. When
     * {@code token} is cancelled (the connect timeout expired, the application called {@link Connback#end()}, or the
     * token given to {@link Connback#reconnect(CancellationToken)} was cancelled) the implementation should abandon the
     * attempt; a client that still arrives afterwards is closed through {@link #close(Object, boolean)} and never seen
     * by the application.
     *
     * @param connback the Connback asking; connectors may feed it events (heartbeat, close, error) once connected
     * @param token cancelled when the attempt is abandoned
     * @return a stage completed with the client once connected
     */
    CompletionStage<T> connect(Connback<T> connback, CancellationToken token);

    /**
     * Closes a client that this connector produced.
     *
     * @param client the client to close
     * @param force {@code true} to close at once (keepalive timeout, forced end), {@code false} to let in-flight data
     *     drain where the link supports it
     * @throws Exception if closing failed; it is logged, the client is considered closed anyway
     */
    void close(T client, boolean force) throws Exception;

    /**
     * Sends a keepalive probe; called only when the keepalive is enabled and no traffic was seen for a keepalive. The
     * peer's answer is fed back with {@link Connback#feedHeartbeat()}.
     *
     * @param client the connected client
     * @throws Exception if the probe could not be sent; it is reported as an error and the link is closed
     */
    default void ping(T client) throws Exception {}
}
