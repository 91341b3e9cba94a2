package io.connback.osgi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.ConnbackOptions;
import io.connback.ConnectionState;
import io.connback.Connector;
import io.connback.KeepaliveTimeoutException;
import io.connback.Subscription;
import io.connback.link.FrameListener;
import io.connback.link.Link;
import io.connback.osgi.LinkStatus;
import io.connback.testing.Await;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The status of one link and the log lines written from it: the counts agree everywhere (issue "conf/ you can
 * trust", item 6), and every DISCONNECTED says why (item 9).
 */
class LinkStatusTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** A link client whose frames the test pushes. */
    private static final class FakeLink implements Link {
        final List<FrameListener> listeners = new CopyOnWriteArrayList<>();
        final Connback<Object> owner;

        FakeLink(Connback<Object> owner) {
            this.owner = owner;
        }

        @Override
        public CompletionStage<Void> send(ByteBuffer data) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public String remote() {
            return "127.0.0.1:7001";
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public Subscription addFrameListener(FrameListener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }
    }

    /** A connector whose attempts the test completes, with links as clients. */
    private static final class ManualConnector implements Connector<Object> {
        final List<CompletableFuture<Object>> attempts = new CopyOnWriteArrayList<>();
        final List<Connback<Object>> connbacks = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Object> connect(Connback<Object> connback, CancellationToken token) {
            CompletableFuture<Object> attempt = new CompletableFuture<>();
            connbacks.add(connback);
            attempts.add(attempt);
            return attempt;
        }

        @Override
        public void close(Object client, boolean force) {}

        FakeLink succeed(int attempt) {
            FakeLink link = new FakeLink(connbacks.get(attempt));
            attempts.get(attempt).complete(link);
            return link;
        }

        void refuse(int attempt) {
            attempts.get(attempt).completeExceptionally(new ConnectException("Connection refused " + (attempt + 1)));
        }
    }

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final ManualConnector connector = new ManualConnector();
    private final ManagedLink link = new ManagedLink("meter1", "tcp", new CopyOnWriteArrayList<>(), lines::add);

    @AfterEach
    void end() throws Exception {
        link.shutdown("the test ends").toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void start(Map<String, ?> options) {
        link.connector().attach(connector);
        link.run(ConnbackOptions.fromMap(Map.of("initialDelay", "10ms", "maxDelay", "50ms", "jitter", "none",
                "stableAfter", "1h", "keepalive", "0")).toBuilder().apply(options).build());
    }

    @Test
    void eachAttemptLineCarriesItsOwnErrorAndTheConnectNamesTheAttemptThatConnected() {
        start(Map.of());
        attempt(0);
        connector.refuse(0);
        attempt(1);
        connector.refuse(1);
        attempt(2);
        connector.succeed(2);
        await(() -> link.state() == ConnectionState.CONNECTED);

        assertThat(lines).containsExactly(
                "link meter1 RECONNECTING attempt 1: Connection refused 1; next in 10 ms",
                "link meter1 RECONNECTING attempt 2: Connection refused 2; next in 10 ms",
                "link meter1 CONNECTED via 127.0.0.1:7001 after 3 attempts");
        LinkStatus status = link.status();
        assertThat(status.attempt()).isEqualTo(3);
        assertThat(status.failedAttempts()).isEqualTo(2);
        assertThat(status.connects()).isEqualTo(1);
        // kept after the reconnection, with its time
        assertThat(status.lastError()).contains("Connection refused 2");
        assertThat(status.lastErrorAt()).isPresent();
        assertThat(status.nextAttemptAt()).isEmpty();
    }

    @Test
    void whileWaitingTheStatusTellsWhenTheNextAttemptIsDue() {
        start(Map.of("initialDelay", "30s", "maxDelay", "60s"));
        attempt(0);
        Instant failed = Instant.now();
        connector.refuse(0);
        await(() -> link.status().nextAttemptAt().isPresent());

        LinkStatus status = link.status();
        assertThat(status.attempt()).isEqualTo(1);
        assertThat(status.state()).contains(ConnectionState.RECONNECTING);
        assertThat(status.nextAttemptAt().orElseThrow()).isBetween(failed.plusSeconds(29), failed.plusSeconds(31));
        assertThat(lines).containsExactly("link meter1 RECONNECTING attempt 1: Connection refused 1; next in 30.0 s");
    }

    @Test
    void givingUpComesAfterTheLineOfEveryAttempt() {
        start(Map.of("maxNumOfAttempts", "3"));
        for (int i = 0; i < 3; i++) {
            attempt(i);
            connector.refuse(i);
        }
        await(() -> link.state() == ConnectionState.OFFLINE);

        assertThat(lines).containsExactly(
                "link meter1 RECONNECTING attempt 1: Connection refused 1; next in 10 ms",
                "link meter1 RECONNECTING attempt 2: Connection refused 2; next in 10 ms",
                "link meter1 RECONNECTING attempt 3: Connection refused 3",
                "link meter1 OFFLINE: gave up after 3 attempts: maxNumOfAttempts (3) reached");
        assertThat(link.status().attempt()).isEqualTo(3);
    }

    @Test
    void aFlappingPeerKeepsCountingAndEveryConnectMovesSince() throws Exception {
        start(Map.of());
        attempt(0);
        FakeLink first = connector.succeed(0);
        await(() -> link.state() == ConnectionState.CONNECTED);
        Instant firstSince = link.since();
        Thread.sleep(5); // two connects must be told apart by their instants
        first.owner.feedClose(first, false);
        attempt(1);
        connector.succeed(1);
        await(() -> link.status().connects() == 2);

        assertThat(lines).containsExactly(
                "link meter1 CONNECTED via 127.0.0.1:7001",
                "link meter1 DISCONNECTED: peer closed",
                "link meter1 CONNECTED via 127.0.0.1:7001 after 2 attempts");
        assertThat(link.since()).isAfter(firstSince);
        assertThat(link.status().drops()).isEqualTo(1);
        assertThat(link.status().lastDisconnect()).contains("peer closed");
    }

    @Test
    void aChangeOfOptionsTellsTheDisconnectBeforeTheNextConnect() {
        start(Map.of());
        attempt(0);
        connector.succeed(0);
        await(() -> link.state() == ConnectionState.CONNECTED);

        link.run(ConnbackOptions.fromMap(Map.of("keepalive", "0", "initialDelay", "20ms", "maxDelay", "40ms")));
        attempt(1);
        connector.succeed(1);
        await(() -> link.status().connects() == 2);

        assertThat(lines).containsExactly(
                "link meter1 CONNECTED via 127.0.0.1:7001",
                "link meter1 DISCONNECTED: configuration changed",
                "link meter1 CONNECTED via 127.0.0.1:7001");
    }

    @Test
    void aKeepaliveOrAnErrorWhileConnectedIsTheReasonOfTheClose() {
        start(Map.of());
        attempt(0);
        FakeLink first = connector.succeed(0);
        await(() -> link.state() == ConnectionState.CONNECTED);
        first.owner.feedError(first, new KeepaliveTimeoutException(Duration.ofMillis(7003), Duration.ofSeconds(5)));
        attempt(1);
        FakeLink second = connector.succeed(1);
        await(() -> link.status().connects() == 2);
        second.owner.feedError(second, new java.io.IOException("read error 5"));
        await(() -> link.status().drops() == 2);

        assertThat(lines).contains("link meter1 DISCONNECTED: keepalive: no heartbeat for 7003 ms (keepalive 5000 ms)",
                "link meter1 DISCONNECTED: I/O error: read error 5");
    }

    @Test
    void aGatewayStopEndsTheLinkWithItsReason() throws Exception {
        start(Map.of());
        attempt(0);
        connector.succeed(0);
        await(() -> link.state() == ConnectionState.CONNECTED);

        link.shutdown("gateway stopping").toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(lines).containsExactly("link meter1 CONNECTED via 127.0.0.1:7001",
                "link meter1 DISCONNECTED: gateway stopping", "link meter1 ENDED");
    }

    @Test
    void framesAndBytesAreCountedEachWay() {
        start(Map.of());
        attempt(0);
        FakeLink client = connector.succeed(0);
        await(() -> link.state() == ConnectionState.CONNECTED);
        client.listeners.forEach(listener -> listener.onFrame(ByteBuffer.wrap(new byte[7]).asReadOnlyBuffer()));
        link.link().orElseThrow().send("PING\n".getBytes(StandardCharsets.US_ASCII));

        LinkStatus status = link.status();
        assertThat(status.framesIn()).isEqualTo(1);
        assertThat(status.bytesIn()).isEqualTo(7);
        assertThat(status.framesOut()).isEqualTo(1);
        assertThat(status.bytesOut()).isEqualTo(5);
    }

    @Test
    void theProblemsOfARefusedChangeShowInTheStatusOfTheLinkThatKeepsRunning() {
        start(Map.of());
        link.problems(List.of("conf/io.connback.tcp-meter1.cfg: port: invalid value 'abc': expected a whole number"
                + " from 1 to 65535"));
        assertThat(link.status().problems()).hasSize(1);
        link.problems(List.of());
        assertThat(link.status().problems()).isEmpty();
    }

    private void attempt(int index) {
        await(() -> connector.attempts.size() > index);
    }

    /** Waits for a condition, and for the link's deliveries (and so its lines) to be done. */
    private void await(BooleanSupplier condition) {
        Await.until("the condition", TIMEOUT, () -> condition.getAsBoolean() && link.isIdle());
    }
}
