package io.connback.benchmarks;

import static io.connback.benchmarks.AttemptWindows.WINDOW;
import static io.connback.benchmarks.AttemptWindows.peak;
import static io.connback.benchmarks.AttemptWindows.timeline;
import static io.connback.benchmarks.Report.note;
import static io.connback.benchmarks.Report.result;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.ReconnectBudget;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.tcp.TcpConnector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The reconnect budget's run (issue 12): N TCP links (1,000 by default) through the product's {@link TcpConnector} to
 * a local {@link KillableServer}, all with the default backoff (fibonacci, full jitter, initialDelay 1 s, maxDelay
 * 30 s, the gateway's links' too), in two scenarios in one run, each with fresh Connbacks: without a budget, and with
 * one {@link ReconnectBudget} of R attempts/s, burst B (100/s and 50, the gateway's default) shared by all.
 *
 * <p>A scenario connects every link and leaves them connected for {@code stableAfter} (10 s), so that their backoff
 * starts afresh as a gateway's that ran for a while; kills the server (its listener and every connection reset),
 * keeps it down for {@code --outage-ms}, and starts it again on the same port: "server back". It reports the
 * connections the server accepted per 100 ms from then until every link was CONNECTED again (the peak in any window,
 * sliding, and the slots), the time until all were back, and, seen from the links ({@code onReconnect}: an attempt
 * starts, after the budget's token), the attempts while the server was down.
 *
 * <p>The server runs in this process: 1,000 links need 2,000 descriptors here, far below the limit (20,000).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.connback.benchmarks.BudgetRestartRun [--links N] [--outage-ms MS]
 * [--rate R] [--burst B]}
 */
public final class BudgetRestartRun {

    private static final Duration CONNECT_ALL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration BACK_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration END_ALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SETTLED = Duration.ofSeconds(1);
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    /** What one link went through, written by its Connback's callbacks and read by the run's thread. */
    private static final class LinkState implements ConnbackListener<Link> {
        final AtomicInteger connects = new AtomicInteger();
        final Queue<Long> attempts; // shared by the scenario's links
        volatile long backAt;

        LinkState(Queue<Long> attempts) {
            this.attempts = attempts;
        }

        @Override
        public void onConnect(Link link) {
            if (connects.incrementAndGet() == 2) {
                backAt = System.nanoTime();
            }
        }

        @Override
        public void onReconnect() {
            attempts.add(System.nanoTime());
        }
    }

    /** The figures of one scenario. */
    private record Outcome(String label, long back, long allBackMillis, long medianBackMillis, int accepted,
            int peakAfterBack, int attemptsWhileDown, int peakWhileDown, long waitingForBudget) {}

    private final int links;
    private final Duration outage;
    private final int rate;
    private final int burst;
    private final ConnbackOptions defaults = ConnbackOptions.defaults();
    private final Queue<Long> accepted = new ConcurrentLinkedQueue<>();
    private final KillableServer server;
    private final TcpConnector connector;

    private BudgetRestartRun(int links, Duration outage, int rate, int burst) throws Exception {
        this.links = links;
        this.outage = outage;
        this.rate = rate;
        this.burst = burst;
        server = new KillableServer(accepted::add);
        // an IP address: a host name is looked up at every attempt, and the connector refuses more than 64 lookups
        // waiting at once
        connector = TcpConnector.builder().host("127.0.0.1").port(server.port())
                .linkSettings(LinkSettings.builder().pingFrame(PING).build()).build();
    }

    /**
     * Runs the two scenarios and prints their figures.
     *
     * @param args options, see the class comment
     * @throws Exception if the run cannot proceed; it then says what failed
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args, List.of("--links", "--outage-ms", "--rate", "--burst"));
        BudgetRestartRun run = new BudgetRestartRun(options.positive("--links", 1000),
                Duration.ofMillis(options.positive("--outage-ms", 5000)), options.positive("--rate", 100),
                options.positive("--burst", 50));
        try {
            run.run();
        } finally {
            run.server.stop();
        }
    }

    private void run() throws Exception {
        note("%d TCP links to a local server killed and started again after %d ms; backoff: %s, initialDelay %d ms, "
                + "maxDelay %d ms, %s jitter, stableAfter %d s; machine: %d CPUs, load average %s", links,
                outage.toMillis(), defaults.strategy(), defaults.initialDelay().toMillis(),
                defaults.maxDelay().toMillis(), defaults.jitter(), defaults.stableAfter().toSeconds(),
                Runtime.getRuntime().availableProcessors(), ProcessStats.loadAverage());
        String budgeted = "budget-" + rate + "/s-" + burst;
        List<Outcome> outcomes = List.of(run("no-budget", null), run(budgeted, ReconnectBudget.of(rate, burst)));
        for (Outcome o : outcomes) {
            result(o.label(), "%d/%d back %d ms after the server (median link %d ms); accepted %d, peak per 100 ms "
                    + "%d; while down: %d attempts, peak per 100 ms %d; %d waiting for the budget at the restart",
                    o.back(), links, o.allBackMillis(), o.medianBackMillis(), o.accepted(), o.peakAfterBack(),
                    o.attemptsWhileDown(), o.peakWhileDown(), o.waitingForBudget());
        }
        note("%-18s %10s %9s %9s %9s %11s %11s %11s %12s", "scenario", "links", "all back", "median", "accepted",
                "peak/100ms", "attempts", "peak/100ms", "waiting for");
        note("%-18s %10s %9s %9s %9s %11s %11s %11s %12s", "", "back", "(ms)", "back (ms)", "when back",
                "when back", "while down", "while down", "budget (*)");
        for (Outcome o : outcomes) {
            note("%-18s %10s %9d %9d %9d %11d %11d %11d %12d", o.label(), o.back() + "/" + links, o.allBackMillis(),
                    o.medianBackMillis(), o.accepted(), o.peakAfterBack(), o.attemptsWhileDown(), o.peakWhileDown(),
                    o.waitingForBudget());
        }
        note("(*) links RECONNECTING and waiting for a token of the budget when the server was started again");
    }

    private Outcome run(String label, ReconnectBudget budget) throws Exception {
        ConnbackOptions options = budget == null ? defaults : defaults.toBuilder().reconnectBudget(budget).build();
        Queue<Long> attempts = new ConcurrentLinkedQueue<>();
        List<LinkState> states = new ArrayList<>(links);
        List<Connback<Link>> connbacks = new ArrayList<>(links);
        try {
            long startedAt = System.nanoTime();
            for (int i = 0; i < links; i++) {
                LinkState state = new LinkState(attempts);
                states.add(state);
                connbacks.add(Connback.create(connector, options, state));
            }
            Poll.until(() -> connbacks.stream().allMatch(Connback::isConnected), CONNECT_ALL_TIMEOUT,
                    "all " + links + " links connected; " + describe(connbacks));
            note("%s: %d links connected in %d ms; connected for stableAfter (%d s) before the kill", label, links,
                    millisSince(startedAt), defaults.stableAfter().toSeconds());
            Thread.sleep(defaults.stableAfter().plus(SETTLED).toMillis());

            long killedAt = System.nanoTime();
            server.kill();
            Thread.sleep(Math.max(0, outage.toMillis() - millisSince(killedAt)));
            long waitingForBudget = connbacks.stream().filter(Connback::isWaitingForReconnectBudget).count();
            String statesWhenBack = describe(connbacks);
            accepted.clear();
            server.restart();
            long backAt = System.nanoTime();
            Poll.until(() -> allBack(connbacks, states), BACK_TIMEOUT,
                    "all " + links + " links connected again; " + describe(connbacks));
            long[] backs = states.stream().mapToLong(state -> state.backAt - backAt).sorted().toArray();
            long allBackAt = backAt + backs[backs.length - 1];
            note("%s: when the server was back: %s", label, statesWhenBack);

            long[] acceptedTimes = sorted(accepted);
            long[] attemptTimes = sorted(attempts);
            long[] whileDown = Arrays.stream(attemptTimes).filter(at -> at >= killedAt && at < backAt).toArray();
            note("%s: attempts started per 100 ms from the kill (the links' onReconnect), the server back after slot "
                    + "%d: %s", label, (backAt - killedAt) / WINDOW.toNanos(), timeline(attemptTimes, killedAt,
                    allBackAt));
            note("%s: connections accepted per 100 ms from the server back: %s", label,
                    timeline(acceptedTimes, backAt, allBackAt));
            return new Outcome(label, states.stream().filter(state -> state.connects.get() >= 2).count(),
                    TimeUnit.NANOSECONDS.toMillis(backs[backs.length - 1]),
                    TimeUnit.NANOSECONDS.toMillis(backs[backs.length / 2]), acceptedTimes.length, peak(acceptedTimes),
                    whileDown.length, peak(whileDown), waitingForBudget);
        } finally {
            endAll(connbacks);
        }
    }

    private static boolean allBack(List<Connback<Link>> connbacks, List<LinkState> states) {
        for (int i = 0; i < connbacks.size(); i++) {
            if (states.get(i).connects.get() < 2 || !connbacks.get(i).isConnected()) {
                return false;
            }
        }
        return true;
    }

    private static void endAll(List<Connback<Link>> connbacks) throws Exception {
        CompletableFuture<?>[] ended = connbacks.stream().map(c -> c.end(true).whenEnded().toCompletableFuture())
                .toArray(CompletableFuture<?>[]::new);
        try {
            CompletableFuture.allOf(ended).get(END_ALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("not all links ended within " + END_ALL_TIMEOUT.toSeconds() + " s; "
                    + describe(connbacks), e);
        }
    }

    private static long[] sorted(Queue<Long> times) {
        long[] sorted = times.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    private static String describe(List<Connback<Link>> connbacks) {
        Map<String, Long> states = connbacks.stream().collect(Collectors.groupingBy(
                c -> c.state().name() + (c.isWaitingForReconnectBudget() ? " (waiting for the budget)" : ""),
                Collectors.counting()));
        return "states " + states;
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
