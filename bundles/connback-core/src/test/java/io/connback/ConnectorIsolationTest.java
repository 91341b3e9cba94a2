package io.connback;

import static io.connback.FakeConnector.Outcome.SUCCEED;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.FakeConnector.Client;
import io.connback.backoff.Jitter;
import io.connback.testing.Await;
import io.connback.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A connector whose calls block holds up its own Connback's calls only: the actor never waits for them. In virtual
 * time, a blocked call is a task that the connector executor holds and does not run.
 */
class ConnectorIsolationTest {

    /** Runs the connector's calls only when the test lets them: a call held is a call that blocks. */
    static final class HeldCalls implements Executor {
        private final Deque<Runnable> held = new ArrayDeque<>();
        private boolean holding;

        @Override
        public synchronized void execute(Runnable call) {
            if (holding) {
                held.add(call);
                return;
            }
            call.run();
        }

        synchronized void hold() {
            holding = true;
        }

        /** The blocked call returns: it and the calls queued behind it run now. */
        void release() {
            List<Runnable> calls;
            synchronized (this) {
                holding = false;
                calls = new ArrayList<>(held);
                held.clear();
            }
            calls.forEach(Runnable::run);
        }

        synchronized int waiting() {
            return held.size();
        }
    }

    @Nested
    class InVirtualTime {
        private final VirtualScheduler clock = new VirtualScheduler();
        private final EventLog log = new EventLog();
        private final HeldCalls calls = new HeldCalls();

        @AfterEach
        void noViolation() {
            log.assertNoViolation();
        }

        private Connback<Client> start(FakeConnector connector, ConnbackOptions.Builder options) {
            Connback<Client> connback = Connback.create(connector, options.scheduler(clock).connectorExecutor(calls)
                    .random(new SplittableRandom(7)).jitter(Jitter.none()).build(), log);
            clock.runReady();
            return connback;
        }

        @Test
        void a_connect_that_blocks_still_times_out_and_the_retries_wait_behind_it() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            calls.hold();
            Connback<Client> connback = start(connector, ConnbackOptions.builder()
                    .connectTimeout(Duration.ofSeconds(5)).initialDelay(Duration.ofSeconds(1)));

            clock.advance(Duration.ofMillis(4999));
            assertThat(log.events()).isEmpty();
            clock.advance(Duration.ofMillis(1));
            assertThat(log.events()).containsExactly("error:ConnectTimeoutException", "offline");
            assertThat(connback.state()).isEqualTo(ConnectionState.RECONNECTING);

            clock.advance(Duration.ofSeconds(1)); // the retry's connect queues behind the blocked one
            assertThat(log.events()).endsWith("reconnect");
            assertThat(connector.connectCount()).isZero();

            calls.release(); // the first connect returns: its attempt was abandoned, only the retry's runs
            clock.runReady();
            assertThat(connector.connectCount()).isEqualTo(1);
            assertThat(log.events()).last().isEqualTo("connect:1");
        }

        @Test
        void end_ends_at_once_while_a_connect_blocks_and_when_ended_waits_one_second_at_most() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            calls.hold();
            Connback<Client> connback = start(connector, ConnbackOptions.builder());

            connback.end();
            clock.runReady();
            assertThat(connback.state()).isEqualTo(ConnectionState.ENDED);
            assertThat(log.events()).containsExactly("end");
            CompletableFuture<Void> ended = connback.whenEnded().toCompletableFuture();
            clock.advance(Duration.ofMillis(999));
            assertThat(ended).isNotDone();
            clock.advance(Duration.ofMillis(1));
            assertThat(ended).isDone();

