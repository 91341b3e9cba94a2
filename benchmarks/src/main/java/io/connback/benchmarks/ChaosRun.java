package io.connback.benchmarks;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.Connector;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The chaos suite of issue 12: {@code --connbacks N} (500) Connbacks over a connector that misbehaves at random for
 * {@code --seconds S} (60): connects that succeed late, hang (honouring the cancellation or not), fail or throw;
 * closes that throw or block; pings that throw; listeners that throw; and {@code --threads N} (4) threads that call
 * {@code end()} and {@code reconnect()} on random Connbacks. It fails (exit status 1) on a deadlock (a watchdog dumps
 * the threads), on a Connback with two live clients (one reported by {@code onConnect} and not yet closed when the next
 * is), on an event after {@code end} and on an {@code end()} whose stage does not complete within 5 s (unless a
 * {@code reconnect()} came after it).
 */
public final class ChaosRun {

    private static final Duration END_BOUND = Duration.ofSeconds(5);
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.connback");

    private final int connbackCount;
    private final Duration runFor;
    private final int threads;
    private final ScheduledExecutorService late = Executors.newScheduledThreadPool(2, task -> {
        Thread thread = new Thread(task, "chaos-late-connects");
        thread.setDaemon(true);
        return thread;
    });
    private final List<String> violations = new ArrayList<>();
    private final LongAdder connects = new LongAdder();
    private final LongAdder ends = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder endsAwaited = new LongAdder();
    private final AtomicLong slowestEndNanos = new AtomicLong();

    private ChaosRun(int connbackCount, Duration runFor, int threads) {
        this.connbackCount = connbackCount;
        this.runFor = runFor;
        this.threads = threads;
    }

    /**
     * Runs it.
     *
     * @param args the options above
     * @throws Exception if the run cannot complete
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args, List.of("--connbacks", "--seconds", "--threads"));
        // the failures it provokes are logged at WARNING, thousands of them: only worse is shown
        QUIET.setLevel(java.util.logging.Level.SEVERE);
        ChaosRun run = new ChaosRun(options.positive("--connbacks", 500),
                Duration.ofSeconds(options.positive("--seconds", 60)), options.positive("--threads", 4));
        System.exit(run.run() ? 0 : 1);
    }

    private synchronized void violation(String what) {
        if (violations.size() < 20) {
            violations.add(what);
        }
    }

    private boolean run() throws Exception {
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < connbackCount; i++) {
            links.add(new Link(i));
        }
        Thread watchdog = startDeadlockWatchdog();
        List<Thread> callers = new ArrayList<>();
        long end = System.nanoTime() + runFor.toNanos();
        for (int t = 0; t < threads; t++) {
            Thread caller = new Thread(() -> callAtRandom(links, end), "chaos-caller-" + t);
            caller.start();
            callers.add(caller);
        }
        for (Thread caller : callers) {
            caller.join();
        }
        long start = System.nanoTime();
        List<CompletableFuture<Void>> endings = new ArrayList<>();
        for (Link link : links) {
            endings.add(link.connback.end(true).whenEnded().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(endings.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            long open = endings.stream().filter(f -> !f.isDone()).count();
            violation(open + " of " + connbackCount + " Connbacks not ended 30 s after the last end()");
        }
        double allEndedSeconds = (System.nanoTime() - start) / 1e9;
        watchdog.interrupt();
        late.shutdownNow();

        System.out.printf(Locale.ROOT, "# %d Connbacks, %d s of chaos, %d calling threads; machine load average %s%n",
                connbackCount, runFor.toSeconds(), threads, ProcessStats.loadAverage());
        System.out.printf(Locale.ROOT, "RESULT chaos-calls      %d connects, %d end() and %d reconnect() calls from "
                + "%d threads%n", connects.sum(), ends.sum(), reconnects.sum(), threads);
        System.out.printf(Locale.ROOT, "RESULT chaos-ends       %d end() stages awaited, slowest %.0f ms (bound %d s); "
                + "all %d ended %.2f s after the last end()%n", endsAwaited.sum(), slowestEndNanos.get() / 1e6,
                END_BOUND.toSeconds(), connbackCount, allEndedSeconds);
        synchronized (this) {
            System.out.println("RESULT chaos-violations " + (violations.isEmpty() ? "none" : violations));
            return violations.isEmpty();
        }
    }

    private void callAtRandom(List<Link> links, long end) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (System.nanoTime() < end) {
            Link link = links.get(random.nextInt(links.size()));
            if (random.nextBoolean()) {
                ends.increment();
                long endCall = link.endCalls.incrementAndGet();
                long start = System.nanoTime();
                link.connback.end(random.nextBoolean()).whenEnded().whenComplete((ok, error) -> {
                    long took = System.nanoTime() - start;
                    endsAwaited.increment();
                    slowestEndNanos.accumulateAndGet(took, Math::max);
                });
                late.schedule(() -> {
                    if (link.connback.state() != io.connback.ConnectionState.ENDED && link.endCalls.get() == endCall
                            && link.reconnectsAfter(endCall) == 0) {
                        violation(link + ": not ended " + END_BOUND.toSeconds() + " s after end()");
                    }
                }, END_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                reconnects.increment();
                link.reconnectedAfterEndCall.put(link.endCalls.get(), Boolean.TRUE);
                link.connback.reconnect();
            }
            try {
                Thread.sleep(0, random.nextInt(200_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Thread startDeadlockWatchdog() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Thread watchdog = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long[] deadlocked = mx.findDeadlockedThreads();
                if (deadlocked != null) {
                    StringBuilder dump = new StringBuilder("deadlock:\n");
                    for (ThreadInfo info : mx.dumpAllThreads(true, true)) {
                        dump.append(info);
                    }
                    System.out.println(dump);
                    violation("deadlock of " + deadlocked.length + " threads (dumped above)");
                    return;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "chaos-deadlock-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        return watchdog;
    }

    /** A client of the chaos connector. */
    private record Client(int link, long id) {}

