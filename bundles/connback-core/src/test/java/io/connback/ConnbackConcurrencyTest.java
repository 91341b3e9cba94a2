package io.connback;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.FakeConnector.Client;
import io.connback.internal.SharedScheduler;
import io.connback.testing.Await;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real threads on the shared scheduler: races are provoked, not hoped absent. */
class ConnbackConcurrencyTest {

    private static ExecutorService completions;

    @BeforeAll
    static void startPool() {
        AtomicInteger count = new AtomicInteger();
        completions = Executors.newFixedThreadPool(4, task -> {
            Thread thread = new Thread(task, "test-completion-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @AfterAll
    static void stopPool() throws InterruptedException {
        completions.shutdownNow();
        assertThat(completions.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Completes connects on another thread after a random pause, ignores cancellation (so clients arrive late), and
     * records every client it hands out and every close.
     */
    private static final class AsyncConnector implements Connector<Client> {
        private final AtomicInteger ids = new AtomicInteger();
        private final Set<Client> created = ConcurrentHashMap.newKeySet();
        private final List<Client> closed = new ArrayList<>();
        private final AtomicInteger outstanding = new AtomicInteger();

        @Override
        public CompletionStage<Client> connect(Connback<Client> connback, CancellationToken token) {
            CompletableFuture<Client> future = new CompletableFuture<>();
            outstanding.incrementAndGet();
            completions.execute(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                try {
                    TimeUnit.MICROSECONDS.sleep(random.nextInt(300));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (random.nextInt(4) == 0) {
                    future.completeExceptionally(new ConnectException("refused"));
                } else {
                    Client client = new Client(ids.incrementAndGet());
                    created.add(client);
                    future.complete(client);
                }
                outstanding.decrementAndGet();
            });
            return future;
        }

        @Override
        public void close(Client client, boolean force) {
            synchronized (closed) {
                closed.add(client);
            }
        }

        @Override
        public void ping(Client client) {}

        List<Client> closed() {
            synchronized (closed) {
                return List.copyOf(closed);
            }
        }
    }

    @Test
    void hammeredFromManyThreadsEventsStaySerialNothingFollowsEndAndNoClientLeaks() throws Exception {
        AsyncConnector connector = new AsyncConnector();
        ConnbackOptions options = ConnbackOptions.builder().keepalive(Duration.ofMillis(40))
                .initialDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(5)).stableAfter(Duration.ZERO).build();
        List<Connback<Client>> connbacks = new ArrayList<>();
        List<EventLog> logs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            EventLog log = new EventLog();
            logs.add(log);
            connbacks.add(Connback.create(connector, options, log));
        }
        Thread[] hammers = new Thread[4];
        long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        for (int t = 0; t < hammers.length; t++) {
            hammers[t] = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < until) {
                    Connback<Client> connback = connbacks.get(random.nextInt(connbacks.size()));
                    switch (random.nextInt(5)) {
                        case 0 -> connback.feedClose(random.nextBoolean());
                        case 1 -> connback.feedError(new IOException("reset"));
                        case 2 -> connback.reconnect();
                        case 3 -> connback.feedHeartbeat();
                        default -> connback.reschedulePingTimer();
                    }
                    if (random.nextInt(64) == 0) {
                        Thread.yield();
                    }
                }
            }, "test-hammer-" + t);
            hammers[t].start();
        }
        for (Thread hammer : hammers) {
            hammer.join();
        }
        for (Connback<Client> connback : connbacks) {
            connback.end();
        }
        for (Connback<Client> connback : connbacks) {
            connback.whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        awaitTrue(() -> connector.outstanding.get() == 0, Duration.ofSeconds(10));
        // late clients are closed by the actor, right after their completion is processed
        awaitTrue(() -> connector.closed().size() >= connector.created.size(), Duration.ofSeconds(10));

        for (EventLog log : logs) {
            log.assertNoViolation();
            List<String> events = log.events();
            assertThat(events).last().isEqualTo("end");
            assertThat(log.count("end")).isEqualTo(1);
        }
        List<Client> closed = connector.closed();
        assertThat(new HashSet<>(closed)).as("every client handed out is closed").isEqualTo(connector.created);
        assertThat(closed).as("and closed once").doesNotHaveDuplicates();
        assertThat(connector.created.size()).as("the hammering really reconnected").isGreaterThan(100);
    }

    /**
     * While a listener runs, another thread uses every method of the Connback; the listener waits for it. Were any
     * lock of the Connback held around listeners, that thread would block and this test would time out.
     */
    @Test
    void listenersRunWithNoConnbackLockHeld() throws Exception {
        FakeConnector connector = new FakeConnector(FakeConnector.Outcome.SUCCEED);
        CompletableFuture<String> otherThread = new CompletableFuture<>();
        AtomicReference<Connback<Client>> self = new AtomicReference<>();
        CountDownLatch created = new CountDownLatch(1);
        ConnbackListener<Client> waitingListener = new ConnbackListener<>() {
            @Override
            public void onConnect(Client client) {
                try {
                    created.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Connback<Client> connback = self.get();
                Thread other = new Thread(() -> {
                    connback.state();
                    connback.client();
                    connback.feedHeartbeat();
                    connback.reschedulePingTimer();
                    connback.addListener(new ConnbackListener<>() {}).close();
                    connback.retryNow();
                    connback.feedError(new IOException("from another thread"));
                    otherThread.complete("done while the listener waited");
                });
                other.start();
                try {
                    otherThread.get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    otherThread.completeExceptionally(e);
                }
            }
        };
        Connback<Client> connback = Connback.create(connector, ConnbackOptions.defaults(), waitingListener);
        self.set(connback);
        created.countDown();
        try {
            assertThat(otherThread.get(20, TimeUnit.SECONDS)).isEqualTo("done while the listener waited");
        } finally {
            connback.end().whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void endFromManyThreadsAtOnceEndsOnce() throws Exception {
        FakeConnector connector = new FakeConnector(FakeConnector.Outcome.SUCCEED);
        EventLog log = new EventLog();
        Connback<Client> connback = Connback.create(connector, ConnbackOptions.defaults(), log);
        awaitTrue(connback::isConnected, Duration.ofSeconds(10));
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> enders = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread ender = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                connback.end();
            });
            ender.start();
            enders.add(ender);
        }
        go.countDown();
        for (Thread ender : enders) {
            ender.join();
        }
        connback.whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        awaitTrue(() -> !connback.isEnding(), Duration.ofSeconds(10));
        log.assertNoViolation();
        assertThat(log.events()).containsExactly("connect:1", "close:false", "end");
        assertThat(connector.closed()).containsExactly(new Client(1));
    }

    @Test
    void tenThousandIdleConnbacksWithKeepaliveAddAHandfulOfNamedThreads() throws Exception {
        int before = Thread.activeCount();
        Set<String> listenerThreads = ConcurrentHashMap.newKeySet();
        FakeConnector connector = new FakeConnector(FakeConnector.Outcome.SUCCEED);
        connector.answerPings();
        connector.declareNonBlocking(); // called on the shared workers: no connector thread, no hand-off per ping
        ConnbackOptions options = ConnbackOptions.builder().keepalive(Duration.ofSeconds(1)).build();
        List<Connback<Client>> connbacks = new ArrayList<>();
        AtomicInteger connected = new AtomicInteger();
        ConnbackListener<Client> counter = new ConnbackListener<>() {
            @Override
            public void onConnect(Client client) {
                listenerThreads.add(Thread.currentThread().getName().replaceAll("\\d+$", "N"));
                connected.incrementAndGet();
            }
        };
        for (int i = 0; i < 10_000; i++) {
            connbacks.add(Connback.create(connector, options, counter));
        }
        try {
            awaitTrue(() -> connected.get() == 10_000, Duration.ofSeconds(30));
            // at least two keepalive rounds: every link pinged and answered, none timed out
            awaitTrue(() -> connector.pingCount() >= 20_000, Duration.ofSeconds(30));
            int added = Thread.activeCount() - before;
            assertThat(added).isLessThanOrEqualTo(SharedScheduler.THREADS);
            assertThat(listenerThreads).containsExactly("connback-N");
            assertThat(connbacks).allMatch(Connback::isConnected);
            assertThat(connector.closed()).isEmpty();
        } finally {
            for (Connback<Client> connback : connbacks) {
                connback.end();
            }
        }
        for (Connback<Client> connback : connbacks) {
            connback.whenEnded().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        assertThat(connector.closed()).hasSize(10_000);
        // idle shared threads end by themselves: nothing of Connback stays running
        awaitTrue(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().startsWith("connback-")),
                Duration.ofSeconds(SharedScheduler.IDLE_TIMEOUT_SECONDS * 4));
    }

    private static void awaitTrue(BooleanSupplier condition, Duration limit) {
        Await.until("the condition", limit, condition);
    }
}
