package io.connback;

import java.time.Duration;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the events of one {@link Connback}. All methods are no-ops by default.
 *
 * <p>Events of one Connback are delivered one at a time, in order, never concurrently and never while Connback holds
 * a lock, on a Connback worker thread. A listener must not block for long: worker threads are shared by all
 * Connbacks. It may call any method of the Connback, including {@link Connback#end()} and
 * {@link Connback#reconnect()}, which then take effect after the listener returns. A listener that throws is logged
 * and does not prevent other listeners from being called.
 *
 * @param <T> the client type
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
public interface ConnbackListener<T> {

    /**
     * A connection attempt succeeded.
     *
     * @param client the connected client
     */
    default void onConnect(T client) {}

    /** A reconnection attempt starts. */
    default void onReconnect() {}

    /**
     * An established connection was lost or closed.
     *
     * @param hasError whether it closed because of an error
     */
    default void onClose(boolean hasError) {}

    /** The link went from connected (or from the very first attempt) to disconnected; emitted once per transition. */
    default void onOffline() {}

    /**
     * Something failed: a connection attempt, a fed error, a ping, or the retries gave up.
     *
     * @param error what failed
     */
    default void onError(Throwable error) {}

    /**
     * The next connection attempt is scheduled: after a failed attempt, after a lost connection, and before the first
     * attempt. Attempts are numbered from the last stable connection, as the backoff counts them, so a link that flaps
     * keeps counting.
     *
     * @param attempt the number of the attempt to come, from 1
     * @param delay how long until it starts; zero if at once
     */
    default void onBackoff(long attempt, Duration delay) {}

    /** {@link Connback#end()} completed; no event follows unless {@link Connback#reconnect()} starts again. */
    default void onEnd() {}
}
