package io.connback.osgi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.ConnbackOptions;
import io.connback.ConnectionState;
import io.connback.Connector;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.ManagedConnection;
import io.connback.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The replay of a link's state to a listener that joins while it runs, in order with the link's events. */
class ManagedLinkTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** A connector whose attempts complete when the test says so. */
    private static final class ManualConnector implements Connector<Object> {
        final List<CompletableFuture<Object>> attempts = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Object> connect(Connback<Object> connback, CancellationToken token) {
            CompletableFuture<Object> attempt = new CompletableFuture<>();
            attempts.add(attempt);
            return attempt;
        }

        @Override
        public void close(Object client, boolean force) {}
    }

    /** Records events as {@code event@thread}. */
    private static class Recorder implements ConnectionListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onConnect(ManagedConnection connection) {
            events.add("connect@" + Thread.currentThread().getName());
        }

        @Override
        public void onClose(ManagedConnection connection, boolean hasError) {
            events.add("close@" + Thread.currentThread().getName());
        }

        @Override
        public void onEnd(ManagedConnection connection) {
            events.add("end@" + Thread.currentThread().getName());
        }
    }

    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final ManualConnector connector = new ManualConnector();
    private final ManagedLink link = new ManagedLink("meter1", "tcp", watchers, line -> { });

    @AfterEach
    void end() throws Exception {
        link.shutdown("the test ends").toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void aListenerJoiningAConnectedLinkGetsOneConnectAtOnceOnItsOwnThreadThenTheEvents() throws Exception {
        link.connector().attach(connector);
        link.run(ConnbackOptions.fromMap(Map.of()));
        await(() -> connector.attempts.size() == 1);
        connector.attempts.get(0).complete("client");
        await(() -> link.state() == ConnectionState.CONNECTED && link.isIdle());

        Recorder late = new Recorder();
        join(late);
        assertThat(late.events).containsExactly("connect@" + Thread.currentThread().getName());

        link.reconnect();
        await(() -> connector.attempts.size() == 2);
        connector.attempts.get(1).complete("client 2");
        await(() -> late.events.size() == 3);
        assertThat(late.events).map(event -> event.substring(0, event.indexOf('@')))
                .containsExactly("connect", "close", "connect");
    }

    @Test
    void aListenerJoiningWhileAnEventIsDeliveredGetsItsReplayRightAfterThatEventOnItsThread() throws Exception {
        CountDownLatch delivering = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Recorder blocking = new Recorder() {
            @Override
            public void onConnect(ManagedConnection connection) {
                super.onConnect(connection);
                delivering.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        watchers.add(Watcher.of(blocking, Map.of()));
        link.connector().attach(connector);
        link.run(ConnbackOptions.fromMap(Map.of()));
        await(() -> connector.attempts.size() == 1);
        connector.attempts.get(0).complete("client");
        assertThat(delivering.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        // the connect is being delivered: the joining listener neither gets it nor waits for it
        Recorder late = new Recorder();
        join(late);
        assertThat(late.events).isEmpty();
        release.countDown();

        await(() -> late.events.size() == 1);
        String deliveringThread = blocking.events.get(0).substring("connect@".length());
        assertThat(late.events).containsExactly("connect@" + deliveringThread);
        assertThat(deliveringThread).isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void aListenerJoiningALinkNotYetConnectedGetsNoReplayAndThenItsConnect() throws Exception {
        link.connector().attach(connector);
        link.run(ConnbackOptions.fromMap(Map.of()));
        await(() -> connector.attempts.size() == 1);

        Recorder early = new Recorder();
        join(early);
        assertThat(early.events).isEmpty();

        connector.attempts.get(0).complete("client");
        await(() -> early.events.size() == 1);
        link.shutdown("the test ends").toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(early.events).map(event -> event.substring(0, event.indexOf('@')))
                .containsExactly("connect", "close", "end");
    }

    /** What the manager does for a listener registered while the link runs. */
    private void join(ConnectionListener listener) {
        Watcher watcher = Watcher.of(listener, Map.of());
        link.join(watcher);
        watchers.add(watcher);
        link.replayTo(watcher);
    }

    private static void await(BooleanSupplier condition) {
        Await.until("the condition", TIMEOUT, condition);
    }
}
