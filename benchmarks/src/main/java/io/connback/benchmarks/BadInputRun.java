package io.connback.benchmarks;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.link.AbstractLink;
import io.connback.link.FrameListener;
import io.connback.link.FramingException;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.tcp.TcpConnector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bad-input suite of issue 12: for each misbehaving peer, {@code --seconds S} (5) with one TCP link to it beside
 * 10 healthy links that echo round trips all along. Reports, per peer, what became of its link (connects, closes,
 * framing errors, failed sends), the growth of this process's live heap (after a full GC) and RSS (within the heap's
 * limit, as the garbage of the flood is collected), and the healthy links' round-trip p99 and closes. Fails (exit
 * status 1) if a healthy link closes or misses an echo, or if the live heap grows by more than 16 MB: everything the
 * links queue is bounded.
 * The peers: random bytes at full rate; a frame that never ends; a peer that never reads (the link sends all along);
 * a peer that accepts and closes; a silent peer.
 */
public final class BadInputRun {

    private static final int HEALTHY = 10;
    private static final long LIVE_HEAP_BOUND = 16L * 1024 * 1024;
    private static final LinkSettings LINES = LinkSettings.fromMap(Map.of("framing", "delimiter:hex:0a",
            "ping.frame", "text:PING\\n", "maxFrameSize", "1024", "maxQueuedBytes", "65536"));

    private BadInputRun() {}

    /** One misbehaving peer: what it does with each connection it accepts. */
    private interface Peer {
        void serve(Socket socket) throws IOException;
    }

    /**
     * Runs it.
     *
     * @param args the options above
     * @throws Exception if the run cannot complete
     */
    public static void main(String[] args) throws Exception {
        RunOptions options = RunOptions.parse(args, List.of("--seconds"));
        Duration each = Duration.ofSeconds(options.positive("--seconds", 5));
        List<String> violations = new ArrayList<>();
        try (Server echo = new Server(BadInputRun::echo)) {
            List<Healthy> healthy = new ArrayList<>();
            for (int i = 0; i < HEALTHY; i++) {
                healthy.add(new Healthy(echo.port()));
            }
            for (Healthy link : healthy) {
                link.connected.await(10, TimeUnit.SECONDS);
            }
            System.out.printf(Locale.ROOT, "# one link to each bad peer for %d s, beside %d healthy echoing links; "
                    + "link settings %s; keepalive %d s (bad links %d s); machine load average %s%n", each.toSeconds(),
                    HEALTHY, LINES, HEALTHY_KEEPALIVE.toSeconds(), BAD_KEEPALIVE.toSeconds(),
                    ProcessStats.loadAverage());
            scenario("random-bytes", BadInputRun::randomBytes, false, each, healthy, violations);
            scenario("endless-frame", BadInputRun::endlessFrame, false, each, healthy, violations);
            scenario("never-reads", BadInputRun::neverReads, true, each, healthy, violations);
            scenario("accept-close", Socket::close, false, each, healthy, violations);
            scenario("silent", BadInputRun::neverReads, false, each, healthy, violations);
            for (Healthy link : healthy) {
                link.connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
        System.out.println("RESULT bad-input-violations " + (violations.isEmpty() ? "none" : violations));
        System.exit(violations.isEmpty() ? 0 : 1);
    }

    private static void scenario(String name, Peer peer, boolean sendAllAlong, Duration time, List<Healthy> healthy,
            List<String> violations) throws Exception {
        long heapBefore = ProcessStats.usedHeapAfterGc();
        long rssBefore = ProcessStats.residentBytes();
        long closesBefore = healthy.stream().mapToLong(h -> h.closes.sum()).sum();
        Latencies roundTrips = new Latencies();
        BadLink bad;
        try (Server server = new Server(peer)) {
            bad = new BadLink(server.port());
            long end = System.nanoTime() + time.toNanos();
            long seq = 0;
            while (System.nanoTime() < end) {
                for (Healthy link : healthy) {
                    long rtt = link.roundTrip(seq);
                    if (rtt < 0) {
                        violations.add(name + ": a healthy link missed an echo");
                    } else {
                        roundTrips.add(rtt);
                    }
                }
                if (sendAllAlong) {
                    bad.sendSome();
                }
                seq++;
                Thread.sleep(5);
            }
            bad.connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        long rssGrowth = ProcessStats.residentBytes() - rssBefore;
        long heapGrowth = ProcessStats.usedHeapAfterGc() - heapBefore;
        long healthyCloses = healthy.stream().mapToLong(h -> h.closes.sum()).sum() - closesBefore;
        if (healthyCloses > 0) {
            violations.add(name + ": " + healthyCloses + " closes of healthy links, the last error "
                    + healthy.stream().map(h -> h.lastError).filter(e -> e != null).findFirst().orElse(null));
        }
        if (heapGrowth > LIVE_HEAP_BOUND) {
            violations.add(name + ": the live heap grew by " + heapGrowth / 1024 / 1024 + " MB");
        }
        System.out.printf(Locale.ROOT, "RESULT %-15s its link: %d connects, %d closes, %d framing errors, %d frames, "
                + "%d sends refused (queue full), %d frames dropped; live heap %+.1f MB, RSS %+.1f MB (max heap %d MB); "
                + "healthy links: round trip p99 %s, %d closes%n", name, bad.connects.sum(), bad.closes.sum(),
                bad.framingErrors.sum(), bad.frames.sum(), bad.refusedSends.sum(), bad.dropped.get(),
                heapGrowth / 1048576.0, rssGrowth / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576,
                Latencies.format(roundTrips.percentile(99), TimeUnit.MILLISECONDS), healthyCloses);
    }

    // ---------------------------------------------------------------- the peers

    private static void echo(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[4096];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            out.write(buffer, 0, n);
        }
    }

    private static void randomBytes(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[16 * 1024];
        while (true) {
            ThreadLocalRandom.current().nextBytes(buffer);
            out.write(buffer);
        }
    }

    private static void endlessFrame(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[16 * 1024];
        Arrays.fill(buffer, (byte) 'a');
        while (true) {
            out.write(buffer);
        }
    }

    private static void neverReads(Socket socket) throws IOException {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            socket.close();
        }
    }

    // ---------------------------------------------------------------- the links

    /**
     * The healthy links' keepalive: long enough that a busy 2-core machine (a flood peer, its writer and their
     * decoding share the cores with them) does not starve their heartbeats, which a 1 s keepalive's 1.4 s deadline
     * measured it to do at load average 5 to 20; a link that the bad peer disturbs still misses echoes and is told.
     */
    private static final Duration HEALTHY_KEEPALIVE = Duration.ofSeconds(3);
    /** The bad links' keepalive: short, so that a silent peer is closed a few times in a scenario. */
    private static final Duration BAD_KEEPALIVE = Duration.ofSeconds(1);

    private static ConnbackOptions options(Duration keepalive) {
        return ConnbackOptions.builder().keepalive(keepalive).initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofMillis(1000)).build();
    }