    /** One Connback, its connector and the invariants it must keep. */
    private final class Link implements Connector<Client>, ConnbackListener<Client> {
        final int index;
        final Connback<Client> connback;
        final AtomicLong endCalls = new AtomicLong();
        final Map<Long, Boolean> reconnectedAfterEndCall = new ConcurrentHashMap<>();
        private final AtomicLong clients = new AtomicLong();
        private final Map<Client, Boolean> open = new ConcurrentHashMap<>();
        private volatile Client reported;
        private final AtomicInteger insideEvent = new AtomicInteger();
        private boolean ended; // guarded by this

        Link(int index) {
            this.index = index;
            this.connback = Connback.create(this, ConnbackOptions.builder().keepalive(Duration.ofMillis(200))
                    .connectTimeout(Duration.ofMillis(300)).initialDelay(Duration.ofMillis(5))
                    .maxDelay(Duration.ofMillis(100)).stableAfter(Duration.ZERO).build(), this);
        }

        long reconnectsAfter(long endCall) {
            return reconnectedAfterEndCall.containsKey(endCall) ? 1 : 0;
        }

        // ---- the connector

        @Override
        public CompletionStage<Client> connect(Connback<Client> caller, CancellationToken token) {
            connects.increment();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Client client = new Client(index, clients.incrementAndGet());
            CompletableFuture<Client> stage = new CompletableFuture<>();
            int roll = random.nextInt(100);
            if (roll < 50) {
                late.schedule(() -> complete(stage, client), random.nextInt(5), TimeUnit.MILLISECONDS);
            } else if (roll < 60) {
                token.onCancellationRequested(() -> stage.completeExceptionally(new TimeoutException("hung")));
            } else if (roll < 65) {
                // hangs and ignores the cancellation: the client arrives late, and must be closed unseen
                late.schedule(() -> complete(stage, client), 400 + random.nextInt(200), TimeUnit.MILLISECONDS);
            } else if (roll < 75) {
                stage.completeExceptionally(new java.io.IOException("refused"));
            } else if (roll < 80) {
                throw new IllegalStateException("connect blew up");
            } else if (roll < 83) {
                sleep(random.nextInt(50)); // blocks the caller a while
                complete(stage, client);
            } else {
                complete(stage, client);
            }
            return stage;
        }

        private void complete(CompletableFuture<Client> stage, Client client) {
            open.put(client, Boolean.TRUE);
            if (!stage.complete(client)) {
                open.remove(client);
            }
        }

        @Override
        public void close(Client client, boolean force) {
            open.remove(client);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int roll = random.nextInt(100);
            if (roll < 5) {
                throw new IllegalStateException("close blew up");
            }
            if (roll < 8) {
                sleep(random.nextInt(100));
            }
        }

        @Override
        public void ping(Client client) {
            if (ThreadLocalRandom.current().nextInt(100) < 5) {
                throw new IllegalStateException("ping blew up");
            }
            connback.feedHeartbeat();
        }

        // ---- the listener

        @Override
        public void onConnect(Client client) {
            event("connect");
            Client previous = reported;
            if (previous != null && open.containsKey(previous)) {
                violation(this + ": " + client + " reported while " + previous + " is still open");
            }
            reported = client;
            maybeThrow();
        }

        @Override
        public void onClose(boolean hasError) {
            event("close");
            maybeThrow();
        }

        @Override
        public void onReconnect() {
            synchronized (this) {
                ended = false;
            }
        }

        @Override
        public void onEnd() {
            event("end");
            synchronized (this) {
                ended = true;
            }
        }

        private void event(String name) {
            if (insideEvent.incrementAndGet() != 1) {
                violation(this + ": two events at once");
            }
            synchronized (this) {
                if (ended && !name.equals("end")) {
                    violation(this + ": " + name + " after end");
                }
            }
            insideEvent.decrementAndGet();
        }

        private void maybeThrow() {
            if (ThreadLocalRandom.current().nextInt(100) < 5) {
                throw new IllegalStateException("listener blew up");
            }
        }

        @Override
        public String toString() {
            return "chaos link " + index;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
