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
import java.util.Collections;
import java.util.Hashtable;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.osgi.framework.ServiceRegistration;

/**
 * The {@link ManagedConnection} of one link name: a Connback over a {@link SwappableConnector}, replaced only when
 * the Connback options change, and the service registration whose properties follow the state.
 *
 * <p>The listeners are called through one ordered queue per link, drained by the thread that finds it idle (usually
 * the Connback's, which delivers one event at a time): an event changes the state and is told as one step, and a
 * listener that joins while the link runs gets its replay of the current state between two events, never within
 * one. No lock is held while a listener runs. Frames go straight from the reading thread to the listeners.
 */
final class ManagedLink implements ManagedConnection {

    private static final Logger LOG = System.getLogger(ManagedLink.class.getName());

    private final String name;
    private final String type;
    private final SwappableConnector connector;
    private final Iterable<Watcher> watchers;
    /** Watchers added while this link runs, until their replay: the events of this link skip them. */
    private final Set<Watcher> joining =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    private final Queue<Runnable> deliveries = new ConcurrentLinkedQueue<>();
    private final AtomicInteger undelivered = new AtomicInteger();

    private volatile Events events;
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile Instant since = Instant.now();
    private volatile long attempts;
    private volatile Throwable lastError;
    private volatile ServiceRegistration<ManagedConnection> registration;
    private volatile boolean retired; // set once by shutdown, before the service is unregistered

    /**
     * Makes the link of a name; it starts with {@link #run}.
     *
     * @param name the link name
     * @param type the connector type
     * @param watchers every whiteboard listener, read at each event: the link tells those that watch it
     */
    ManagedLink(String name, String type, Iterable<Watcher> watchers) {
        this.name = name;
        this.type = type;
        this.connector = new SwappableConnector(type);
        this.watchers = watchers;
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
        return connback().map(running -> running.end().whenEnded()).orElse(CompletableFuture.completedFuture(null))
                .thenCompose(ended -> {
                    // the end is told in the queue, maybe by another thread: done once the queue has passed it
                    CompletableFuture<Void> told = new CompletableFuture<>();
                    deliver(() -> told.complete(null));
                    return told;
                });
    }

    /**
     * Marks a watcher that is being added while this link runs: this link's events skip it until its
     * {@link #replayTo replay}. Called before the watcher is visible to the events.
     *
     * @param watcher the watcher being added
     */
    void join(Watcher watcher) {
        joining.add(watcher);
    }

    /**
     * Gives a joining watcher the current state, in order with the events: {@code onConnect} if the link is
     * connected; from then on it gets this link's events.
     *
     * @param watcher a watcher passed to {@link #join} before
     */
    void replayTo(Watcher watcher) {
        deliver(() -> {
            try {
                if (state == ConnectionState.CONNECTED && !retired && isWatching(watcher)) {
                    call(watcher.listener(), listener -> listener.onConnect(this));
                }
            } finally {
                joining.remove(watcher);
            }
        });
    }

    private boolean isWatching(Watcher watcher) {
        for (Watcher present : watchers) {
            if (present == watcher) {
                return watcher.watches(serviceProperties());
            }
        }
        return false;
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

    /** Tells the listeners that watch this link, those joining excepted. */
    private void tell(Consumer<ConnectionListener> event) {
        Hashtable<String, Object> properties = serviceProperties();
        for (Watcher watcher : watchers) {
            if (!joining.contains(watcher) && watcher.watches(properties)) {
                call(watcher.listener(), event);
            }
        }
    }

    private void call(ConnectionListener listener, Consumer<ConnectionListener> event) {
        try {
            event.accept(listener);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a connection listener of " + name + " failed", e);
        }
    }

    /**
     * Runs a delivery to the listeners after the ones queued before it: on this thread, or, while another thread
     * delivers, on that one.
     */
    private void deliver(Runnable delivery) {
        deliveries.add(delivery);
        if (undelivered.getAndIncrement() > 0) {
            return;
        }
        do {
            try {
                deliveries.remove().run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a delivery to the listeners of " + name + " failed", e);
            }
        } while (undelivered.decrementAndGet() > 0);
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
            deliver(() -> {
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
            });
        }

        private void onFrame(ByteBuffer frame) {
            if (current()) {
                tell(listener -> listener.onFrame(ManagedLink.this, frame.duplicate()));
            }
        }

        @Override
        public void onReconnect() {
            deliver(() -> {
                if (!current()) {
                    return;
                }
                attempts++;
                stateIs(ConnectionState.RECONNECTING);
                tell(listener -> listener.onReconnect(ManagedLink.this));
            });
        }

        @Override
        public void onClose(boolean hasError) {
            deliver(() -> {
                if (!current()) {
                    return;
                }
                followState();
                tell(listener -> listener.onClose(ManagedLink.this, hasError));
            });
        }

        @Override
        public void onOffline() {
            deliver(() -> {
                if (!current()) {
                    return;
                }
                followState();
                tell(listener -> listener.onOffline(ManagedLink.this));
            });
        }

        @Override
        public void onError(Throwable error) {
            deliver(() -> {
                if (!current()) {
                    return;
                }
                lastError = error;
                followState();
                tell(listener -> listener.onError(ManagedLink.this, error));
            });
        }

        @Override
        public void onEnd() {
            deliver(() -> {
                if (!current()) {
                    return;
                }
                stateIs(ConnectionState.ENDED);
                tell(listener -> listener.onEnd(ManagedLink.this));
            });
        }
    }
}
