package io.connback.fleet.internal;

import io.connback.ConnectionState;
import io.connback.link.Link;
import io.connback.osgi.LinkStatus;
import io.connback.osgi.ManagedConnection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A managed connection whose state the test sets, as the connection manager would. */
final class FakeConnection implements ManagedConnection {

    private final String name;
    private final String type;
    volatile ConnectionState state = ConnectionState.CONNECTING;
    volatile Instant since = Instant.parse("2026-11-25T10:00:00.123456Z");
    volatile long attempts;
    volatile Throwable lastError;
    volatile Object client;

    FakeConnection(String name, String type) {
        this.name = name;
        this.type = type;
    }

    /** Connected with this client, as after a connect event. */
    FakeConnection connected(Object newClient, Instant at) {
        state = ConnectionState.CONNECTED;
        since = at;
        attempts = 0;
        lastError = null;
        client = newClient;
        return this;
    }

    /** Lost and retrying, as after a close and a failed attempt. */
    FakeConnection reconnecting(Instant at, long attemptCount, Throwable error) {
        state = ConnectionState.RECONNECTING;
        since = at;
        attempts = attemptCount;
        lastError = error;
        client = null;
        return this;
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
    public LinkStatus status() {
        return new Status(name, type, Optional.of(state), since, attempts,
                Optional.ofNullable(lastError).map(error -> error.getMessage() == null
                        ? error.getClass().getSimpleName() : error.getMessage()));
    }

    /**
     * The fields of a status that the fleet publishes, the error worded as the connection manager words it; the
     * others as for a link that just started.
     */
    private record Status(String name, String type, Optional<ConnectionState> state, Instant since, long attempt,
            Optional<String> lastError) implements LinkStatus {

        @Override
        public String source() {
            return "conf/io.connback." + type + "-" + name + ".cfg";
        }

        @Override
        public Optional<Instant> nextAttemptAt() {
            return Optional.empty();
        }

        @Override
        public Optional<Instant> lastErrorAt() {
            return lastError.map(error -> since);
        }

        @Override
        public Optional<String> lastDisconnect() {
            return Optional.empty();
        }

        @Override
        public long connects() {
            return 0;
        }

        @Override
        public long drops() {
            return 0;
        }

        @Override
        public long failedAttempts() {
            return attempt;
        }

        @Override
        public long framesIn() {
            return 0;
        }

        @Override
        public long bytesIn() {
            return 0;
        }

        @Override
        public long framesOut() {
            return 0;
        }

        @Override
        public long bytesOut() {
            return 0;
        }

        @Override
        public List<String> problems() {
            return List.of();
        }

        @Override
        public boolean required() {
            return false;
        }
    }

    @Override
    public Optional<Object> client() {
        return Optional.ofNullable(client);
    }

    @Override
    public Optional<Link> link() {
        return Optional.empty();
    }

    @Override
    public void reconnect() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void end() {
        throw new UnsupportedOperationException();
    }

    @Override
    public String toString() {
        return "FakeConnection[" + name + ", " + state + "]";
    }
}