            calls.release();
            clock.runReady();
            assertThat(connector.connectCount()).as("the abandoned attempt's connect is skipped").isZero();
        }

        @Test
        void a_close_that_blocks_does_not_hold_up_the_end_and_when_ended_waits_for_a_close_that_returns() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, ConnbackOptions.builder());
            assertThat(connback.isConnected()).isTrue();
            calls.hold();

            connback.end();
            clock.runReady();
            assertThat(connback.state()).isEqualTo(ConnectionState.ENDED);
            assertThat(log.events()).containsExactly("connect:1", "close:false", "end");
            CompletableFuture<Void> ended = connback.whenEnded().toCompletableFuture();
            clock.advance(Duration.ofMillis(300));
            assertThat(ended).isNotDone();

            calls.release(); // the close returns after 300 ms: the ending's stage completes with it
            assertThat(ended).isDone();
            assertThat(connector.closed()).containsExactly(new Client(1));
        }

        @Test
        void a_ping_that_blocks_lets_the_keepalive_close_the_dead_link_and_reconnect_behind_it() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, ConnbackOptions.builder()
                    .keepalive(Duration.ofSeconds(10)).initialDelay(Duration.ofMillis(100)));
            calls.hold();

            clock.advance(Duration.ofSeconds(10)); // the ping blocks: no answer comes
            assertThat(calls.waiting()).isEqualTo(1);
            clock.advance(Duration.ofSeconds(4));
            assertThat(log.events()).containsExactly("connect:1", "error:KeepaliveTimeoutException", "close:true",
                    "offline", "reconnect");
            assertThat(connback.state()).isEqualTo(ConnectionState.RECONNECTING);

            calls.release(); // ping, close and the new connect run in order
            clock.runReady();
            assertThat(connector.pingCount()).isEqualTo(1);
            assertThat(connector.closed()).containsExactly(new Client(1));
            assertThat(log.events()).last().isEqualTo("connect:2");
        }

        @Test
        void what_the_connector_feeds_during_connect_reaches_the_connback_after_the_connect() {
            FakeConnector connector = new FakeConnector(SUCCEED) {
                @Override
                public CompletionStage<Client> connect(Connback<Client> connback, CancellationToken token) {
                    CompletionStage<Client> connected = super.connect(connback, token);
                    Client client = connected.toCompletableFuture().join();
                    connback.feedClose(client, true); // the device hung up at once
                    return connected;
                }
            };
            start(connector, ConnbackOptions.builder().initialDelay(Duration.ofSeconds(1)));

            assertThat(log.events()).startsWith("connect:1", "close:true", "offline");
        }
    }

    /** In real time, on the shared scheduler and the shared connector threads. */
    @Nested
    class InRealTime {
        private final List<Connback<Client>> connbacks = new ArrayList<>();
        private final CountDownLatch unblock = new CountDownLatch(1);

        @AfterEach
        void endAll() throws Exception {
            unblock.countDown();
            for (Connback<Client> connback : connbacks) {
                connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }

        @Test
        void connectors_that_block_in_connect_and_close_hold_up_neither_the_others_nor_their_timeout_nor_end()
                throws Exception {
            EventLog blockedLog = new EventLog();
            FakeConnector blocking = new FakeConnector(SUCCEED) {
                @Override
                public CompletionStage<Client> connect(Connback<Client> connback, CancellationToken token) {
                    awaitUnblock();
                    return super.connect(connback, token);
                }
            };
            // more blocked connects than the shared scheduler has threads
            List<Connback<Client>> blocked = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                blocked.add(Connback.create(blocking, ConnbackOptions.builder().keepalive(Duration.ZERO)
                        .connectTimeout(Duration.ofMillis(300)).initialDelay(Duration.ofSeconds(5)).build(),
                        i == 0 ? blockedLog : new EventLog()));
            }
            connbacks.addAll(blocked);
            FakeConnector hangingClose = new FakeConnector(SUCCEED) {
                @Override
                public void close(Client client, boolean force) {
                    awaitUnblock();
                    super.close(client, force);
                }
            };
            Connback<Client> closing = Connback.create(hangingClose, ConnbackOptions.builder()
                    .keepalive(Duration.ZERO).build());
            connbacks.add(closing);

            FakeConnector healthy = new FakeConnector(SUCCEED);
            healthy.answerPings();
            List<Connback<Client>> others = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                others.add(Connback.create(healthy, ConnbackOptions.builder().keepalive(Duration.ofMillis(100))
                        .build()));
            }
            connbacks.addAll(others);

            Await.until("the healthy links connected", Duration.ofSeconds(10),
                    () -> others.stream().allMatch(Connback::isConnected));
            Await.until("pings answered while 8 connects block", Duration.ofSeconds(10),
                    () -> healthy.pingCount() >= 50);
            assertThat(others).allMatch(Connback::isConnected);
            Await.until("the connect timeout of a blocked connect", Duration.ofSeconds(10),
                    () -> blockedLog.events().contains("error:ConnectTimeoutException"));
            assertThat(healthy.closed()).as("healthy links closed").isEmpty();

            long start = System.nanoTime();
            blocked.get(0).end();
            blocked.get(0).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Duration blockedEnd = Duration.ofNanos(System.nanoTime() - start);
            assertThat(blocked.get(0).state()).isEqualTo(ConnectionState.ENDED);

            Await.until("the link with a hanging close connected", Duration.ofSeconds(10), closing::isConnected);
            start = System.nanoTime();
            closing.end();
            closing.whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Duration closingEnd = Duration.ofNanos(System.nanoTime() - start);

            assertThat(blockedEnd).as("end() of a Connback whose connect blocks").isLessThan(Duration.ofMillis(1500));
            assertThat(closingEnd).as("end() of a Connback whose close blocks").isLessThan(Duration.ofMillis(1500));
            assertThat(others).allMatch(Connback::isConnected);
        }

        private void awaitUnblock() {
            try {
                unblock.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
