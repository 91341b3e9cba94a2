package io.connback.osgi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.ConnectionState;
import io.connback.RetriesExhaustedException;
import io.connback.link.Link;
import io.connback.osgi.ManagedConnection;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The lines of {@link LinkStateLog}. */
class LinkStateLogTest {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final LinkStateLog log = new LinkStateLog(lines::add);

    @Test
    void countsTheAttemptsUntilConnectedAndNamesWhereTo() {
        FakeConnection meter = new FakeConnection("meter1");
        log.onReconnect(meter);
        meter.lastError = new ConnectException("Connection refused: 10.0.0.7:502");
        log.onReconnect(meter);
        meter.remote = "/dev/ttyUSB1";
        meter.lastError = null; // as the manager does before it tells onConnect
        log.onConnect(meter);
        log.onClose(meter, false);
        log.onReconnect(meter);
        log.onConnect(meter);

        assertThat(lines).containsExactly(
                "link meter1 RECONNECTING attempt 1",
                "link meter1 RECONNECTING attempt 2: Connection refused: 10.0.0.7:502",
                "link meter1 CONNECTED via /dev/ttyUSB1 after 2 attempts",
                "link meter1 DISCONNECTED",
                "link meter1 RECONNECTING attempt 1",
                "link meter1 CONNECTED via /dev/ttyUSB1 after 1 attempt");
    }

    @Test
    void tellsErrorsOnOneLineAndGivingUpAndTheEnd() {
        FakeConnection meter = new FakeConnection("meter1");
        meter.lastError = new IllegalStateException("no answer\n  to ping\r\nafter 7 s");
        log.onClose(meter, true);
        log.onError(meter, new IllegalStateException("not a state change"));
        log.onError(meter, new RetriesExhaustedException("maxNumOfAttempts reached", 3, meter.lastError));
        log.onEnd(meter);

        assertThat(lines).containsExactly(
                "link meter1 DISCONNECTED: no answer to ping after 7 s",
                "link meter1 OFFLINE: gave up after 3 attempts: maxNumOfAttempts reached",
                "link meter1 ENDED");
    }

    /** A connection whose last error and remote address the test sets. */
    private static final class FakeConnection implements ManagedConnection {

        private final String name;
        private Throwable lastError;
        private String remote;

        FakeConnection(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return "serial";
        }

        @Override
        public ConnectionState state() {
            return ConnectionState.CONNECTED;
        }

        @Override
        public Instant since() {
            return Instant.EPOCH;
        }

        @Override
        public long attempts() {
            return 0;
        }

        @Override
        public Optional<Throwable> lastError() {
            return Optional.ofNullable(lastError);
        }

        @Override
        public Optional<Object> client() {
            return Optional.empty();
        }

        @Override
        public Optional<Link> link() {
            if (remote == null) {
                return Optional.empty();
            }
            String where = remote;
            return Optional.of((Link) Proxy.newProxyInstance(Link.class.getClassLoader(), new Class<?>[] {Link.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("remote")) {
                            return where;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    }));
        }

        @Override
        public void reconnect() {}

        @Override
        public void end() {}
    }
}
