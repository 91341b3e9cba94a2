package io.connback.web.internal;

import io.connback.ConnectionState;
import io.connback.osgi.LinkStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A link status as the tests make it. */
record Status(String name, Optional<ConnectionState> state, Instant since, long attempt, Optional<String> lastError,
        Optional<Instant> lastErrorAt, List<String> problems, boolean required) implements LinkStatus {

    static Status of(String name, ConnectionState state, Instant since) {
        return new Status(name, Optional.of(state), since, 0, Optional.empty(), Optional.empty(), List.of(), false);
    }

    static Status refused(String name, String problem) {
        return new Status(name, Optional.empty(), Instant.EPOCH, 0, Optional.empty(), Optional.empty(),
                List.of(problem), false);
    }

    Status required(boolean isRequired) {
        return new Status(name, state, since, attempt, lastError, lastErrorAt, problems, isRequired);
    }

    Status attempt(long number, String error, Instant at) {
        return new Status(name, state, since, number, Optional.ofNullable(error), Optional.ofNullable(at), problems,
                required);
    }

    @Override
    public String type() {
        return "tcp";
    }

    @Override
    public String source() {
        return "conf/io.connback.tcp-" + name + ".cfg";
    }

    @Override
    public Optional<Instant> nextAttemptAt() {
        return Optional.empty();
    }

    @Override
    public Optional<String> lastDisconnect() {
        return Optional.empty();
    }

    @Override
    public long connects() {
        return 3;
    }

    @Override
    public long drops() {
        return 2;
    }

    @Override
    public long failedAttempts() {
        return 5;
    }

    @Override
    public long framesIn() {
        return 10;
    }

    @Override
    public long bytesIn() {
        return 100;
    }

    @Override
    public long framesOut() {
        return 1;
    }

    @Override
    public long bytesOut() {
        return 4;
    }
}
