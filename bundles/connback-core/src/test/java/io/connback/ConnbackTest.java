package io.connback;

import static io.connback.FakeConnector.Outcome.HANG;
import static io.connback.FakeConnector.Outcome.HANG_IGNORING_CANCEL;
import static io.connback.FakeConnector.Outcome.REFUSE;
import static io.connback.FakeConnector.Outcome.SUCCEED;
import static io.connback.FakeConnector.Outcome.THROW;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.FakeConnector.Client;
import io.connback.backoff.BackoffStrategy;
import io.connback.testing.VirtualScheduler;
import io.connback.backoff.Jitter;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The state machine, in virtual time: every timing below is exact and the suite runs in well under a second. */
class ConnbackTest {

    private final VirtualScheduler clock = new VirtualScheduler();
    private final EventLog log = new EventLog();

    @AfterEach
    void noViolation() {
        log.assertNoViolation();
    }

    /** Options on the virtual clock with seeded randomness and no jitter, so delays are exact. */
    private ConnbackOptions.Builder options() {
        return ConnbackOptions.builder().scheduler(clock).random(new SplittableRandom(7)).jitter(Jitter.none());
    }

    private Connback<Client> start(FakeConnector connector, ConnbackOptions.Builder options) {
        Connback<Client> connback = Connback.create(connector, options.build(), log);
        clock.runReady();
        return connback;
    }

    private Throwable lastError() {
        List<Throwable> errors = log.errors();
        return errors.get(errors.size() - 1);
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }

    @Nested
    class Connecting {
        @Test
        void isConnectingWhenCreateReturnsThenEmitsConnectWithTheClient() {
            Connback<Client> connback = Connback.create(new FakeConnector(SUCCEED), options().build(), log);
            assertThat(connback.isConnecting()).isTrue();
            assertThat(connback.state()).isEqualTo(ConnectionState.CONNECTING);
            clock.runReady();
            assertThat(log.events()).containsExactly("connect:1");
            assertThat(connback.isConnected()).isTrue();
            assertThat(connback.isConnecting()).isFalse();
            assertThat(connback.client()).contains(new Client(1));
        }

        @Test
        void aListenerGivenToCreateSeesTheVeryFirstEvent() {
            start(new FakeConnector(THROW), options());
            assertThat(log.events()).startsWith("error:IllegalStateException", "offline");
        }

        @Test
        void aRefusedAttemptEmitsTheConnectExceptionAndOfflineOnce() {
            FakeConnector connector = new FakeConnector(REFUSE);
            Connback<Client> connback = start(connector, options().initialDelay(seconds(1)));
            clock.advance(seconds(20));
            assertThat(connector.connectCount()).isGreaterThan(4);
            assertThat(log.errors()).first().isInstanceOf(ConnectException.class);
            assertThat(log.count("offline")).isEqualTo(1);
            assertThat(log.count("error:ConnectException")).isEqualTo(connector.connectCount());
            assertThat(log.count("reconnect")).isEqualTo(connector.connectCount() - 1);
            assertThat(connback.isReconnecting()).isTrue();
        }

