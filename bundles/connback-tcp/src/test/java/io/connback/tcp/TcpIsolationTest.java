package io.connback.tcp;

import static io.connback.tcp.TestServer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.link.AbstractLink;
import io.connback.link.Framing;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bound, over real sockets: 20 TCP links share the connector's selector thread, one of them has a frame
 * listener that blocks for 10 s, and the other 19 go on echoing with a round-trip p99 at most 50 ms above the one
 * measured just before, none of them closed and no echo lost.
 */
class TcpIsolationTest {

    private static final int LINKS = 20;
    private static final Duration BLOCKED_FOR = Duration.ofSeconds(10);
    private static final Duration BASELINE_FOR = Duration.ofSeconds(3);
    private static final long ROUND_PAUSE_MILLIS = 10;
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(5);
    private static final LinkSettings LINES =
            LinkSettings.builder().framing(Framing.delimiter(bytes("\n"))).maxFrameSize(64).build();

    private final List<Connback<Link>> connbacks = new ArrayList<>();
    private TestServer server;

    @AfterEach
    void endEverything() throws Exception {
        for (Connback<Link> connback : connbacks) {
            connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void one_listener_blocked_for_ten_seconds_leaves_the_other_links_round_trips_and_frames_alone()
            throws Exception {
        server = new TestServer(TestServer::echo);
        Link[] links = new Link[LINKS];
        AtomicLongArray sentAt = new AtomicLongArray(LINKS);
        List<List<Long>> roundTrips = new ArrayList<>();
        AtomicInteger closes = new AtomicInteger();
        AtomicInteger unexpectedFrames = new AtomicInteger();
        AtomicLong blockedCalls = new AtomicLong();
        CountDownLatch unblock = new CountDownLatch(1);
        CountDownLatch[] round = {new CountDownLatch(0)};
        CountDownLatch connected = new CountDownLatch(LINKS);
        for (int i = 0; i < LINKS; i++) {
            int index = i;
            List<Long> samples = Collections.synchronizedList(new ArrayList<>());
            roundTrips.add(samples);
            TcpConnector connector = TcpConnector.builder().host("127.0.0.1").port(server.port()).linkSettings(LINES)
                    .build();
            connbacks.add(Connback.create(connector, ConnbackOptions.builder().keepalive(Duration.ZERO)
                    .initialDelay(Duration.ofMillis(20)).build(), new ConnbackListener<>() {
                        @Override
                        public void onConnect(Link link) {
                            links[index] = link;
                            link.addFrameListener(frame -> {
                                if (index == 0) {
                                    if (StandardCharsets.ISO_8859_1.decode(frame).toString().equals("block")) {
                                        blockedCalls.incrementAndGet();
                                        awaitQuietly(unblock, BLOCKED_FOR);
                                    }
                                    return;
                                }
                                long sent = sentAt.getAndSet(index, 0);
                                if (sent == 0) {
                                    unexpectedFrames.incrementAndGet();
                                    return;
                                }
                                samples.add(System.nanoTime() - sent);
                                round[0].countDown();
                            });
                            connected.countDown();
                        }

                        @Override
                        public void onClose(boolean hasError) {
                            closes.incrementAndGet();
                        }
                    }));
        }
        assertThat(connected.await(20, TimeUnit.SECONDS)).as("all %d links connected", LINKS).isTrue();

        runRounds(links, sentAt, round, BASELINE_FOR);
        List<Long> before = pooled(roundTrips);
        roundTrips.forEach(List::clear);

        links[0].send(bytes("block\n"));
        Await.until("the blocking listener's call", Duration.ofSeconds(10), () -> blockedCalls.get() == 1);
        long blockedAt = System.nanoTime();
        runRounds(links, sentAt, round, BLOCKED_FOR.minus(Duration.ofSeconds(1)));
        boolean stillBlocked = System.nanoTime() - blockedAt < BLOCKED_FOR.toNanos();
        List<Long> during = pooled(roundTrips);
        unblock.countDown();

        assertThat(stillBlocked).as("measured while the listener blocked").isTrue();
        long p99Before = percentile(before, 0.99);
        long p99During = percentile(during, 0.99);
        assertThat(TimeUnit.NANOSECONDS.toMillis(p99During - p99Before))
                .as("round-trip p99 %.2f ms before, %.2f ms while one listener blocks (%d and %d samples)",
                        p99Before / 1e6, p99During / 1e6, before.size(), during.size())
                .isLessThanOrEqualTo(50);
        assertThat(closes.get()).as("links closed").isZero();
        assertThat(unexpectedFrames.get()).as("frames that were not the awaited echo").isZero();
        for (int i = 1; i < LINKS; i++) {
            assertThat(((AbstractLink) links[i]).droppedFrames()).as("frames dropped on link %d", i).isZero();
        }
        assertThat(links[0].isOpen()).as("the blocked link stays open").isTrue();
    }

    /** Rounds of one echo per link (but the blocked one), each round awaited whole, for the given time. */
    private static void runRounds(Link[] links, AtomicLongArray sentAt, CountDownLatch[] round, Duration time)
            throws InterruptedException {
        long end = System.nanoTime() + time.toNanos();
        int seq = 0;
        while (System.nanoTime() < end) {
            round[0] = new CountDownLatch(LINKS - 1);
            for (int i = 1; i < LINKS; i++) {
                sentAt.set(i, System.nanoTime());
                links[i].send(bytes("echo " + seq + "\n"));
            }
            links[0].send(bytes("queued " + seq + "\n")); // the blocked link's frames queue meanwhile
            assertThat(round[0].await(ROUND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("round %d: every link echoed within %s", seq, ROUND_TIMEOUT).isTrue();
            seq++;
            Thread.sleep(ROUND_PAUSE_MILLIS);
        }
    }

    private static List<Long> pooled(List<List<Long>> perLink) {
        List<Long> all = new ArrayList<>();
        for (List<Long> samples : perLink) {
            synchronized (samples) {
                all.addAll(samples);
            }
        }
        Collections.sort(all);
        return all;
    }

    private static long percentile(List<Long> sorted, double fraction) {
        assertThat(sorted).as("samples").isNotEmpty();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(fraction * sorted.size()) - 1));
    }

    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
