package io.connback.benchmarks;

import static io.connback.benchmarks.Report.note;
import static io.connback.benchmarks.Report.result;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.ConnbackScheduler;
import io.connback.Connector;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.tcp.TcpConnector;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The scale run: N Connbacks (10,000 by default) connected over TCP to a local NIO echo server, idle with keepalive
 * 5 s. Reports the threads added, the heap and RSS per link, the CPU while idle, and whether every link connected and
 * stayed connected; then the heap of the Connback object graph alone (in-memory connector), and that no thread is
 * left once every link has ended. Compares each figure with the seed's, measured in the same shape on Node 20.
 *
 * <p>The links use one of two connectors, both with one selector thread for all links: {@code bench-nio} (the
 * default), {@link NioClientConnector}, the least a connector can do; or {@code tcp}, the product's
 * {@link TcpConnector}, whose links are device {@link Link}s (frame decoder, send queue, a 4-byte ping frame).
 *
 * <p>The echo server runs in a child JVM (see {@link EchoServer}): the file-descriptor limit here is 20,000 and cannot
 * be raised, and 10,000 links need 10,000 descriptors at each end.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.connback.benchmarks.ScaleRun [--links N] [--keepalive-seconds S]
 * [--idle-seconds S] [--max-in-flight N] [--connector bench-nio|tcp]}
 */
public final class ScaleRun {

    // the seed, @connback/core on Node 20, 10,000 idle TCP links at keepalive 5 s
    private static final double SEED_RSS_PER_LINK_KB = 15.3;
    private static final double SEED_HEAP_PER_LINK_KB = 5.6;
    private static final double SEED_IDLE_CPU_PERCENT = 4.2;
    private static final int SEED_LINKS = 10_000;
    private static final int SEED_KEEPALIVE_SECONDS = 5;

    private static final Duration CONNECT_ALL_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration END_ALL_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration THREADS_GONE_TIMEOUT = Duration.ofSeconds(30);
    private static final double KB = 1024;
    private static final double MB = 1024 * 1024;
    private static final String BENCH_NIO = "bench-nio";
    private static final String TCP = "tcp";
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    private final int links;
    private final Duration keepalive;
    private final Duration idle;
    private final int maxInFlight;
    private final String connectorName;

    private final LinkEvents events = new LinkEvents();
    private final CountingScheduler scheduler = new CountingScheduler(ConnbackScheduler.shared());

    private ScaleRun(int links, Duration keepalive, Duration idle, int maxInFlight, String connectorName) {
        this.links = links;
        this.keepalive = keepalive;
        this.idle = idle;
        this.maxInFlight = maxInFlight;
        this.connectorName = connectorName;
    }