        @Test
        void delayFirstAttemptWaitsTheInitialDelay() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().delayFirstAttempt(true).initialDelay(seconds(2)));
            assertThat(connback.isConnecting()).isTrue();
            clock.advance(seconds(1.999));
            assertThat(connector.connectCount()).isZero();
            clock.advance(seconds(0.001));
            assertThat(log.events()).containsExactly("connect:1");
        }

        @Test
        void aConnectorReturningNoStageIsAFailedAttempt() {
            Connector<Client> broken = new Connector<>() {
                @Override
                public CompletionStage<Client> connect(Connback<Client> c, CancellationToken t) {
                    return null;
                }

                @Override
                public void close(Client client, boolean force) {}
            };
            Connback.create(broken, options().build(), log);
            clock.runReady();
            assertThat(log.events()).startsWith("error:NullPointerException", "offline");
        }
    }

    @Nested
    class Closing {
        @Test
        void aFedCloseEmitsCloseAndOfflineAndIsConnectedTurnsFalse() {
            FakeConnector connector = new FakeConnector(SUCCEED).then(SUCCEED, HANG);
            Connback<Client> connback = start(connector, options().stableAfter(Duration.ZERO));
            connback.feedClose();
            clock.runReady();
            assertThat(connback.isConnected()).isFalse();
            assertThat(connback.isReconnecting()).isTrue();
            assertThat(connback.client()).isEmpty();
            assertThat(log.events()).containsExactly("connect:1", "close:false", "offline", "reconnect");
            assertThat(connector.closed()).containsExactly(new Client(1));
        }

        @Test
        void afterAStableConnectionTheFirstReconnectIsImmediate() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().stableAfter(seconds(10)).keepalive(Duration.ZERO));
            clock.advance(seconds(10));
            connback.feedClose(true);
            clock.runReady();
            assertThat(log.events()).containsExactly("connect:1", "close:true", "offline", "reconnect", "connect:2");
        }

        @Test
        void aCloseFedByTheConnectorBeforeItsStageIsHandledClosesThatClient() {
            // a fast I/O thread: the peer closes before connect() even returns its (completed) stage
            Connector<Client> racing = new Connector<>() {
                private int ids;

                @Override
                public CompletionStage<Client> connect(Connback<Client> c, CancellationToken t) {
                    CompletableFuture<Client> future =
                            CompletableFuture.completedFuture(new Client(++ids));
                    c.feedClose();
                    return future;
                }

                @Override
                public void close(Client client, boolean force) {}
            };
            Connback<Client> connback = Connback.create(racing,
                    options().keepalive(Duration.ZERO).stableAfter(seconds(60)).build(), log);
            clock.runReady();
            assertThat(log.events()).containsExactly("connect:1", "close:false", "offline");
            assertThat(connback.isReconnecting()).isTrue();
        }

        @Test
        void feedsNamingAReplacedClientAreIgnored() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().stableAfter(Duration.ZERO));
            Client first = connback.client().orElseThrow();
            connback.feedClose(first, true);
            clock.runReady();
            assertThat(connback.client()).contains(new Client(2));
            connback.feedError(first, new IOException("late error of the first client"));
            connback.feedClose(first, true);
            clock.runReady();
            assertThat(log.events()).containsExactly("connect:1", "close:true", "offline", "reconnect", "connect:2");
            connback.feedError(new Client(2), new IOException("an equal but not the same client"));
            clock.runReady();
            assertThat(connback.client()).contains(new Client(2));
            connback.feedError(connback.client().orElseThrow(), new IOException("reset"));
            clock.runReady();
            assertThat(log.events()).endsWith("connect:2", "error:IOException", "close:true", "offline", "reconnect",
                    "connect:3");
        }

        @Test
        void aCloseFedWhileNotConnectedChangesNothing() {
            FakeConnector connector = new FakeConnector(HANG);
            Connback<Client> connback = start(connector, options());
            connback.feedClose();
            connback.feedClose(true);
            clock.runReady();
            assertThat(log.events()).isEmpty();
            assertThat(connector.lastConnect().token().isCancellationRequested()).isFalse();
        }

        @Test
        void aFedErrorWhileNotConnectedIsOnlyReported() {
            FakeConnector connector = new FakeConnector(HANG);
            Connback<Client> connback = start(connector, options());
            connback.feedError(new IOException("noise"));
            clock.runReady();
            assertThat(log.events()).containsExactly("error:IOException");
            assertThat(connback.isConnecting()).isTrue();
        }
    }

    @Nested
    class Ending {
        @Test
        void endEmitsCloseThenEndExactlyOnceAndReturnsThis() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().keepalive(seconds(10)));
            assertThat(connback.end()).isSameAs(connback);
            assertThat(connback.isEnding()).isTrue();
            assertThat(connback.end()).isSameAs(connback);
            clock.runReady();
            assertThat(log.events()).containsExactly("connect:1", "close:false", "end");
            assertThat(connback.isEnded()).isTrue();
            assertThat(connback.isEnding()).isFalse();
            assertThat(connector.closed()).containsExactly(new Client(1));
            assertThat(connector.closeForces()).containsExactly(false);
            assertThat(connback.whenEnded().toCompletableFuture()).isCompleted();
        }

        @Test
        void endStopsAllPingingAndLeavesNoTimer() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().keepalive(seconds(10)));
            clock.advance(seconds(6));
            int pings = connector.pingCount();
            connback.end(true);
            clock.advance(Duration.ofMinutes(10));
            assertThat(connector.pingCount()).isEqualTo(pings);
            assertThat(clock.pendingTimers()).isZero();
            assertThat(connector.closeForces()).containsExactly(true);
        }

        @Test
        void endWorksOnAConnectionThatNeverSucceeded() {
            FakeConnector connector = new FakeConnector(REFUSE);
            Connback<Client> connback = start(connector, options());
            connback.end();
            clock.advance(Duration.ofMinutes(5));
            assertThat(log.events()).containsExactly("error:ConnectException", "offline", "end");
            assertThat(connector.connectCount()).isEqualTo(1);
            assertThat(connector.closed()).isEmpty();
            assertThat(connback.isEnded()).isTrue();
        }

        /** Seed fault (b): the seed emitted connect 200 ms after end and leaked the socket. */
        @Test
        void aClientArrivingAfterEndIsClosedThroughTheConnectorAndNeverReported() {
            FakeConnector connector = new FakeConnector(HANG_IGNORING_CANCEL);
            Connback<Client> connback = start(connector, options());
            FakeConnector.Call inFlight = connector.lastConnect();
            connback.end();
            clock.runReady();
            assertThat(inFlight.token().isCancellationRequested()).isTrue();
            Client late = connector.newClient();
            inFlight.future().complete(late);
            clock.advance(Duration.ofMinutes(1));
            assertThat(log.events()).containsExactly("end");
            assertThat(connector.closed()).containsExactly(late);
            assertThat(connback.client()).isEmpty();
        }

        /** Seed fault (e): a cancelled backoff still emitted events after end. */
        @Test
        void noEventAfterEndFromACancelledBackoff() {
            FakeConnector connector = new FakeConnector(REFUSE);
            Connback<Client> connback = start(connector, options().initialDelay(seconds(5)));
            clock.advance(seconds(2));
            connback.end();
            clock.advance(Duration.ofMinutes(5));
            assertThat(log.events()).containsExactly("error:ConnectException", "offline", "end");
            assertThat(connector.connectCount()).isEqualTo(1);
            assertThat(clock.pendingTimers()).isZero();
        }

        @Test
        void reconnectAfterEndStartsAgain() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options());
            connback.end();
            connback.reconnect();
            clock.runReady();
            assertThat(log.events()).containsExactly("connect:1", "close:false", "end", "reconnect", "connect:2");
            assertThat(connback.isConnected()).isTrue();
            assertThat(connback.whenEnded().toCompletableFuture()).isNotDone();
        }

        @Test
        void endAndReconnectFromInsideListenersDoNotDeadlock() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options());
            AtomicInteger restarts = new AtomicInteger();
            connback.onEnd(() -> {
                if (restarts.getAndIncrement() == 0) {
                    connback.reconnect();
                }
            });
            connback.onConnect(client -> connback.end());
            connback.feedClose();
            clock.advance(seconds(5));
            assertThat(log.events()).containsSubsequence("connect:2", "close:false", "end", "reconnect", "connect:3",
                    "close:false", "end");
            assertThat(connback.isEnded()).isTrue();
        }
    }

    @Nested
    class Keepalive {
        @Test
        void keepaliveAboveZeroPingsAfterAKeepaliveWithoutTraffic() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            connector.answerPings();
            start(connector, options().keepalive(seconds(10)));
            clock.advance(seconds(9.999));
            assertThat(connector.pingCount()).isZero();
            clock.advance(seconds(0.001));
            assertThat(connector.pingCount()).isEqualTo(1);
            clock.advance(Duration.ofMinutes(10));
            assertThat(connector.pingCount()).isEqualTo(61);
            assertThat(log.events()).containsExactly("connect:1");
        }

        @Test
        void keepaliveZeroNeverPingsNorTimesOut() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().keepalive(Duration.ZERO));
            clock.advance(Duration.ofHours(3));
            assertThat(connector.pingCount()).isZero();
            assertThat(connback.isConnected()).isTrue();
            assertThat(clock.pendingTimers()).isZero();
        }

        @Test
        void withoutHeartbeatTheLinkIsForceClosedAndReconnected() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().keepalive(seconds(10)).stableAfter(Duration.ZERO));
            clock.advance(seconds(13.999));
            assertThat(connector.pingCount()).as("pinged at 10 s, unanswered").isEqualTo(1);
            assertThat(log.events()).containsExactly("connect:1");
            clock.advance(seconds(0.001));
            assertThat(log.events()).containsExactly("connect:1", "error:KeepaliveTimeoutException", "close:true",
                    "offline", "reconnect", "connect:2");
            assertThat(connector.closed()).containsExactly(new Client(1));
            assertThat(connector.closeForces()).containsExactly(true);
            assertThat(connback.isConnected()).isTrue();
        }

        @Test
        void aHeartbeatKeepsTheLinkOpen() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().keepalive(seconds(10)));
            for (int i = 0; i < 100; i++) {
                clock.advance(seconds(4));
                connback.feedHeartbeat();
            }
            assertThat(log.events()).containsExactly("connect:1");
            assertThat(connector.pingCount()).isZero();
        }

        @Test
        void reschedulePingTimerDefersTheNextPing() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().keepalive(seconds(10)));
            clock.advance(seconds(8));
            connback.feedHeartbeat();
            clock.advance(seconds(1));
            connback.reschedulePingTimer();
            clock.advance(seconds(9.999));
            assertThat(connector.pingCount()).as("no ping at 18 s: data was sent at 9 s").isZero();
            clock.advance(seconds(0.001));
            assertThat(connector.pingCount()).isEqualTo(1);
            assertThat(log.events()).containsExactly("connect:1");
        }

        /** Sending steadily defers pings, but a peer that sends nothing back is pinged at 1.2 K all the same. */
        @Test
        void aLinkThatOnlySendsIsStillPingedAndKeptWhileThePeerAnswers() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            connector.answerPings();
            Connback<Client> connback = start(connector, options().keepalive(seconds(10)));
            for (int second = 1; second <= 11; second++) {
                clock.advance(seconds(1));
                connback.reschedulePingTimer();
            }
            assertThat(connector.pingCount()).isZero();
            clock.advance(seconds(1));
            assertThat(connector.pingCount()).as("pinged at 12 s though data went out every second").isEqualTo(1);
            for (int second = 13; second <= 120; second++) {
                clock.advance(seconds(1));
                connback.reschedulePingTimer();
            }
            assertThat(connector.pingCount()).as("one ping every 12 s").isEqualTo(10);
            assertThat(log.events()).containsExactly("connect:1");
        }

        @Test
        void aLinkThatOnlySendsToADeadPeerIsClosedAfterOnePointFourKeepalives() {
            FakeConnector connector = new FakeConnector(SUCCEED).then(SUCCEED, HANG);
            Connback<Client> connback = start(connector, options().keepalive(seconds(10)));
            for (int second = 1; second <= 13; second++) {
                clock.advance(seconds(1));
                connback.reschedulePingTimer();
            }
            assertThat(log.events()).containsExactly("connect:1");
            clock.advance(seconds(1));
            assertThat(log.events()).startsWith("connect:1", "error:KeepaliveTimeoutException", "close:true");
            assertThat(connector.pingCount()).isEqualTo(1);
        }

        @Test
        void withoutRescheduleThePingComesAKeepaliveAfterTheLastHeartbeat() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().keepalive(seconds(10)));
            clock.advance(seconds(8));
            connback.feedHeartbeat();
            clock.advance(seconds(9.999));
            assertThat(connector.pingCount()).isZero();
            clock.advance(seconds(0.001));
            assertThat(connector.pingCount()).isEqualTo(1);
        }

        @Test
        void aFailingPingIsReportedAndReconnects() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            connector.failPings(new IllegalStateException("write failed"));
            start(connector, options().keepalive(seconds(10)).stableAfter(Duration.ZERO));
            clock.advance(seconds(10));
            assertThat(log.events()).containsExactly("connect:1", "error:IllegalStateException", "close:true",
                    "offline", "reconnect", "connect:2");
        }

        /** The seed needs up to 2 x keepalive; ours closes a silent peer in [1, 1.5] x keepalive after its last sign. */
        @ParameterizedTest
        @ValueSource(doubles = {0.0, 0.1, 0.37, 0.5, 0.51, 0.9, 1.3, 2.71, 4.99})
        void aSilentPeerIsClosedWithinOneAndAHalfKeepalivesOfItsLastHeartbeat(double lastHeartbeatAt) {
            Duration keepalive = seconds(2);
            FakeConnector connector = new FakeConnector(SUCCEED).then(SUCCEED, HANG);
            Connback<Client> connback = start(connector, options().keepalive(keepalive));
            List<Long> closedAt = new ArrayList<>();
            connback.onClose(hasError -> closedAt.add(clock.nanoTime()));
            // a peer that answers until it falls silent
            long silentFrom = clock.nanoTime() + seconds(lastHeartbeatAt).toNanos();
            long lastHeartbeat = clock.nanoTime();
            while (clock.nanoTime() + Duration.ofMillis(100).toNanos() <= silentFrom) {
                clock.advance(Duration.ofMillis(100));
                connback.feedHeartbeat();
                lastHeartbeat = clock.nanoTime();
            }
            long heartbeat = lastHeartbeat;
            clock.advanceUntil(() -> !closedAt.isEmpty(), keepalive.multipliedBy(3));
            long detection = closedAt.get(0) - heartbeat;
            assertThat(detection).isBetween(keepalive.toNanos(), keepalive.toNanos() * 3 / 2);
        }

        /** Seed fault (a): after a keepalive timeout the seed ended itself for good. Ours reconnects, forever. */
        @Test
        void keepaliveTimeoutsReconnectForever() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector,
                    options().keepalive(seconds(1)).stableAfter(Duration.ZERO));
            clock.advance(Duration.ofMinutes(2));
            assertThat(log.count("error:KeepaliveTimeoutException")).as("one every 1.4 s").isEqualTo(85);
            assertThat(log.count("end")).isZero();
            assertThat(connback.isConnected()).isTrue();
        }
    }

    @Nested
    class Retrying {
        @Test
        void eachScheduledAttemptIsToldWithItsNumberFromTheLastStableConnectionAndItsDelay() {
            FakeConnector connector = new FakeConnector(REFUSE).then(REFUSE, SUCCEED);
            List<String> backoffs = new ArrayList<>();
            Connback<Client> connback = Connback.create(connector, options().initialDelay(seconds(1))
                    .maxDelay(seconds(30)).stableAfter(seconds(60)).build(), new ConnbackListener<Client>() {
                        @Override
                        public void onBackoff(long attempt, Duration delay) {
                            backoffs.add(attempt + ":" + delay.toMillis());
                        }
                    });
            clock.runReady();
            clock.advance(seconds(1));
            assertThat(connback.isConnected()).isTrue();
            connback.feedClose();
            clock.runReady();
            // attempt 1 refused, attempt 2 connected; the connection did not last stableAfter, so the count goes on,
            // with the fibonacci delays from 1 s (no jitter)
            assertThat(backoffs).containsExactly("1:0", "2:1000", "3:1000");
        }

        /** Seed fault (c): on connect timeout the seed emitted connect with no client and never retried. */
        @Test
        void aConnectTimeoutCancelsTheTokenAndIsAFailedAttempt() {
            FakeConnector connector = new FakeConnector(HANG).then(HANG, SUCCEED);
            Connback<Client> connback = start(connector,
                    options().connectTimeout(seconds(5)).initialDelay(seconds(1)));
            FakeConnector.Call first = connector.lastConnect();
            clock.advance(seconds(4.999));
            assertThat(log.events()).isEmpty();
            clock.advance(seconds(0.001));
            assertThat(first.token().isCancellationRequested()).isTrue();
            assertThat(log.events()).containsExactly("error:ConnectTimeoutException", "offline");
            clock.advance(seconds(1));
            assertThat(log.events()).endsWith("reconnect", "connect:1");
            assertThat(connback.client()).contains(new Client(1));
        }

        /** Seed fault (d): an error then a close of the same failure made the close cancel the reconnect. */
        @Test
        void anErrorFollowedByACloseOfTheSameFailureReconnectsExactlyOnce() {
            FakeConnector connector = new FakeConnector(SUCCEED).then(SUCCEED, HANG);
            Connback<Client> connback = start(connector, options().stableAfter(Duration.ZERO));
            connback.feedError(new IOException("Connection reset"));
            connback.feedClose(true);
            clock.runReady();
            assertThat(log.events()).containsExactly("connect:1", "error:IOException", "close:true", "offline",
                    "reconnect");
            FakeConnector.Call reconnecting = connector.lastConnect();
            assertThat(reconnecting.token().isCancellationRequested()).isFalse();
            reconnecting.future().complete(connector.newClient());
            clock.runReady();
            assertThat(log.events()).endsWith("reconnect", "connect:2");
            assertThat(connector.connectCount()).isEqualTo(2);
        }

        @Test
        void maxAttemptsStopsRetryingWithAnErrorThatSaysWhy() {
            FakeConnector connector = new FakeConnector(REFUSE);
            Connback<Client> connback = start(connector, options().maxAttempts(3));
            clock.advance(Duration.ofMinutes(5));
            assertThat(connector.connectCount()).isEqualTo(3);
            assertThat(connback.state()).isEqualTo(ConnectionState.OFFLINE);
            assertThat(lastError()).isInstanceOf(RetriesExhaustedException.class)
                    .hasMessageContaining("3 attempts").hasMessageContaining("maxNumOfAttempts");
            assertThat(clock.pendingTimers()).isZero();

            connector.setDefault(SUCCEED);
            connback.reconnect();
            clock.runReady();
            assertThat(log.events()).endsWith("reconnect", "connect:1");
        }

        @Test
        void theRetryPredicateCanStopEarly() {
            FakeConnector connector = new FakeConnector(REFUSE);
            List<Long> asked = new ArrayList<>();
            Connback<Client> connback = start(connector, options().retry((error, attempt) -> {
                asked.add(attempt);
                return attempt < 2;
            }));
            clock.advance(Duration.ofMinutes(5));
            assertThat(asked).containsExactly(1L, 2L);
            assertThat(connector.connectCount()).isEqualTo(2);
            assertThat(connback.state()).isEqualTo(ConnectionState.OFFLINE);
            assertThat(lastError()).isInstanceOf(RetriesExhaustedException.class)
                    .hasCauseInstanceOf(ConnectException.class);
        }

        @Test
        void fibonacciDelaysFromOneSecond() {
            FakeConnector connector = new FakeConnector(REFUSE);
            start(connector, options().maxAttempts(8));
            clock.advance(Duration.ofMinutes(2));
            assertThat(gapsInMillis(connector.connectTimes())).containsExactly(1000L, 1000L, 2000L, 3000L, 5000L,
                    8000L, 13000L);
        }

        @Test
        void exponentialDelaysCappedAtMaxDelay() {
            FakeConnector connector = new FakeConnector(REFUSE);
            start(connector, options().strategy(BackoffStrategy.exponential()).initialDelay(Duration.ofMillis(100))
                    .maxDelay(Duration.ofMillis(1000)).maxAttempts(8));
            clock.advance(Duration.ofMinutes(1));
            assertThat(gapsInMillis(connector.connectTimes())).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L,
                    1000L);
        }

        @Test
        void aCustomStrategyDecidesTheDelays() {
            FakeConnector connector = new FakeConnector(REFUSE);
            List<Duration> initialDelays = new ArrayList<>();
            BackoffStrategy constant = parameters -> {
                initialDelays.add(parameters.initialDelay());
                return random -> Duration.ofSeconds(7);
            };
            start(connector, options().strategy(constant).initialDelay(seconds(2)).maxAttempts(4));
            clock.advance(Duration.ofMinutes(1));
            assertThat(gapsInMillis(connector.connectTimes())).containsExactly(7000L, 7000L, 7000L);
            assertThat(initialDelays).containsExactly(seconds(2));
        }

        @Test
        void fullJitterKeepsEveryDelayWithinTheStrategysDelay() {
            FakeConnector connector = new FakeConnector(REFUSE);
            start(connector, options().jitter(Jitter.full()).maxAttempts(8));
            clock.advance(Duration.ofMinutes(2));
            List<Long> gaps = gapsInMillis(connector.connectTimes());
            long[] ceilings = {1000, 1000, 2000, 3000, 5000, 8000, 13000};
            assertThat(gaps).hasSize(7);
            for (int i = 0; i < gaps.size(); i++) {
                assertThat(gaps.get(i)).isBetween(0L, ceilings[i]);
            }
        }

        /** The seed made 23,808 attempts in 3 s against a peer that accepts and drops at once. */
        @Test
        void aPeerThatAcceptsAndDropsAtOnceIsRetriedWithGrowingDelays() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = Connback.create(connector, options().build(), log);
            connback.onConnect(client -> connback.feedClose());
            clock.advance(seconds(3));
            assertThat(connector.connectCount()).isLessThanOrEqualTo(4);
            clock.advance(Duration.ofMinutes(5));
            List<Long> gaps = gapsInMillis(connector.connectTimes());
            assertThat(gaps).isSortedAccordingTo(Long::compare);
            assertThat(gaps.get(gaps.size() - 1)).isEqualTo(30_000L);
        }

        @Test
        void aStableConnectionResetsTheBackoff() {
            FakeConnector connector = new FakeConnector(REFUSE).then(REFUSE, REFUSE, REFUSE, SUCCEED);
            Connback<Client> connback = start(connector, options().stableAfter(seconds(10)).keepalive(Duration.ZERO));
            clock.advanceUntil(connback::isConnected, Duration.ofMinutes(1));
            clock.advance(seconds(10));
            connector.setDefault(SUCCEED);
            long before = clock.nanoTime();
            connback.feedClose();
            clock.runReady();
            assertThat(connback.isConnected()).isTrue();
            assertThat(connector.connectTimes()).last().isEqualTo(before);
        }

        @Test
        void reconnectCutsABackoffWaitShort() {
            FakeConnector connector = new FakeConnector(REFUSE);
            Connback<Client> connback = start(connector,
                    options().initialDelay(seconds(30)).maxDelay(seconds(60)).keepalive(Duration.ZERO));
            clock.advance(seconds(1));
            connector.setDefault(SUCCEED);
            connback.reconnect();
            clock.runReady();
            assertThat(log.events()).containsExactly("error:ConnectException", "offline", "reconnect", "connect:1");
            assertThat(clock.pendingTimers()).isZero();
        }

        @Test
        void retryNowCutsABackoffWaitShortAndDoesNothingOtherwise() {
            FakeConnector connector = new FakeConnector(SUCCEED).then(SUCCEED, HANG);
            Connback<Client> connback = start(connector,
                    options().initialDelay(seconds(30)).maxDelay(seconds(60)).keepalive(Duration.ZERO));
            connback.retryNow();
            clock.runReady();
            assertThat(log.events()).as("connected: nothing to cut short").containsExactly("connect:1");
            connback.feedClose();
            clock.runReady();
            connback.retryNow();
            clock.runReady();
            assertThat(connector.connectCount()).as("an attempt in flight: nothing to cut short").isEqualTo(2);
            connector.lastConnect().future().completeExceptionally(new ConnectException("device gone"));
            clock.runReady();
            assertThat(log.events()).endsWith("reconnect", "error:ConnectException");
            connector.setDefault(SUCCEED);
            clock.advance(seconds(1));
            connback.retryNow();
            clock.runReady();
            assertThat(log.events()).endsWith("error:ConnectException", "reconnect", "connect:2");
            assertThat(clock.pendingTimers()).isZero();
        }

        @Test
        void reconnectWhileConnectedClosesGracefullyFirst() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().keepalive(Duration.ZERO));
            connback.reconnect();
            clock.runReady();
            assertThat(log.events()).containsExactly("connect:1", "close:false", "offline", "reconnect", "connect:2");
            assertThat(connector.closeForces()).containsExactly(false);
        }

        @Test
        void aCancelledReconnectTokenFailsTheAttempt() {
            FakeConnector connector = new FakeConnector(REFUSE).then(REFUSE, HANG_IGNORING_CANCEL);
            Connback<Client> connback = start(connector, options().initialDelay(seconds(30)).maxDelay(seconds(60)));
            CancellationTokenSource source = new CancellationTokenSource();
            connback.reconnect(source.token());
            clock.runReady();
            source.cancel();
            clock.runReady();
            assertThat(connector.lastConnect().token().isCancellationRequested()).isTrue();
            assertThat(log.errors()).last().isInstanceOf(CancellationException.class);
            assertThat(connback.isReconnecting()).isTrue();
        }

        private List<Long> gapsInMillis(List<Long> times) {
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < times.size(); i++) {
                gaps.add(Duration.ofNanos(times.get(i) - times.get(i - 1)).toMillis());
            }
            return gaps;
        }
    }

    @Nested
    class Listeners {
        @Test
        void aThrowingListenerStopsNeitherTheOthersNorTheStateMachine() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = Connback.create(connector, options().stableAfter(Duration.ZERO).build(),
                    new ConnbackListener<Client>() {
                        @Override
                        public void onConnect(Client client) {
                            throw new IllegalStateException("listener bug");
                        }
                    });
            connback.addListener(log);
            clock.runReady();
            connback.feedClose();
            clock.runReady();
            assertThat(log.events()).containsExactly("connect:1", "close:false", "offline", "reconnect", "connect:2");
        }

        @Test
        void closingASubscriptionTwiceRemovesOneRegistrationOnly() {
            FakeConnector connector = new FakeConnector(SUCCEED);
            Connback<Client> connback = start(connector, options().stableAfter(Duration.ZERO));
            List<String> seen = new ArrayList<>();
            Runnable counter = () -> seen.add("reconnect");
            Subscription first = connback.onReconnect(counter);
            connback.onReconnect(counter);
            first.close();
            first.close();
            connback.feedClose();
            clock.runReady();
            assertThat(seen).containsExactly("reconnect");
        }

        @Test
        void typedCallbacksReceiveTheirEvents() {
            FakeConnector connector = new FakeConnector(SUCCEED).then(SUCCEED, REFUSE);
            Connback<Client> connback = Connback.create(connector, options().stableAfter(Duration.ZERO).build());
            List<String> seen = new ArrayList<>();
            connback.onConnect(client -> seen.add("connect:" + client.id()));
            connback.onClose(hasError -> seen.add("close:" + hasError));
            connback.onOffline(() -> seen.add("offline"));
            connback.onReconnect(() -> seen.add("reconnect"));
            connback.onError(error -> seen.add("error:" + error.getClass().getSimpleName()));
            connback.onEnd(() -> seen.add("end"));
            clock.runReady();
            connback.feedClose(true);
            clock.runReady();
            connback.end();
            clock.runReady();
            assertThat(seen).containsExactly("connect:1", "close:true", "offline", "reconnect",
                    "error:ConnectException", "end");
        }
    }
}
