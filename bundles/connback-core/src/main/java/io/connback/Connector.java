package io.connback;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Opens, closes and pings the client of one kind of link (a socket, a serial port, an MQTT client...) on behalf of a
 * {@link Connback}, which decides when to do each.
 *
 * <p>The methods are called one at a time per Connback, in the order Connback decides them, never while it holds a
 * lock: on {@link ConnbackOptions#connectorExecutor()}, or, for a connector that {@linkplain #isNonBlocking() never
 * blocks}, on whichever Connback thread (a worker, or a thread feeding it) gets to them first. An implementation
 * should start the work and complete the returned stage later (NIO, an asynchronous client, or a small bounded pool
 * of its own for blocking libraries). One that blocks anyway holds up its own Connback only: Connback never waits for
 * a call to return, so its connect timeout still fires and {@link Connback#end()} still ends.
 *
 * @param <T> the client type, e.g. a socket channel or a link
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
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

    /**
     * Whether {@link #connect}, {@link #close} and {@link #ping} always return at once, never waiting for I/O, a lock
     * held for long or foreign code. Connback calls such a connector right on its own threads, saving a thread
     * hand-off per call (one per keepalive ping); it calls any other on {@link ConnbackOptions#connectorExecutor()}.
     * A connector that says so and blocks anyway holds up the Connback threads that all links share.
     *
     * @return {@code false} by default
     */
    default boolean isNonBlocking() {
        return false;
    }
}