    /**
     * Runs the scale run and prints one {@code RESULT} line per metric.
     *
     * @param args options, see the class comment
     * @throws Exception if the run cannot proceed; it then says what failed
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args,
                List.of("--links", "--keepalive-seconds", "--idle-seconds", "--max-in-flight", "--connector"));
        new ScaleRun(options.positive("--links", 10_000),
                Duration.ofSeconds(options.positive("--keepalive-seconds", 5)),
                Duration.ofSeconds(options.positive("--idle-seconds", 30)),
                options.positive("--max-in-flight", 1000),
                options.choice("--connector", List.of(BENCH_NIO, TCP))).run();
    }

    private void run() throws Exception {
        note("%d links over the %s connector, keepalive %d s, idle window %d s; JVM %s, %d CPUs, options %s", links,
                connectorName, keepalive.toSeconds(), idle.toSeconds(), Runtime.version(),
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getRuntimeMXBean().getInputArguments());
        Process server = EchoServer.startInChildJvm("256m");
        try {
            int port = EchoServer.awaitPort(server);
            note("echo server pid %d listening on 127.0.0.1:%d", server.pid(), port);
            runOverTcp(server, port);
        } finally {
            server.getOutputStream().close(); // the server stops at the end of its input
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        runInMemory();
        checkNoThreadLeft();
    }

    // ---------------------------------------------------------------- over TCP

    private void runOverTcp(Process server, int port) throws Exception {
        Map<Long, String> threadsBefore = ProcessStats.javaThreads();
        long nativeThreadsBefore = ProcessStats.nativeThreads();
        long heapBefore = ProcessStats.usedHeapAfterGc();
        long rssBefore = ProcessStats.residentBytes();

        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        // made after the "before" figures: the bench connector starts its selector thread at once
        NioClientConnector benchNio = connectorName.equals(BENCH_NIO) ? new NioClientConnector(address) : null;
        CountingConnector<?> connector = benchNio != null ? new CountingConnector<>(benchNio)
                : new CountingConnector<>(tcpConnector(address));
        List<? extends Connback<?>> connbacks = connectAll(connector);

        long heapAfter = ProcessStats.usedHeapAfterGc();
        long rssAfter = ProcessStats.residentBytes();
        Map<Long, String> threadsAfter = ProcessStats.javaThreads();
        long nativeThreadsAfter = ProcessStats.nativeThreads();

        Duration settle = keepalive.multipliedBy(2);
        note("settling for %d s (code compiled, timers spread), then idle for %d s", settle.toSeconds(),
                idle.toSeconds());
        Thread.sleep(settle.toMillis());
        long closesBefore = events.closes.sum();
        long errorsBefore = events.errors.sum();
        long pingsBefore = connector.pingsSent();
        long heartbeatsBefore = benchNio == null ? 0 : benchNio.heartbeatsFed();
        long timersBefore = scheduler.timersScheduled();
        long tasksBefore = scheduler.tasksExecuted();
        Map<String, Long> threadCpuBefore = ProcessStats.cpuNanosByThread();
        String loadBefore = ProcessStats.loadAverage();
        long cpuBefore = ProcessStats.cpuNanos();
        long serverCpuBefore = cpuNanosOf(server);
        long idleStart = System.nanoTime();
        Thread.sleep(idle.toMillis());
        long cpu = ProcessStats.cpuNanos() - cpuBefore;
        long serverCpu = cpuNanosOf(server) - serverCpuBefore;
        Map<String, Long> threadCpu = ProcessStats.cpuNanosByThread();
        double idleSeconds = (System.nanoTime() - idleStart) / 1e9;
        double pingsPerSecond = (connector.pingsSent() - pingsBefore) / idleSeconds;
        String heartbeats = benchNio == null ? "" : String.format(Locale.ROOT, ", %.0f echoes fed as heartbeats/s",
                (benchNio.heartbeatsFed() - heartbeatsBefore) / idleSeconds);
        double timersPerSecond = (scheduler.timersScheduled() - timersBefore) / idleSeconds;
        double tasksPerSecond = (scheduler.tasksExecuted() - tasksBefore) / idleSeconds;
        long stillConnected = connbacks.stream().filter(Connback::isConnected).count();
        String eventCounts = String.format(Locale.ROOT, "closes %d, errors %d while idle; connects %d, closes %d,"
                + " errors %d in all", events.closes.sum() - closesBefore, events.errors.sum() - errorsBefore,
                events.connects.sum(), events.closes.sum(), events.errors.sum())
                + (events.lastError == null ? "" : "; last error: " + events.lastError);

        endAll(connbacks);
        if (benchNio != null) {
            benchNio.shutdown();
        }

        result("links", "%d of %d connected; %d still connected after %.0f s idle (%s)", connbacks.size(), links,
                stillConnected, idleSeconds, eventCounts);
        result("threads", "+%d Java threads: %s (Java threads %d -> %d; native threads, JVM's own included, %d -> %d)",
                threadsAfter.size() - threadsBefore.size(), added(threadsBefore, threadsAfter), threadsBefore.size(),
                threadsAfter.size(), nativeThreadsBefore, nativeThreadsAfter);
        double heapPerLinkKb = (heapAfter - heapBefore) / KB / links;
        result("heap/link", "%.2f KB (%.0f bytes) live heap per link after full GC, socket included"
                + " (%.1f MB -> %.1f MB); seed %.1f KB: %s", heapPerLinkKb, heapPerLinkKb * KB, heapBefore / MB,
                heapAfter / MB, SEED_HEAP_PER_LINK_KB, versusSeed(heapPerLinkKb, SEED_HEAP_PER_LINK_KB));
        double rssPerLinkKb = (rssAfter - rssBefore) / KB / links;
        result("rss/link", "%.2f KB RSS per link (%.1f MB -> %.1f MB); seed %.1f KB: %s", rssPerLinkKb,
                rssBefore / MB, rssAfter / MB, SEED_RSS_PER_LINK_KB, versusSeed(rssPerLinkKb, SEED_RSS_PER_LINK_KB));
        double cpuPercent = 100.0 * cpu / 1e9 / idleSeconds;
        double serverCpuPercent = 100.0 * serverCpu / 1e9 / idleSeconds;
        double seedCpuPercent = SEED_IDLE_CPU_PERCENT * links / SEED_LINKS;
        result("idle-cpu", "%.2f%% of one core in this process (links, Connbacks, client selector); %.2f%% in the echo"
                + " server process; seed %.2f%% for %d links at keepalive %d s: %s (with the server: %s);"
                + " machine load average %s at the start, %s at the end of the window", cpuPercent,
                serverCpuPercent, seedCpuPercent, links, SEED_KEEPALIVE_SECONDS, versusSeed(cpuPercent, seedCpuPercent),
                versusSeed(cpuPercent + serverCpuPercent, seedCpuPercent), loadBefore,
                ProcessStats.loadAverage());
        result("idle-cpu-threads", "%s", cpuShares(threadCpuBefore, threadCpu, cpu, idleSeconds));
        result("keepalive", "while idle: %.0f pings/s (one per link every %.2f s)%s, %.0f timers scheduled/s"
                + " (%.2f per ping), %.0f tasks executed/s", pingsPerSecond, links / pingsPerSecond, heartbeats,
                timersPerSecond, timersPerSecond / pingsPerSecond, tasksPerSecond);
    }

    /** The product's connector; its links ping with 4 bytes that the server echoes, as the bench connector does. */
    private static TcpConnector tcpConnector(InetSocketAddress server) {
        // an IP address: a host name is looked up at every attempt, and the connector refuses more than 64 lookups
        // waiting at once, which a burst of 1,000 connecting links exceeds
        return TcpConnector.builder().host(server.getAddress().getHostAddress()).port(server.getPort())
                .linkSettings(LinkSettings.builder().pingFrame(PING).build()).build();
    }

