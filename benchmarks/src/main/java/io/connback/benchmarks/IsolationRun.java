package io.connback.benchmarks;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.link.Framing;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.tcp.TcpConnector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The isolation bound of issue 12: {@code --links N} (20) TCP links through the product's connector to the echo
 * server in a child JVM; rounds of one echo per link, each round awaited whole, 10 ms apart. First for
 * {@code --baseline-seconds S} (5) with every listener quick, then while the frame listener of link 0 blocks for
 * {@code --block-seconds S} (10): the other links' round-trip percentiles in both phases, the links closed, the echoes
 * lost. Uses only API that the connector had before the isolation, so that it runs against the code before it too.
 */
public final class IsolationRun {

    private static final long ROUND_PAUSE_MILLIS = 10;

    private IsolationRun() {}

    /**
     * Runs it.
     *
     * @param args the options above
     * @throws Exception if the run cannot complete
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args, List.of("--links", "--block-seconds", "--baseline-seconds"));
        int links = options.positive("--links", 20);
        Duration blockFor = Duration.ofSeconds(options.positive("--block-seconds", 10));
        Duration baselineFor = Duration.ofSeconds(options.positive("--baseline-seconds", 5));
        Process server = EchoServer.startInChildJvm("64m");
        try {
            run(EchoServer.awaitPort(server), links, blockFor, baselineFor);
        } finally {
            server.getOutputStream().close();
            server.waitFor(10, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }

    private static void run(int port, int count, Duration blockFor, Duration baselineFor) throws Exception {
        Link[] links = new Link[count];
        AtomicLongArray sentAt = new AtomicLongArray(count);
        Latencies[] phase = {new Latencies()};
        AtomicInteger closes = new AtomicInteger();
        AtomicInteger blockedCalls = new AtomicInteger();
        CountDownLatch[] round = {new CountDownLatch(0)};
        CountDownLatch connected = new CountDownLatch(count);
        List<Connback<Link>> connbacks = new ArrayList<>();
        LinkSettings lines = LinkSettings.builder().framing(Framing.delimiter(new byte[] {'\n'})).build();
        for (int i = 0; i < count; i++) {
            int index = i;
            TcpConnector connector = TcpConnector.builder().host("127.0.0.1").port(port).linkSettings(lines).build();
            connbacks.add(Connback.create(connector, ConnbackOptions.builder().keepalive(Duration.ZERO).build(),
                    new ConnbackListener<>() {
                        @Override
                        public void onConnect(Link link) {
                            links[index] = link;
                            link.addFrameListener(frame -> {
                                if (index == 0) {
                                    if (StandardCharsets.ISO_8859_1.decode(frame).toString().equals("block")) {
                                        blockedCalls.incrementAndGet();
                                        sleep(blockFor);
                                    }
                                    return;
                                }
                                long sent = sentAt.getAndSet(index, 0);
                                if (sent != 0) {
                                    long rtt = System.nanoTime() - sent;
                                    synchronized (phase) {
                                        phase[0].add(rtt);
                                    }
                                    round[0].countDown();
                                }
                            });
                            connected.countDown();
                        }

                        @Override
                        public void onClose(boolean hasError) {
                            closes.incrementAndGet();
                        }
                    }));
        }
        if (!connected.await(30, TimeUnit.SECONDS)) {
            throw new IOException("not all " + count + " links connected within 30 s");
        }

        int[] lost = {0};
        rounds(links, sentAt, round, baselineFor, Duration.ofSeconds(30), lost);
        Latencies before;
        synchronized (phase) {
            before = phase[0];
            phase[0] = new Latencies();
        }
        links[0].send("block\n".getBytes(StandardCharsets.ISO_8859_1));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (blockedCalls.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        rounds(links, sentAt, round, blockFor.minus(Duration.ofSeconds(1)), blockFor.plusSeconds(5), lost);
        Latencies during;
        synchronized (phase) {
            during = phase[0];
        }
        System.out.printf(Locale.ROOT, "# %d TCP links to an echo server in a child JVM, one echo per link per round, "
                + "rounds %d ms apart; link 0's listener blocks for %d s in the second phase; machine load average %s%n",
                count, ROUND_PAUSE_MILLIS, blockFor.toSeconds(), ProcessStats.loadAverage());
        System.out.println("RESULT rtt-before      " + before.summary(TimeUnit.MILLISECONDS));
        System.out.println("RESULT rtt-blocked     " + during.summary(TimeUnit.MILLISECONDS));
        System.out.printf(Locale.ROOT, "RESULT p99-growth      %+.1f ms (bound: at most +50 ms)%n",
                (during.percentile(99) - before.percentile(99)) / 1e6);
        System.out.printf(Locale.ROOT, "RESULT links           %d closes, %d echoes lost (not back within the round's "
                + "timeout), the blocked link %s%n", closes.get(), lost[0], links[0].isOpen() ? "open" : "closed");
        for (Connback<Link> connback : connbacks) {
            connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void rounds(Link[] links, AtomicLongArray sentAt, CountDownLatch[] round, Duration time,
            Duration roundTimeout, int[] lost) throws InterruptedException {
        long end = System.nanoTime() + time.toNanos();
        for (int seq = 0; System.nanoTime() < end; seq++) {
            round[0] = new CountDownLatch(links.length - 1);
            for (int i = 1; i < links.length; i++) {
                sentAt.set(i, System.nanoTime());
                links[i].send(("echo " + seq + "\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            links[0].send(("queued " + seq + "\n").getBytes(StandardCharsets.ISO_8859_1));
            if (!round[0].await(roundTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                lost[0] += (int) round[0].getCount();
            }
            Thread.sleep(ROUND_PAUSE_MILLIS);
        }
    }

    private static void sleep(Duration time) {
        try {
            Thread.sleep(time.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