    /** A link that echoes round trips, one at a time. */
    private static final class Healthy implements ConnbackListener<Link>, FrameListener {
        final Connback<Link> connback;
        final CountDownLatch connected = new CountDownLatch(1);
        final LongAdder closes = new LongAdder();
        volatile Throwable lastError;
        private volatile Link link;
        private volatile CountDownLatch echoed = new CountDownLatch(0);

        Healthy(int port) {
            connback = Connback.create(TcpConnector.builder().host("127.0.0.1").port(port).linkSettings(LINES)
                    .build(), options(HEALTHY_KEEPALIVE), this);
        }

        long roundTrip(long seq) throws InterruptedException {
            echoed = new CountDownLatch(1);
            long start = System.nanoTime();
            link.send(("echo " + seq + "\n").getBytes(StandardCharsets.ISO_8859_1));
            return echoed.await(5, TimeUnit.SECONDS) ? System.nanoTime() - start : -1;
        }

        @Override
        public void onConnect(Link connectedLink) {
            link = connectedLink;
            connectedLink.addFrameListener(this);
            connected.countDown();
        }

        @Override
        public void onClose(boolean hasError) {
            closes.increment();
        }

        @Override
        public void onError(Throwable error) {
            lastError = error;
        }

        @Override
        public void onFrame(ByteBuffer frame) {
            if (frame.remaining() > 0 && frame.get(frame.position()) == 'e') {
                echoed.countDown(); // not "PING": the keepalive's echo
            }
        }
    }

    /** The link to the bad peer: counts what happens to it. */
    private static final class BadLink implements ConnbackListener<Link>, FrameListener {
        final Connback<Link> connback;
        final LongAdder connects = new LongAdder();
        final LongAdder closes = new LongAdder();
        final LongAdder frames = new LongAdder();
        final LongAdder framingErrors = new LongAdder();
        final LongAdder refusedSends = new LongAdder();
        final AtomicLong dropped = new AtomicLong();
        private final List<Link> links = new CopyOnWriteArrayList<>();

        BadLink(int port) {
            connback = Connback.create(TcpConnector.builder().host("127.0.0.1").port(port).linkSettings(LINES)
                    .build(), options(BAD_KEEPALIVE), this);
        }

        void sendSome() {
            connback.client().ifPresent(link -> link.send(new byte[8 * 1024]).whenComplete((ok, error) -> {
                if (error != null) {
                    refusedSends.increment();
                }
            }));
        }

        @Override
        public void onConnect(Link link) {
            connects.increment();
            links.add(link);
            link.addFrameListener(this);
        }

        @Override
        public void onClose(boolean hasError) {
            closes.increment();
            for (Link link : links) {
                dropped.addAndGet(((AbstractLink) link).droppedFrames());
            }
            links.clear();
        }

        @Override
        public void onFrame(ByteBuffer frame) {
            frames.increment();
        }

        @Override
        public void onFramingError(FramingException error) {
            framingErrors.increment();
        }
    }

    /** A blocking server on loopback, a thread per connection; closing it closes them all. */
    private static final class Server implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final List<Thread> threads = new CopyOnWriteArrayList<>();

        Server(Peer peer) throws IOException {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket socket = listener.accept();
                        sockets.add(socket);
                        Thread thread = new Thread(() -> {
                            try (socket) {
                                peer.serve(socket);
                            } catch (IOException e) {
                                // the link closed it, or the server is stopping
                            }
                        }, "bad-input-peer");
                        thread.setDaemon(true);
                        threads.add(thread);
                        thread.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "bad-input-accept");
            acceptor.setDaemon(true);
            threads.add(acceptor);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket socket : sockets) {
                socket.close();
            }
            for (Thread thread : threads) {
                thread.interrupt();
            }
        }
    }
}
