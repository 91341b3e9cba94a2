package io.connback.osgi.internal;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Connector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The connector that a managed Connback holds for its whole life: it forwards to the connector service of its link
 * that is registered now, if any. The Connback therefore never references a connector bundle's object, and survives
 * the update of that bundle: {@link #detach(Object)} closes the link through the leaving connector, attempts fail
 * fast while no connector is there, and {@link #attach(Connector)} lets the next attempt use the new one.
 *
 * <p>A client is always closed by the connector that made it.
 */
final class SwappableConnector implements Connector<Object> {

    /** A client and the connector service object that made it. */
    private record Made(Object client, Connector<Object> connector) {}

    private final String type;
    private Connector<Object> current;
    private Made made;

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
     * Stops using a connector service that is going away, and closes the client it made, if any (gracefully: queued sends are written). Does
     * nothing if another connector is in use.
     *
     * @param connector the connector service object going away
     * @return the closed client, or {@code null} if there was none
     */
    Object detach(Connector<?> connector) {
        Made closing;
        synchronized (this) {
            if (current != connector) {
                return null;
            }
            current = null;
            closing = made;
            made = null;
        }
        if (closing == null) {
            return null;
        }
        closeQuietly(closing, false);
        return closing.client();
    }

    synchronized boolean isAttached() {
        return current != null;
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
                made = new Made(client, connector);
                return client;
            }
        }
        // the connector left while this attempt ran: its client must not outlive it
        closeQuietly(new Made(client, connector), true);
        throw new ConnectorUnavailableException(type);
    }

    @Override
    public void close(Object client, boolean force) throws Exception {
        Made closing;
        synchronized (this) {
            if (made == null || made.client() != client) {
                return; // closed already by detach
            }
            closing = made;
            made = null;
        }
        closing.connector().close(client, force);
    }

    @Override
    public void ping(Object client) throws Exception {
        Connector<Object> connector;
        synchronized (this) {
            connector = made != null && made.client() == client ? made.connector() : null;
        }
        if (connector != null) {
            connector.ping(client);
        }
    }

    private static void closeQuietly(Made made, boolean force) {
        try {
            made.connector().close(made.client(), force);
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
