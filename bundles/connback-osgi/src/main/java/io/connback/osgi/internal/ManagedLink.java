package io.connback.osgi.internal;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.ConnectionState;
import io.connback.KeepaliveTimeoutException;
import io.connback.RetriesExhaustedException;
import io.connback.link.Link;
import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.LinkStatus;
import io.connback.osgi.ManagedConnection;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.osgi.framework.ServiceRegistration;

/**
 * The {@link ManagedConnection} of one link name: a Connback over a {@link SwappableConnector}, replaced only when
 * the Connback options change, the service registration whose properties follow the state, and the link's
 * {@link LinkStatus}, from which its log lines are written.
 *
 * <p>The listeners are called through one ordered queue per link, drained by the thread that finds it idle (usually
 * the Connback's, which delivers one event at a time): an event changes the status and is told as one step, and a
 * listener that joins while the link runs gets its replay of the current state between two events, never within
 * one. The status fields are written only by those deliveries, one at a time; others read them. No lock is held while
 * a listener runs. Frames go straight from the reading thread to the listeners.
 */
final class ManagedLink implements ManagedConnection {

    private static final Logger LOG = System.getLogger(ManagedLink.class.getName());

    private final String name;
    private final String type;
    private final SwappableConnector connector;
    private final Iterable<Watcher> watchers;
    private final Consumer<String> lines;
    /** Watchers added while this link runs, until their replay: the events of this link skip them. */
    private final Set<Watcher> joining =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    private final Queue<Runnable> deliveries = new ConcurrentLinkedQueue<>();
    private final AtomicInteger undelivered = new AtomicInteger();

    private volatile Events events;
    private volatile ServiceRegistration<ManagedConnection> registration;
    private volatile boolean retired; // set once by shutdown, before the service is unregistered
    /** The configuration the link belongs to (its PID), and where it comes from; set by the manager. */
    private volatile String owner;
    private volatile String source;
    private volatile List<String> problems = List.of();
    private volatile boolean required;
    /** Why the next close happens, when the gateway causes it: consumed by that close. */
    private volatile String closing;

    // the status: written by the deliveries only
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile Instant since = Instant.now();
    private volatile long attempt;
    private volatile long upcoming = 1;
    private volatile Instant nextAttemptAt;
    private volatile Throwable lastError;
    private volatile Instant lastErrorAt;
    private volatile String lastDisconnect;
    private volatile long connects;
    private volatile long drops;
    private volatile long failedAttempts;
    /** The error of the attempt that just failed, until its line is written with the next attempt's delay. */
    private Throwable failedAttempt;
    /** An error told while connected: the cause of the close that follows. */
    private Throwable closeCause;
    private final LongAdder framesIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();

    /**
     * Makes the link of a name; it starts with {@link #run}.
     *
     * @param name the link name
     * @param type the connector type
     * @param watchers every whiteboard listener, read at each event: the link tells those that watch it
     * @param lines where the link's log lines go (see {@link LinkStateLog})
     */
    ManagedLink(String name, String type, Iterable<Watcher> watchers, Consumer<String> lines) {
        this.name = name;
        this.type = type;
        this.connector = new SwappableConnector(type);
        this.watchers = watchers;
        this.lines = lines;
    }

    SwappableConnector connector() {
        return connector;
    }

    /**
     * Sets which configuration the link belongs to.
     *
     * @param owner its PID, or {@code null} for a connector service registered without a configuration
     * @param source its file or PID, as log lines name it
     * @param required whether the gateway's health depends on the link
     */
    void ownedBy(String owner, String source, boolean required) {
        this.owner = owner;
        this.source = source;
        this.required = required;
    }

    String owner() {
        return owner;
    }

    String source() {
        return source;
    }

    /**
     * Sets what is wrong with the latest change of the link's configuration, which the link does not run.
     *
     * @param refused one line per bad key, empty once a good configuration is taken
     */
    void problems(List<String> refused) {
        deliver(() -> {
            if (!problems.equals(refused)) {
                problems = List.copyOf(refused);
                tellStatus();
            }
        });
    }

