package io.connback.fleet.internal;

import io.connback.ConnectionState;
import io.connback.link.Link;
import io.connback.osgi.ManagedConnection;
import java.time.Instant;
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