    private <T> List<Connback<T>> connectAll(Connector<T> connector) throws Exception {
        note("connecting %d links, at most %d connecting at a time", links, maxInFlight);
        long start = System.nanoTime();
        List<Connback<T>> connbacks = createAll(connector);
        Poll.until(() -> connbacks.stream().allMatch(Connback::isConnected), CONNECT_ALL_TIMEOUT,
                "all links to connect; " + describe(connbacks));
        note("%d links connected in %.1f s", links, (System.nanoTime() - start) / 1e9);
        return connbacks;
    }

    /** Creates the Connbacks, holding back while {@code maxInFlight} of them are still connecting. */
    private <T> List<Connback<T>> createAll(Connector<T> connector) throws InterruptedException {
        ConnbackOptions options = ConnbackOptions.builder().keepalive(keepalive).scheduler(scheduler).build();
        List<Connback<T>> connbacks = new ArrayList<>(links);
        events.connectSlots = new Semaphore(maxInFlight);
        for (int i = 0; i < links; i++) {
            if (!events.connectSlots.tryAcquire(CONNECT_ALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("no connection completed for " + CONNECT_ALL_TIMEOUT.toSeconds()
                        + " s; " + describe(connbacks));
            }
            connbacks.add(Connback.create(connector, options, events));
        }
        return connbacks;
    }

    private void endAll(List<? extends Connback<?>> connbacks) throws Exception {
        CompletableFuture<?>[] ended = connbacks.stream()
                .map(c -> c.end().whenEnded().toCompletableFuture())
                .toArray(CompletableFuture<?>[]::new);
        try {
            CompletableFuture.allOf(ended).get(END_ALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("not all links ended within " + END_ALL_TIMEOUT.toSeconds() + " s; "
                    + describe(connbacks), e);
        }
    }

    // ---------------------------------------------------------------- in memory

    /** The same links with no socket at all: the heap of the Connback object graph alone. */
    private void runInMemory() throws Exception {
        long heapBefore = ProcessStats.usedHeapAfterGc();
        List<Connback<InMemoryConnector.Client>> connbacks = createAll(new InMemoryConnector());
        Poll.until(() -> connbacks.stream().allMatch(Connback::isConnected), CONNECT_ALL_TIMEOUT,
                "all in-memory links to connect; " + describe(connbacks));
        long heapAfter = ProcessStats.usedHeapAfterGc();
        endAll(connbacks);
        double perLinkKb = (heapAfter - heapBefore) / KB / links;
        result("heap/connback", "%.2f KB (%.0f bytes) live heap per Connback alone: connected, keepalive timer"
                + " armed, one shared listener, a 16-byte client, no socket", perLinkKb, perLinkKb * KB);
    }

    // ---------------------------------------------------------------- helpers

    private void checkNoThreadLeft() throws InterruptedException {
        try {
            Poll.until(() -> connbackThreads().isEmpty(), THREADS_GONE_TIMEOUT, "the connback threads to end");
            result("threads-after-end", "no connback thread left once every link ended");
        } catch (IllegalStateException e) {
            result("threads-after-end", "still running %.0f s after the last link ended: %s",
                    (double) THREADS_GONE_TIMEOUT.toSeconds(), connbackThreads());
        }
    }

    private static List<String> connbackThreads() {
        return ProcessStats.javaThreads().values().stream().filter(name -> name.startsWith("connback"))
                .collect(Collectors.toList());
    }

    /** Where the idle CPU went: each Java thread that used some, and the JVM's own threads (GC, JIT) as the rest. */
    private static String cpuShares(Map<String, Long> before, Map<String, Long> after, long processNanos,
            double seconds) {
        StringBuilder shares = new StringBuilder();
        long javaThreads = 0;
        for (Map.Entry<String, Long> thread : after.entrySet()) {
            long used = thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
            javaThreads += used;
            double percent = 100.0 * used / 1e9 / seconds;
            if (percent >= 0.01) {
                shares.append(String.format(Locale.ROOT, "%s %.2f%%, ", thread.getKey(), percent));
            }
        }
        return shares.append(String.format(Locale.ROOT, "JVM's own threads (GC, JIT...) %.2f%%",
                100.0 * (processNanos - javaThreads) / 1e9 / seconds)).toString();
    }

    private static String added(Map<Long, String> before, Map<Long, String> after) {
        return after.entrySet().stream().filter(e -> !before.containsKey(e.getKey())).map(Map.Entry::getValue)
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private String describe(List<? extends Connback<?>> connbacks) {
        Map<String, Long> states = connbacks.stream()
                .collect(Collectors.groupingBy(c -> c.state().name(), Collectors.counting()));
        return connbacks.size() + " created, states " + states + ", connects " + events.connects.sum() + ", errors "
                + events.errors.sum() + (events.lastError == null ? "" : ", last error " + events.lastError);
    }

    private static String versusSeed(double ours, double seed) {
        return String.format(Locale.ROOT, "%.0f%% of the seed, %s", 100 * ours / seed,
                ours < seed ? "below it" : "NOT below it");
    }

    private static long cpuNanosOf(Process process) {
        return process.info().totalCpuDuration().orElseThrow(() -> new IllegalStateException(
                "the CPU time of process " + process.pid() + " is not readable")).toNanos();
    }

    /** One listener shared by every link: counts the events, so it adds no object per link. */
    private static final class LinkEvents implements ConnbackListener<Object> {
        final LongAdder connects = new LongAdder();
        final LongAdder closes = new LongAdder();
        final LongAdder errors = new LongAdder();
        volatile Throwable lastError;
        volatile Semaphore connectSlots;

        @Override
        public void onConnect(Object client) {
            connects.increment();
            connectSlots.release();
        }

        @Override
        public void onClose(boolean hasError) {
            closes.increment();
        }

        @Override
        public void onError(Throwable error) {
            errors.increment();
            lastError = error;
        }
    }
}
