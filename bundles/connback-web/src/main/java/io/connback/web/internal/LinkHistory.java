package io.connback.web.internal;

import io.connback.ConnectionState;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.LinkStatus;
import io.connback.osgi.ManagedConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * What the web bundle remembers of the links: the last {@value #RING_CAPACITY} changes of each link (a ring, in
 * memory), its outages (a histogram), and the live stream of changes. A {@link ConnectionListener} of every link.
 *
 * <p>Threads: {@link #onStatus} runs on the links' event threads (one link's changes in order); it records the change
 * under this object's lock, then queues it for the event stream outside the lock, and never waits for a client. The
 * servlet reads on Jetty's threads. The history of a link is dropped when its {@link ManagedConnection} goes (its
 * configuration was deleted), so the memory is bounded by the links that exist.
 */
@Component(service = {ConnectionListener.class, LinkHistory.class})
public final class LinkHistory implements ConnectionListener {

    /** The changes kept per link: at a change every few seconds, more than an hour of a flapping link. */
    static final int RING_CAPACITY = 1000;

    private final Clock clock;
    private final EventStream stream = new EventStream();
    private final Map<String, ManagedConnection> connections = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    // guarded by lock
    private final Map<String, Track> tracks = new HashMap<>();
    private long sequence;

    /** The component: the system clock, and the stream's writer started. */
    @Activate
    public LinkHistory() {
        this(Clock.systemUTC());
        stream.start();
    }

    /** For the tests: a clock of their own and no stream writer. */
    LinkHistory(Clock clock) {
        this.clock = clock;
    }

    @Deactivate
    void deactivate() {
        stream.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindConnection(ManagedConnection connection) {
        connections.put(connection.name(), connection);
        // the history starts with where the link stands: a listener hears of it only at its next change
        record(connection.status());
    }

    void unbindConnection(ManagedConnection connection) {
        if (connections.remove(connection.name(), connection)) {
            synchronized (lock) {
                tracks.remove(connection.name());
            }
        }
    }

    /**
     * The link's connection, for a reconnect.
     *
     * @param name the link's name
     * @return its connection, empty if no link runs under that name
     */
    Optional<ManagedConnection> connection(String name) {
        return Optional.ofNullable(connections.get(name));
    }

    @Override
    public void onStatus(ManagedConnection connection, LinkStatus status) {
        Optional<LinkChange> change = record(status);
        change.ifPresent(recorded -> {
            Json json = new Json().beginObject().member("now", clock.instant()).name("change");
            recorded.writeTo(json);
            json.name("link");
            LinkJson.write(json, status);
            stream.publish("link", json.endObject().toString());
        });
    }

    /**
     * Records a status: a change of its state, attempt or error becomes an entry of the ring.
     *
     * @param status the link's new status
     * @return the change, empty if nothing the history shows changed
     */
    Optional<LinkChange> record(LinkStatus status) {
        String state = LinkChange.stateOf(status);
        synchronized (lock) {
            Track track = tracks.computeIfAbsent(status.name(), name -> new Track());
            Instant errorAt = status.lastErrorAt().orElse(null);
            boolean newError = errorAt != null && !errorAt.equals(track.lastErrorAt);
            if (state.equals(track.state) && status.attempt() == track.attempt && !newError) {
                return Optional.empty();
            }
            boolean stateChanged = !state.equals(track.state);
            Instant at = stateChanged ? status.since() : newError ? errorAt : clock.instant();
            track.observeOutage(state, at);
            track.state = state;
            track.attempt = status.attempt();
            track.lastErrorAt = errorAt;
            LinkChange change = new LinkChange(++sequence, at, status.name(), state, status.attempt(),
                    newError ? status.lastError().orElse(null) : null);
            track.changes.addLast(change);
            if (track.changes.size() > RING_CAPACITY) {
                track.changes.removeFirst();
            }
            return Optional.of(change);
        }
    }

    /**
     * A link's recent changes, oldest first.
     *
     * @param name the link's name
     * @return the changes, empty if none was seen
     */
    List<LinkChange> changes(String name) {
        synchronized (lock) {
            Track track = tracks.get(name);
            return track == null ? List.of() : List.copyOf(track.changes);
        }
    }

    /**
     * A link's outages so far.
     *
     * @param name the link's name
     * @return their histogram
     */
    OutageHistogram.Snapshot outages(String name) {
        synchronized (lock) {
            Track track = tracks.get(name);
            return track == null ? OutageHistogram.Snapshot.EMPTY : track.outages.snapshot();
        }
    }

    EventStream stream() {
        return stream;
    }

    /** One link's history. */
    private static final class Track {

        final ArrayDeque<LinkChange> changes = new ArrayDeque<>();
        final OutageHistogram outages = new OutageHistogram();
        String state;
        long attempt = -1;
        Instant lastErrorAt;
        /** When the established connection was lost, while the link is out. */
        Instant outageSince;

        void observeOutage(String newState, Instant at) {
            String connected = ConnectionState.CONNECTED.name();
            if (connected.equals(state) && !connected.equals(newState)) {
                outageSince = at;
            } else if (connected.equals(newState) && outageSince != null) {
                outages.observe(Duration.between(outageSince, at).isNegative() ? Duration.ZERO
                        : Duration.between(outageSince, at));
                outageSince = null;
            } else if (Objects.equals(newState, ConnectionState.ENDING.name())) {
                outageSince = null; // ended on purpose: not an outage
            }
        }
    }
}
