package io.connback.benchmarks;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.tcp.TcpConnector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The kill-and-restart suite of issue 12: {@code --links N} (100) TCP links through the product's connector to a
 * local echo server that is killed (its listener and every connection closed with a reset) and started again on the
 * same port, {@code --cycles N} (1000) times. After each restart every link must be connected again (within 30 s);
 * for each link the connect and close events strictly alternate and none comes after its end; once all ended, the
 * process's file descriptors and threads are back to the count before the first link (within a few: the JVM's own).
 * Exits with status 1 on a violation.
 */
public final class SoakRun {

    private static final Duration BACK_WITHIN = Duration.ofSeconds(30);

    private SoakRun() {}

    /**
     * Runs it.
     *
     * @param args the options above
     * @throws Exception if the run cannot complete
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args, List.of("--links", "--cycles"));
        int count = options.positive("--links", 100);
        int cycles = options.positive("--cycles", 1000);
        System.exit(run(count, cycles) ? 0 : 1);
    }

    private static boolean run(int count, int cycles) throws Exception {
        List<String> violations = new ArrayList<>();
        KillableServer server = new KillableServer(acceptedAt -> {}); // the links count their connects
        Set<String> threadsBefore = threadNames();
        long fdsBefore = openFiles();
        List<Connback<Link>> connbacks = new ArrayList<>();
        List<Alternation> events = new ArrayList<>();
        TcpConnector connector = TcpConnector.builder().host("127.0.0.1").port(server.port())
                .linkSettings(LinkSettings.defaults()).build();
        ConnbackOptions options = ConnbackOptions.builder().keepalive(Duration.ofSeconds(5))
                .initialDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(100)).stableAfter(Duration.ZERO)
                .build();
        for (int i = 0; i < count; i++) {
            Alternation alternation = new Alternation("link " + i);
            events.add(alternation);
            connbacks.add(Connback.create(connector, options, alternation));
        }
        Latencies backAfter = new Latencies();
        awaitAll(connbacks, events, 1, violations);
        long start = System.nanoTime();
        for (int cycle = 1; cycle <= cycles && violations.isEmpty(); cycle++) {
            server.kill();
            server.restart();
            long restarted = System.nanoTime();
            awaitAll(connbacks, events, cycle + 1, violations);
            backAfter.add(System.nanoTime() - restarted);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (Connback<Link> connback : connbacks) {
            connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        server.stop();
        for (Alternation alternation : events) {
            alternation.check(violations);
        }
        // idle shared threads end after 5 s; sockets are released at the selector's next select
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && (openFiles() > fdsBefore + 2 || !leftThreads(threadsBefore).isEmpty())) {
            Thread.sleep(100);
        }
        long fdsAfter = openFiles();
        Set<String> left = leftThreads(threadsBefore);
        if (fdsAfter > fdsBefore + 2) {
            violations.add("file descriptors " + fdsBefore + " before, " + fdsAfter + " after");
        }
        if (!left.isEmpty()) {
            violations.add("threads left: " + left);
        }
        System.out.printf(Locale.ROOT, "# %d TCP links, %d kill/restart cycles of the local server in %.0f s; machine "
                + "load average %s%n", count, backAfter.count(), seconds, ProcessStats.loadAverage());
        System.out.println("RESULT soak-back        all links connected again after a restart: "
                + backAfter.summary(TimeUnit.MILLISECONDS));
        System.out.printf(Locale.ROOT, "RESULT soak-resources   file descriptors %d before the links, %d after they "
                + "ended; Java threads left beyond the start: %s%n", fdsBefore, fdsAfter, left.isEmpty() ? "none" : left);
        System.out.println("RESULT soak-violations  " + (violations.isEmpty() ? "none" : violations));
        return violations.isEmpty();
    }

    /** Waits until every link is connected for the given time. */
    private static void awaitAll(List<Connback<Link>> connbacks, List<Alternation> events, long connects,
            List<String> violations) throws InterruptedException {
        long deadline = System.nanoTime() + BACK_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (int i = 0; i < connbacks.size() && all; i++) {
                all = connbacks.get(i).isConnected() && events.get(i).connects() >= connects;
            }
            if (all) {
                return;
            }
            Thread.sleep(1);
        }
        long back = events.stream().filter(e -> e.connects() >= connects).count();
        violations.add("after restart " + (connects - 1) + ", " + back + " of " + connbacks.size()
                + " links back within " + BACK_WITHIN.toSeconds() + " s");
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(Collectors.toSet());
    }

    private static Set<String> leftThreads(Set<String> before) {
        Set<String> now = threadNames();
        now.removeAll(before);
        return now;
    }

    /** Connect and close must alternate, starting with connect; nothing after end. */
    private static final class Alternation implements ConnbackListener<Link> {
        private final String name;
        private boolean connected; // guarded by this
        private boolean ended; // guarded by this
        private long connects; // guarded by this
        private String violation; // guarded by this

        Alternation(String name) {
            this.name = name;
        }

        synchronized long connects() {
            return connects;
        }

        @Override
        public synchronized void onConnect(Link link) {
            if (connected || ended) {
                violation = violation != null ? violation : name + ": connect " + (ended ? "after end" : "twice");
            }
            connected = true;
            connects++;
        }

        @Override
        public synchronized void onClose(boolean hasError) {
            if (!connected || ended) {
                violation = violation != null ? violation : name + ": close " + (ended ? "after end" : "twice");
            }
            connected = false;
        }

        @Override
        public synchronized void onEnd() {
            ended = true;
        }

        synchronized void check(List<String> violations) {
            if (violation != null) {
                violations.add(violation);
            }
            if (!ended) {
                violations.add(name + ": no end");
            }
        }
    }
}
