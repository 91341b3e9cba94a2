package io.connback.osgi.internal;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Connector;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The connector that a managed Connback holds for its whole life: it forwards to the connector service of its link
 * that is registered now, if any. The Connback therefore never references a connector bundle's object, and survives
 * the update of that bundle: {@link #detach(Object)} closes the link through the leaving connector, attempts fail
 * fast while no connector is there, and {@link #attach(Connector)} lets the next attempt use the new one.
 *
 * <p>A client is always closed by the connector that made it. Usually one Connback uses this connector; while the
 * Connback of a link is replaced (new options), the ending one and the new one both do.
 */
final class SwappableConnector implements Connector<Object> {

    private final String type;
    private Connector<Object> current;
    /** The open clients, each with the connector service object that made it. */
    private final Map<Object, Connector<Object>> made = new IdentityHashMap<>();

    SwappableConnector(String type) {
        this.type = type;
    }

    /**
     * Takes a connector service into use for the next attempts.
     *
     * @param connector the connector service object
     */
    @SuppressWarnings("unchecked") // a service's client type is erased; its clients only ever go back to it
    synchronized void attach(Connector<?> connector) {
        current = (Connector<Object>) connector;
    }

    /**
     * Stops using a connector service that is going away, and closes the clients it made, gracefully (queued sends
     * are written).
     *
     * @param connector the connector service object going away
     * @return the closed clients
     */
    List<Object> detach(Connector<?> connector) {
        Map<Object, Connector<Object>> closing = new IdentityHashMap<>();
        synchronized (this) {
            if (current == connector) {
                current = null;
            }
            made.entrySet().removeIf(client -> {
                if (client.getValue() != connector) {
                    return false;
                }
                closing.put(client.getKey(), client.getValue());
                return true;
            });
        }
        closing.forEach((client, madeBy) -> closeQuietly(client, madeBy, false));
        return List.copyOf(closing.keySet());
    }

    synchronized boolean isAttached() {
        return current != null;
    }

    synchronized boolean isAttached(Connector<?> connector) {
        return current == connector;
    }

    @Override
    public CompletionStage<Object> connect(Connback<Object> connback, CancellationToken token) {
        Connector<Object> connector;
        synchronized (this) {
            connector = current;
        }
        if (connector == null) {
            return CompletableFuture.failedFuture(new ConnectorUnavailableException(type));
        }
        return connector.connect(connback, token).thenApply(client -> keep(client, connector));
    }

    private Object keep(Object client, Connector<Object> connector) {
        synchronized (this) {
            if (current == connector) {
                made.put(client, connector);
                return client;
            }
        }
        // the connector left while this attempt ran: its client must not outlive it
        closeQuietly(client, connector, true);
        throw new ConnectorUnavailableException(type);
    }

    @Override
    public void close(Object client, boolean force) throws Exception {
        Connector<Object> madeBy;
        synchronized (this) {
            madeBy = made.remove(client);
        }
        if (madeBy != null) { // otherwise detach closed it already
            madeBy.close(client, force);
        }
    }

    @Override
    public void ping(Object client) throws Exception {
        Connector<Object> connector;
        synchronized (this) {
            connector = made.get(client);
        }
        if (connector != null) {
            connector.ping(client);
        }
    }

    private static void closeQuietly(Object client, Connector<Object> connector, boolean force) {
        try {
            connector.close(client, force);
        } catch (Exception e) {
            System.getLogger(SwappableConnector.class.getName())
                    .log(System.Logger.Level.DEBUG, "closing a link of a leaving connector failed", e);
        }
    }

    @Override
    public String toString() {
        return "connector io.connback." + type;
    }
}
