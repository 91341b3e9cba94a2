package io.connback.osgi;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A whiteboard listener of {@link ManagedConnection}s: register it as a service, with the property
 * {@link ConnbackProperties#NAME} (the names of the links to watch) or {@link ConnbackProperties#FILTER} (an LDAP
 * filter over the connections' service properties); with neither, it receives the events of every connection. All
 * methods do nothing by default.
 *
 * <p>The events of one connection arrive one at a time and in order, frames aside; a listener must return quickly. A
 * listener that throws is logged and does not prevent other listeners from being called.
 *
 * <p>A listener registered while connections run first gets their current state, in order with their events:
 * {@link #onConnect(ManagedConnection)} for each watched connection that is
 * {@link io.connback.ConnectionState#CONNECTED CONNECTED} at that moment, as if it had just connected, then that
 * connection's events from there on. Nothing else is replayed: for a connection that is connecting, reconnecting or
 * offline, read {@link ManagedConnection#state()}, {@link ManagedConnection#attempts()} and
 * {@link ManagedConnection#lastError()}; the next event follows. The replay is made on the thread that registers the
 * listener service (for a DS component, the thread on which SCR registers it), or, if an event of that connection is
 * being delivered at that moment, right after that event on its thread. Frames that arrive before the replay are not
 * given to the new listener.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
public interface ConnectionListener {

    /**
     * The connection is up.
     *
     * @param connection the connection; its client or link is that of the new connection
     */
    default void onConnect(ManagedConnection connection) {}

    /**
     * A reconnection attempt starts.
     *
     * @param connection the connection
     */
    default void onReconnect(ManagedConnection connection) {}

    /**
     * An established connection was lost or closed.
     *
     * @param connection the connection
     * @param hasError whether it closed because of an error
     */
    default void onClose(ManagedConnection connection, boolean hasError) {}

    /**
     * The connection went from connected (or from the first attempt) to disconnected.
     *
     * @param connection the connection
     */
    default void onOffline(ManagedConnection connection) {}

    /**
     * Something failed: an attempt, a ping, the connector is missing, or the retries gave up.
     *
     * @param connection the connection
     * @param error what failed
     */
    default void onError(ManagedConnection connection, Throwable error) {}

    /**
     * The connection was ended: by {@link ManagedConnection#end()}, because its configuration is gone, or because
     * the gateway or its connection manager stops (then before the connection's service is unregistered).
     *
     * @param connection the connection
     */
    default void onEnd(ManagedConnection connection) {}

    /**
     * The link's status changed: after every event above, and when a failed attempt's next attempt is scheduled or
     * the problems of its configuration change. For a client that only wants to know that something changed.
     *
     * @param connection the connection
     * @param status its new status
     */
    default void onStatus(ManagedConnection connection, LinkStatus status) {}

    /**
     * A frame arrived on a link connection (TCP, serial); called on the connector's reading thread, see
     * {@link io.connback.link.FrameListener#onFrame(ByteBuffer)}.
     *
     * @param connection the connection
     * @param frame the frame, read-only, the listener's own
     */
    default void onFrame(ManagedConnection connection, ByteBuffer frame) {}
}
