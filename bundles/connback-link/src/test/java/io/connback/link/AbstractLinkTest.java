package io.connback.link;

import static io.connback.link.Recorder.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.ConnbackOptions;
import io.connback.Connector;
import io.connback.Subscription;
import io.connback.testing.VirtualScheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AbstractLinkTest {

    /** A link as a connector would write it, over a test channel. */
    static final class TestLink extends AbstractLink {
        final AtomicInteger flushRequests = new AtomicInteger();
        volatile Runnable onFlushRequest = () -> {};

        TestLink(LinkSettings settings, Connback<?> connback) {
            super("/dev/ttyTEST0", settings, connback, Runnable::run); // delivers on the reading test's thread
        }

        @Override
        protected void requestFlush() {
            flushRequests.incrementAndGet();
            onFlushRequest.run();
        }

        void read(String text) {
            received(bytes(text));
        }

        boolean flushTo(WritableByteChannel channel) throws IOException {
            return flush(channel);
        }

        boolean close() {
            return markClosed();
        }
    }

    /** Takes at most {@code perWrite} bytes per write and {@code capacity} bytes in all, like a full socket. */
    static final class SlowChannel implements WritableByteChannel {
        final ByteArrayOutputStream written = new ByteArrayOutputStream(); // synchronized
        int capacity;
        private final int perWrite;

        SlowChannel(int perWrite, int capacity) {
            this.perWrite = perWrite;
            this.capacity = capacity;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(Math.min(perWrite, capacity), src.remaining());
            byte[] bytes = new byte[n];
            src.get(bytes);
            written.writeBytes(bytes);
            capacity -= n;
            return n;
        }

        String text() {
            return written.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    /** Opens TestLinks for a Connback on virtual time and records what the Connback asks of it. */
    static final class TestConnector implements Connector<Link> {
        final LinkSettings settings;
        final List<TestLink> links = new ArrayList<>();
        final List<TestLink> closed = new ArrayList<>();
        int pings;

        TestConnector(LinkSettings settings) {
            this.settings = settings;
        }

        @Override
        public CompletionStage<Link> connect(Connback<Link> connback, CancellationToken token) {
            TestLink link = new TestLink(settings, connback);
            links.add(link);
            return CompletableFuture.completedFuture(link);
        }

        @Override
        public void close(Link link, boolean force) {
            ((TestLink) link).close();
            closed.add((TestLink) link);
        }

        @Override
        public void ping(Link link) {
            pings++;
            ((TestLink) link).sendPing();
        }
    }

    /**
     * Senders on their own threads and a writer thread that flushes when asked, partially (3 bytes per write), like a
     * connector's selector thread.
     */
    static final class ConcurrentSenders {
        static final int SENDERS = 4;
        static final int SENDS = 1000;

        private final TestLink link;
        private final Semaphore flushRequests = new Semaphore(0);
        private final SlowChannel channel = new SlowChannel(3, Integer.MAX_VALUE);
        private final List<List<CompletableFuture<Void>>> sends = new ArrayList<>();
        private final CountDownLatch firstSends = new CountDownLatch(SENDERS);
        private final List<Thread> senders = new ArrayList<>();
        private final Thread writer;
        private volatile boolean stopping;

        ConcurrentSenders(TestLink link) {
            this.link = link;
            link.onFlushRequest = flushRequests::release;
            for (int i = 0; i < SENDERS; i++) {
                String name = "s" + i;
                List<CompletableFuture<Void>> own = new ArrayList<>();
                sends.add(own);
                senders.add(new Thread(() -> {
                    for (int seq = 0; seq < SENDS; seq++) {
                        own.add(link.send(bytes(name + ":" + seq + ";")).toCompletableFuture());
                        if (seq == 10) {
                            firstSends.countDown();
                        }
                    }
                }, "connback-test-sender-" + i));
            }
            writer = new Thread(() -> {
                try {
                    while (!stopping) {
                        if (flushRequests.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                            link.flushTo(channel);
                        }
                    }
                } catch (InterruptedException | IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "connback-test-writer");
        }

        void start() {
            writer.start();
            senders.forEach(Thread::start);
        }

        void awaitFirstSends() throws InterruptedException {
            assertThat(firstSends.await(30, TimeUnit.SECONDS)).isTrue();
        }

        void awaitSenders() throws InterruptedException {
            for (Thread sender : senders) {
                sender.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(sender.isAlive()).isFalse();
            }
        }

        void stopWriter() throws InterruptedException {
            stopping = true;
            writer.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(writer.isAlive()).isFalse();
        }

        List<CompletableFuture<Void>> sends() {
            return sends.stream().flatMap(List::stream).toList();
        }

        CompletableFuture<Void> send(int sender, int seq) {
            return sends.get(sender).get(seq);
        }

        /**
         * The sequence numbers written whole, per sender, in the order they were written. A close may cut the last
         * message short: that send fails, and its fragment after the last {@code ;} does not count.
         */
        Map<String, List<Integer>> writtenPerSender() {
            Map<String, List<Integer>> written = new TreeMap<>();
            String text = channel.text();
            for (String message : text.substring(0, text.lastIndexOf(';') + 1).split(";")) {
                if (!message.isEmpty()) {
                    String[] parts = message.split(":");
                    written.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Integer.valueOf(parts[1]));
                }
            }
            return written;
        }
    }

    private final VirtualScheduler clock = new VirtualScheduler();
    private final List<Connback<Link>> connbacks = new ArrayList<>();

    private TestConnector connectWithKeepalive(Map<String, ?> linkProperties) {
        TestConnector connector = new TestConnector(LinkSettings.fromMap(linkProperties));
        connbacks.add(Connback.create(connector, ConnbackOptions.builder().keepalive(Duration.ofSeconds(10))
                .scheduler(clock).build()));
        clock.runReady();
        assertThat(connector.links).as("connected at once").hasSize(1);
        return connector;
    }

    private TestLink link(Map<String, ?> linkProperties) {
        return connectWithKeepalive(linkProperties).links.get(0);
    }

    private static Duration seconds(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    /** The reason a stage failed with; fails the test if it did not fail (yet). */
    private static Throwable failure(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().getNow(null);
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError(stage + " did not fail");
    }

    @AfterEach
    void endConnbacks() {
        connbacks.forEach(Connback::end);
        clock.runReady();
    }

    @Nested
    class Heartbeat {

        @Test
        void by_default_any_byte_is_a_heartbeat_even_without_a_complete_frame() {
            TestConnector connector = connectWithKeepalive(Map.of("framing", "delimiter:\\r\\n"));

            clock.advanceTo(seconds(4));
            connector.links.get(0).read("partial, no delimiter yet");
            clock.advanceTo(seconds(17.9));
            assertThat(connector.closed).as("dead after 1.4 x 10 s of silence: not yet").isEmpty();

            clock.advanceTo(seconds(18));
            assertThat(connector.closed).as("silent for 1.4 keepalives").hasSize(1);
        }

        @Test
        void with_a_pong_matcher_only_matching_frames_are_heartbeats() {
            TestConnector connector = connectWithKeepalive(Map.of("framing", "delimiter:\\r\\n", "pong.match",
                    "regex:^OK$"));
            TestLink link = connector.links.get(0);

            clock.advanceTo(seconds(3));
            link.read("ERROR\r\nOK");
            link.read(" then\r\nO");
            clock.advanceTo(seconds(13.9));
            assertThat(connector.closed).isEmpty();
            clock.advanceTo(seconds(14));
            assertThat(connector.closed).as("no matching frame: dead after 1.4 keepalives").containsExactly(link);
        }

        @Test
        void a_matching_frame_keeps_the_link_alive() {
            TestConnector connector = connectWithKeepalive(Map.of("framing", "delimiter:\\r\\n", "pong.match",
                    "regex:^OK$"));

            clock.advanceTo(seconds(4));
            connector.links.get(0).read("O");
            connector.links.get(0).read("K\r\n");
            clock.advanceTo(seconds(17.9));
            assertThat(connector.closed).isEmpty();
            clock.advanceTo(seconds(18));
            assertThat(connector.closed).hasSize(1);
        }

        @Test
        void the_keepalive_ping_queues_the_ping_frame() throws IOException {
            TestConnector connector = connectWithKeepalive(Map.of("ping.frame", "hex:01 03 00 00 00 01 84 0A"));
            TestLink link = connector.links.get(0);
            SlowChannel channel = new SlowChannel(64, 64);

            clock.advanceTo(seconds(9.9));
            assertThat(connector.pings).isZero();
            clock.advanceTo(seconds(10));

            assertThat(connector.pings).as("pinged after a keepalive without traffic").isEqualTo(1);
            assertThat(link.flushRequests).hasValue(1);
            assertThat(link.flushTo(channel)).isTrue();
            assertThat(channel.written.toByteArray()).isEqualTo(Frames.parse("hex:01 03 00 00 00 01 84 0A"));
        }

        @Test
        void without_a_ping_frame_a_ping_sends_nothing() {
            TestConnector connector = connectWithKeepalive(Map.of());

            clock.advanceTo(seconds(10));

            assertThat(connector.pings).isEqualTo(1);
            assertThat(connector.links.get(0).flushRequests).hasValue(0);
        }

        @Test
        void the_answer_to_a_ping_keeps_a_meter_that_only_answers_when_asked_alive() throws IOException {
            TestConnector connector = connectWithKeepalive(Map.of("ping.frame", "hex:01 03 00 00 00 01 84 0A",
                    "framing", "fixed:7", "pong.match", "hex:01 03"));
            TestLink link = connector.links.get(0);

            for (int second = 5; second <= 60; second += 5) {
                clock.advanceTo(seconds(second));
                SlowChannel wire = new SlowChannel(64, 64);
                assertThat(link.flushTo(wire)).isTrue();
                if (wire.written.size() > 0) {
                    link.read("\u0001\u0003\u0002\u0000\u0007\u00f9\u0086"); // asked: the meter answers at once
                }
            }

            assertThat(connector.closed).isEmpty();
            assertThat(connector.pings).isGreaterThanOrEqualTo(5);
        }
    }

    @Nested
    class Receiving {

        @Test
        void frames_that_arrive_before_the_first_listener_are_held_for_it() {
            TestLink link = link(Map.of("framing", "delimiter:;"));
            link.read("banner;T=21.5;");
            Recorder late = new Recorder();
            link.addFrameListener(late);
            link.read("T=21.6;");
            assertThat(late.frames).containsExactly("banner", "T=21.5", "T=21.6");
        }

        @Test
        void a_link_without_listener_holds_only_the_latest_frames() {
            TestLink link = link(Map.of("framing", "delimiter:;"));
            for (int i = 0; i < 1000; i++) {
                link.read(i + ";");
            }
            Recorder late = new Recorder();
            link.addFrameListener(late);
            assertThat(late.frames).hasSize(AbstractLink.MAX_HELD_FRAMES).startsWith("936").endsWith("999");
        }

        @Test
        void a_listener_added_while_frames_stream_in_gets_them_all_in_order_one_at_a_time() throws Exception {
            TestLink link = link(Map.of("framing", "delimiter:;"));
            List<Integer> seen = new ArrayList<>();
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            Thread reader = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    link.read(i + ";");
                }
            }, "connback-test-reader");
            reader.start();
            link.addFrameListener(frame -> {
                if (inside.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                seen.add(Integer.valueOf(Recorder.text(frame)));
                inside.decrementAndGet();
            });
            reader.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(overlaps).hasValue(0);
            assertThat(seen).isNotEmpty().endsWith(19_999);
            for (int i = 1; i < seen.size(); i++) {
                assertThat(seen.get(i)).as("frame %d follows frame %d", i, i - 1).isEqualTo(seen.get(i - 1) + 1);
            }
        }

        @Test
        void listeners_get_the_frames_in_order_and_each_its_own_view() {
            TestLink link = link(Map.of("framing", "delimiter:;"));
            Recorder first = new Recorder();
            List<ByteBuffer> kept = new ArrayList<>();
            link.addFrameListener(first);
            link.addFrameListener(frame -> {
                frame.get(); // moving this view must not affect the other listener
                kept.add(frame);
            });

            link.read("a1;b2;c");

            assertThat(first.frames).containsExactly("a1", "b2");
            assertThat(kept).extracting(Recorder::text).containsExactly("1", "2");
        }

        @Test
        void a_listener_that_throws_does_not_keep_the_others_from_their_frames() {
            TestLink link = link(Map.of("framing", "delimiter:;"));
            link.addFrameListener(frame -> {
                throw new IllegalStateException("application bug");
            });
            Recorder recorder = new Recorder();
            link.addFrameListener(recorder);

            link.read("a;b;");

            assertThat(recorder.frames).containsExactly("a", "b");
        }

        @Test
        void a_removed_listener_gets_nothing_more() {
            TestLink link = link(Map.of("framing", "delimiter:;"));
            Recorder recorder = new Recorder();
            Subscription subscription = link.addFrameListener(recorder);

            link.read("a;");
            subscription.close();
            subscription.close();
            link.read("b;");

            assertThat(recorder.frames).containsExactly("a");
        }

        @Test
        void framing_errors_reach_the_listeners_and_the_link_stays_open() {
            TestLink link = link(Map.of("framing", "delimiter:;", "maxFrameSize", 4));
            Recorder recorder = new Recorder();
            link.addFrameListener(recorder);

            link.read("toolong;ok;");

            assertThat(recorder.errors).singleElement().isInstanceOf(FrameTooLongException.class);
            assertThat(recorder.frames).containsExactly("ok");
            assertThat(link.isOpen()).isTrue();
        }
    }

    @Nested
    class Sending {

        @Test
        void sends_are_copied_queued_and_written_in_order_across_partial_writes() throws IOException {
            TestLink link = link(Map.of());
            byte[] reused = "hello ".getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer buffer = ByteBuffer.wrap(reused);
            CompletableFuture<Void> first = link.send(buffer).toCompletableFuture();
            assertThat(buffer.position()).as("the caller's buffer is not moved").isZero();
            reused[0] = 'J';
            CompletableFuture<Void> second = link.send("world".getBytes(StandardCharsets.ISO_8859_1))
                    .toCompletableFuture();
            SlowChannel channel = new SlowChannel(4, 8);

            assertThat(link.flushRequests).as("one request until a flush starts").hasValue(1);
            assertThat(link.flushTo(channel)).as("the channel is full").isFalse();
            assertThat(first).isCompleted();
            assertThat(second).isNotDone();

            channel.capacity = 100;
            assertThat(link.flushTo(channel)).isTrue();
            assertThat(second).isCompleted();
            assertThat(channel.text()).isEqualTo("hello world");
        }

        @Test
        void a_send_that_does_not_fit_the_queue_fails_and_leaves_it_as_it_was() throws IOException {
            TestLink link = link(Map.of("maxQueuedBytes", 10));
            CompletionStage<Void> six = link.send(bytes("123456"));
            CompletableFuture<Void> five = link.send(bytes("abcde")).toCompletableFuture();

            assertThat(five).isCompletedExceptionally();
            assertThat(failure(five)).isInstanceOf(SendQueueFullException.class)
                    .hasMessageContaining("5 bytes do not fit").hasMessageContaining("6 of 10 bytes queued");
            assertThat(link.send(bytes("abcd")).toCompletableFuture()).isNotDone();

            SlowChannel channel = new SlowChannel(100, 100);
            link.flushTo(channel);
            assertThat(six.toCompletableFuture()).isCompleted();
            assertThat(link.send(bytes("0123456789")).toCompletableFuture()).as("room again").isNotDone();
            assertThat(link.send(bytes("0123456789A")).toCompletableFuture()).as("never fits")
                    .isCompletedExceptionally();
            link.flushTo(channel);
            assertThat(channel.text()).isEqualTo("123456abcd0123456789");
        }

        @Test
        void closing_fails_the_queued_sends_and_later_ones() {
            TestLink link = link(Map.of());
            CompletableFuture<Void> queued = link.send(bytes("pending")).toCompletableFuture();

            assertThat(link.close()).isTrue();
            assertThat(link.close()).as("once").isFalse();

            assertThat(link.isOpen()).isFalse();
            assertThat(failure(queued)).isInstanceOf(ClosedChannelException.class);
            assertThat(failure(link.send(bytes("late"))))
                    .isInstanceOf(ClosedChannelException.class);
            assertThat(link).hasToString("TestLink[/dev/ttyTEST0, closed]");
        }

        @Test
        void concurrent_sends_are_all_written_in_order_per_sender() throws Exception {
            ConcurrentSenders run = new ConcurrentSenders(link(Map.of("maxQueuedBytes", 16 * 1024 * 1024)));

            run.start();
            run.awaitSenders();
            List<CompletableFuture<Void>> all = run.sends();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            run.stopWriter();

            assertThat(run.writtenPerSender()).allSatisfy(
                    (sender, sequence) -> assertThat(sequence).as("sender %s", sender)
                            .isEqualTo(IntStream.range(0, ConcurrentSenders.SENDS).boxed().toList()));
        }

        @Test
        void a_close_racing_with_sends_leaves_no_send_pending_and_completes_only_written_ones() throws Exception {
            TestLink link = link(Map.of("maxQueuedBytes", 16 * 1024 * 1024));
            ConcurrentSenders run = new ConcurrentSenders(link);

            run.start();
            run.awaitFirstSends();
            link.close();
            run.awaitSenders();
            run.stopWriter();

            Map<String, List<Integer>> written = run.writtenPerSender();
            for (int sender = 0; sender < ConcurrentSenders.SENDERS; sender++) {
                for (int seq = 0; seq < ConcurrentSenders.SENDS; seq++) {
                    CompletableFuture<Void> send = run.send(sender, seq);
                    assertThat(send).as("send %d:%d", sender, seq).isDone();
                    if (!send.isCompletedExceptionally()) {
                        assertThat(written.get("s" + sender)).as("completed, so written").contains(seq);
                    } else {
                        assertThat(failure(send)).isInstanceOf(ClosedChannelException.class);
                    }
                }
            }
        }

        @Test
        void an_empty_send_completes_at_once() {
            TestLink link = link(Map.of());
            assertThat(link.send(new byte[0]).toCompletableFuture()).isCompleted();
            assertThat(link.flushRequests).hasValue(0);
        }

        @Test
        void describes_the_remote_end() {
            TestLink link = link(Map.of());
            assertThat(link.remote()).isEqualTo("/dev/ttyTEST0");
            assertThat(link.isOpen()).isTrue();
            assertThat(link).hasToString("TestLink[/dev/ttyTEST0]");
        }
    }
}
