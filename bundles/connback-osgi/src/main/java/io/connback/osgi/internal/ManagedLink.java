package io.connback.osgi.internal;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.ConnectionState;
import io.connback.link.Link;
import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.ManagedConnection;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.osgi.framework.ServiceRegistration;

/**
 * The {@link ManagedConnection} of one link name: a Connback over a {@link SwappableConnector}, replaced only when
 * the Connback options change, and the service registration whose properties follow the state.
 */
final class ManagedLink implements ManagedConnection {

    private static final Logger LOG = System.getLogger(ManagedLink.class.getName());

    private final String name;
    private final String type;
    private final SwappableConnector connector;
    private final Function<ManagedLink, Iterable<ConnectionListener>> listeners;

    private volatile Events events;
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile Instant since = Instant.now();
    private volatile long attempts;
    private volatile Throwable lastError;
    private volatile ServiceRegistration<ManagedConnection> registration;
    private volatile boolean retired; // set once by shutdown, before the service is unregistered

    ManagedLink(String name, String type, Function<ManagedLink, Iterable<ConnectionListener>> listeners) {
        this.name = name;
        this.type = type;
        this.connector = new SwappableConnector(type);
        this.listeners = listeners;
    }

    SwappableConnector connector() {
        return connector;
    }

    /**
     * Runs the link with these options: starts a Connback if none runs, or ends the running one and starts another
     * if the options differ.
     *
     * @param options the Connback options of the connector service
     * @return whether a Connback started
     */
    synchronized boolean run(ConnbackOptions options) {
        Optional<Connback<Object>> running = connback();
        if (running.isPresent() && running.get().options().equals(options)) {
            return false;
        }
        Events next = new Events();
        events = next; // before the Connback starts: its first events must not be taken for a stale Connback's
        running.ifPresent(Connback::end);
        next.connback = Connback.create(connector, options, next);
        return true;
    }

    /** The running Connback; empty before the first {@link #run} and after {@link #shutdown}. */
    private Optional<Connback<Object>> connback() {
        Events running = events;
        return running == null ? Optional.empty() : Optional.ofNullable(running.connback);
    }

    /** Starts the next attempt now, if the Connback waits between attempts. */
    void retryNow() {
        connback().ifPresent(Connback::retryNow);
    }

    /**
     * Reports that the connector service closed these clients on leaving: the Connback reconnects.
     *
     * @param clients the clients closed by {@link SwappableConnector#detach}
     */
    void lost(List<Object> clients) {
        connback().ifPresent(running -> clients.forEach(client -> running.feedClose(client, false)));
    }

    /**
     * Ends the Connback for good: the link's configuration is gone, or the manager stops. The listeners receive
     * the end.
     *
     * @return a stage completed once the listeners received the end
     */
    synchronized CompletionStage<Void> shutdown() {
        retired = true;
        return connback().map(running -> running.end().whenEnded())
                .orElse(CompletableFuture.completedFuture(null));
    }

    void registered(ServiceRegistration<ManagedConnection> registration) {
        this.registration = registration;
        // the state may have changed between reading the properties and the registration
        if (!state.name().equals(registration.getReference().getProperty(ConnbackProperties.STATE))) {
            updateProperties();
        }
    }

    ServiceRegistration<ManagedConnection> registration() {
        return registration;
    }

    Hashtable<String, Object> serviceProperties() {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ConnbackProperties.NAME, name);
        properties.put(ConnbackProperties.TYPE, type);
        properties.put(ConnbackProperties.STATE, state.name());
        return properties;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public ConnectionState state() {
        return state;
    }

    @Override
    public Instant since() {
        return since;
    }

    @Override
    public long attempts() {
        return attempts;
    }

    @Override
    public Optional<Throwable> lastError() {
        return Optional.ofNullable(lastError);
    }

    @Override
    public Optional<Object> client() {
        return connback().flatMap(Connback::client);
    }

    @Override
    public Optional<Link> link() {
        return client().filter(Link.class::isInstance).map(Link.class::cast);
    }

    @Override
    public void reconnect() {
        connback().ifPresent(Connback::reconnect);
    }

    @Override
    public void end() {
        connback().ifPresent(Connback::end);
    }

    @Override
    public String toString() {
        return "ManagedConnection[" + name + ", " + type + ", " + state + "]";
    }

    private void stateIs(ConnectionState now) {
        if (now == state) {
            return;
        }
        state = now;
        since = Instant.now();
        updateProperties();
    }

    private void updateProperties() {
        ServiceRegistration<ManagedConnection> current = registration;
        // a retired link's service is unregistered right after: changing its properties meanwhile would race the
        // framework's unregistration (Felix Log 1.3.0 then fails on the service event of a bundle-less reference)
        if (current != null && !retired) {
            try {
                current.setProperties(serviceProperties());
            } catch (IllegalStateException unregistered) {
                // the link ended: its configuration is gone, or the manager stops
            }
        }
    }

    private void tell(Consumer<ConnectionListener> event) {
        for (ConnectionListener listener : listeners.apply(this)) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a connection listener of " + name + " failed", e);
            }
        }
    }

    /** The events of one Connback; ignored once another Connback replaced it. */
    private final class Events implements ConnbackListener<Object> {

        private volatile Connback<Object> connback;

        private boolean current() {
            return events == this;
        }

        private void followState() {
            Connback<Object> source = connback;
            if (source != null) {
                stateIs(source.state());
            }
        }

        @Override
        public void onConnect(Object client) {
            if (!current()) {
                return;
            }
            attempts = 0;
            lastError = null;
            stateIs(ConnectionState.CONNECTED);
            if (client instanceof Link link) {
                link.addFrameListener(this::onFrame);
            }
            tell(listener -> listener.onConnect(ManagedLink.this));
        }

        private void onFrame(ByteBuffer frame) {
            if (current()) {
                tell(listener -> listener.onFrame(ManagedLink.this, frame.duplicate()));
            }
        }

        @Override
        public void onReconnect() {
            if (!current()) {
                return;
            }
            attempts++;
            stateIs(ConnectionState.RECONNECTING);
            tell(listener -> listener.onReconnect(ManagedLink.this));
        }

        @Override
        public void onClose(boolean hasError) {
            if (!current()) {
                return;
            }
            followState();
            tell(listener -> listener.onClose(ManagedLink.this, hasError));
        }

        @Override
        public void onOffline() {
            if (!current()) {
                return;
            }
            followState();
            tell(listener -> listener.onOffline(ManagedLink.this));
        }

        @Override
        public void onError(Throwable error) {
            if (!current()) {
                return;
            }
            lastError = error;
            followState();
            tell(listener -> listener.onError(ManagedLink.this, error));
        }

        @Override
        public void onEnd() {
            if (!current()) {
                return;
            }
            stateIs(ConnectionState.ENDED);
            tell(listener -> listener.onEnd(ManagedLink.this));
        }
    }
}