    /**
     * Runs the link with these options: starts a Connback if none runs, or ends the running one and, once it has
     * ended (its close told as {@code configuration changed}), starts another if the options differ.
     *
     * @param options the Connback options of the connector service
     * @return whether a Connback starts
     */
    synchronized boolean run(ConnbackOptions options) {
        Events running = events;
        if (running != null && running.options.equals(options)) {
            return false;
        }
        Events next = new Events(options);
        events = next; // before the Connback starts: its first events must not be taken for a stale Connback's
        CompletionStage<?> ready;
        if (running == null) {
            ready = CompletableFuture.completedFuture(null);
        } else if (running.connback == null) {
            ready = running.ready; // replaced before it started: the next one waits for what it waited for
        } else {
            running.replaced = true;
            closeFor("configuration changed");
            ready = running.connback.end().whenEnded();
        }
        next.ready = ready;
        ready.thenRun(next::start);
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
     * Reconnects the link because its connector's configuration changed.
     */
    void reconfigured() {
        closeFor("configuration changed");
        reconnect();
    }

    /**
     * Reports that the connector service closed these clients on leaving: the Connback reconnects.
     *
     * @param clients the clients closed by {@link SwappableConnector#detach}
     */
    void lost(List<Object> clients) {
        if (!clients.isEmpty()) {
            closeFor("connector " + type + " updated or stopped");
        }
        connback().ifPresent(running -> clients.forEach(client -> running.feedClose(client, false)));
    }

    private void closeFor(String reason) {
        if (state == ConnectionState.CONNECTED) {
            closing = reason;
        }
    }

    /**
     * Ends the Connback for good: the link's configuration is gone, or the manager stops. The listeners receive
     * the end.
     *
     * @param why the reason the close is told with, e.g. {@code gateway stopping}
     * @return a stage completed once the listeners received the end
     */
    CompletionStage<Void> shutdown(String why) {
        Optional<Connback<Object>> running;
        synchronized (this) {
            retired = true;
            closeFor(why);
            running = connback();
        }
        // outside the monitor: the end may be told on this thread
        return running.map(connback -> connback.end().whenEnded())
                .orElse(CompletableFuture.completedFuture(null))
                .thenCompose(ended -> {
                    // the end is told in the queue, maybe by another thread: done once the queue has passed it
                    CompletableFuture<Void> told = new CompletableFuture<>();
                    deliver(() -> {
                        try {
                            if (state != ConnectionState.ENDED) {
                                // no Connback ran: it was being replaced (new options) when the link was retired
                                ended();
                            }
                        } finally {
                            told.complete(null);
                        }
                    });
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

    /** Whether no delivery to the listeners runs or waits: a listener joining now gets its replay on its thread. */
    boolean isIdle() {
        return undelivered.get() == 0;
    }

    boolean isRetired() {
        return retired;
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
        return attempt;
    }

    @Override
    public Optional<Throwable> lastError() {
        return Optional.ofNullable(lastError);
    }

    @Override
    public LinkStatus status() {
        Throwable error = lastError;
        return new LinkStatusRecord(name, type, source == null ? type : source, Optional.of(state), since, attempt,
                Optional.ofNullable(nextAttemptAt), Optional.ofNullable(error).map(LinkStateLog::describe),
                Optional.ofNullable(lastErrorAt), Optional.ofNullable(lastDisconnect), connects, drops,
                failedAttempts, framesIn.sum(), bytesIn.sum(), framesOut.sum(), bytesOut.sum(), problems, required);
    }

    @Override
    public Optional<Object> client() {
        return connback().flatMap(Connback::client);
    }

    @Override
    public Optional<Link> link() {
        return client().filter(Link.class::isInstance).map(client -> counted((Link) client));
    }

    private Link counted(Link link) {
        return new CountingLink(link, frame -> {
            framesOut.increment();
            bytesOut.add(frame);
        });
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

    /** Tells the listeners that watch this link, those joining excepted, then tells them the new status. */
    private void tell(Consumer<ConnectionListener> event) {
        LinkStatus status = status();
        eachWatching(listener -> {
            call(listener, event);
            call(listener, watching -> watching.onStatus(this, status));
        });
    }

    /** Runs a call for each listener that watches this link, those joining excepted. */
    private void eachWatching(Consumer<ConnectionListener> call) {
        Hashtable<String, Object> properties = serviceProperties();
        for (Watcher watcher : watchers) {
            if (!joining.contains(watcher) && watcher.watches(properties)) {
                call.accept(watcher.listener());
            }
        }
    }

    private void tellStatus() {
        tell(listener -> { });
    }

    private void call(ConnectionListener listener, Consumer<ConnectionListener> event) {
        try {
            event.accept(listener);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a connection listener of " + name + " failed", e);
        }
    }

    /** Tells the end of the link; on the delivery queue. */
    private void ended() {
        nextAttemptAt = null;
        stateIs(ConnectionState.ENDED);
        line("ENDED");
        tell(listener -> listener.onEnd(this));
    }

    private void line(String text) {
        lines.accept("link " + name + " " + text);
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

    /** The events of one Connback; ignored once another Connback replaced it, but for its close. */
    private final class Events implements ConnbackListener<Object> {

        private final ConnbackOptions options;
        private volatile Connback<Object> connback;
        /** Set once another Connback replaces this one: its close is still told, as a configuration change. */
        private volatile boolean replaced;
        /** Completes when this Connback may start: the one it replaces has ended. */
        private volatile CompletionStage<?> ready;

        Events(ConnbackOptions options) {
            this.options = options;
        }

        /** Starts the Connback, unless the link was retired or replaced again meanwhile. */
        void start() {
            synchronized (ManagedLink.this) {
                if (!retired && events == this) {
                    connback = Connback.create(connector, options, this);
                }
            }
        }

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
                connects++;
                nextAttemptAt = null;
                failedAttempt = null;
                closeCause = null;
                closing = null;
                stateIs(ConnectionState.CONNECTED);
                since = Instant.now();
                if (client instanceof Link link) {
                    link.addFrameListener(this::onFrame);
                }
                String remote = client instanceof Link link ? " via " + link.remote() : "";
                line("CONNECTED" + remote + (attempt > 1 ? " after " + attempt + " attempts" : ""));
                tell(listener -> listener.onConnect(ManagedLink.this));
            });
        }

        private void onFrame(ByteBuffer frame) {
            if (current()) {
                framesIn.increment();
                bytesIn.add(frame.remaining());
                tellFrame(frame);
            }
        }

        private void tellFrame(ByteBuffer frame) {
            eachWatching(listener -> call(listener, watching -> watching.onFrame(ManagedLink.this, frame.duplicate())));
        }

        @Override
        public void onReconnect() {
            deliver(() -> {
                if (!current()) {
                    return;
                }
                attempt = upcoming;
                nextAttemptAt = null;
                stateIs(ConnectionState.RECONNECTING);
                tell(listener -> listener.onReconnect(ManagedLink.this));
            });
        }

        @Override
        public void onBackoff(long number, Duration delay) {
            deliver(() -> {
                if (!current()) {
                    return;
                }
                upcoming = number;
                if (failedAttempt != null) {
                    line("RECONNECTING attempt " + (number - 1) + ": " + LinkStateLog.describe(failedAttempt)
                            + "; next in " + LinkStateLog.seconds(delay));
                    failedAttempt = null;
                }
                if (delay.isZero()) {
                    attempt = number; // it starts now, with no reconnect event before the first one
                    nextAttemptAt = null;
                } else {
                    attempt = number - 1;
                    nextAttemptAt = Instant.now().plus(delay);
                }
                tellStatus();
            });
        }

        @Override
        public void onClose(boolean hasError) {
            deliver(() -> {
                boolean wasReplaced = !current();
                if (wasReplaced && !replaced) {
                    return;
                }
                drops++;
                String reason = closing != null ? closing
                        : closeCause instanceof KeepaliveTimeoutException keepalive
                                ? "keepalive: " + LinkStateLog.describe(keepalive)
                        : closeCause != null ? "I/O error: " + LinkStateLog.describe(closeCause)
                        : hasError ? "I/O error" : "peer closed";
                closing = null;
                closeCause = null;
                lastDisconnect = reason;
                if (wasReplaced) {
                    stateIs(ConnectionState.CONNECTING);
                } else {
                    followState();
                }
                line("DISCONNECTED: " + reason);
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
                if (error instanceof RetriesExhaustedException gaveUp) {
                    if (failedAttempt != null) {
                        line("RECONNECTING attempt " + attempt + ": " + LinkStateLog.describe(failedAttempt));
                        failedAttempt = null;
                    }
                    nextAttemptAt = null;
                    stateIs(ConnectionState.OFFLINE);
                    line("OFFLINE: " + LinkStateLog.describe(gaveUp));
                } else {
                    lastError = error;
                    lastErrorAt = Instant.now();
                    if (state == ConnectionState.CONNECTED) {
                        closeCause = error;
                    } else {
                        failedAttempt = error;
                        failedAttempts++;
                    }
                    followState();
                }
                tell(listener -> listener.onError(ManagedLink.this, error));
            });
        }

        @Override
        public void onEnd() {
            deliver(() -> {
                if (!current()) {
                    return;
                }
                ended();
            });
        }
    }
}
