package io.connback.link;

import static io.connback.link.Recorder.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.ConnbackOptions;
import io.connback.Connector;
import io.connback.testing.Await;
import io.connback.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Frame listeners run off the reader's thread, so that a listener that blocks holds up its own link only. */
class DeliveryIsolationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A link on real delivery threads, with a watchdog of its own (the test's limit). */
    static final class ThreadedLink extends AbstractLink {
        ThreadedLink(String remote, LinkSettings settings, ThreadPoolExecutor pool, DeliveryWatchdog watchdog) {
            super(remote, settings, idleConnback(), pool, watchdog);
        }

        @Override
        protected void requestFlush() {}

        void read(String text) {
            received(bytes(text));
        }
    }

    private final ThreadPoolExecutor pool = DeliveryThreads.create("test-delivery");
    private final DeliveryWatchdog watchdog = new DeliveryWatchdog(Duration.ofMillis(300));
    private final CountDownLatch release = new CountDownLatch(1);
    private final LogRecorder log = new LogRecorder();

    @AfterEach
    void releaseAndStop() {
        release.countDown();
        pool.shutdown();
        log.close();
    }

    @Test
    void a_listener_that_blocks_holds_up_neither_the_reader_nor_another_link() {
        ThreadedLink stuck = link("stuck", LinkSettings.builder().framing(Framing.delimiter(new byte[] {'\n'})));
        ThreadedLink other = link("other", LinkSettings.builder().framing(Framing.delimiter(new byte[] {'\n'})));
        List<String> otherFrames = new CopyOnWriteArrayList<>();
        List<Thread> stuckThreads = new CopyOnWriteArrayList<>();
        stuck.addFrameListener(frame -> {
            stuckThreads.add(Thread.currentThread());
            awaitRelease();
        });
        other.addFrameListener(frame -> otherFrames.add(Recorder.text(frame)));

        long start = System.nanoTime();
        stuck.read("one\ntwo\n");
        other.read("a\nb\n");
        Await.until("the other link's frames", TIMEOUT, () -> otherFrames.size() == 2);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(otherFrames).containsExactly("a", "b");
        assertThat(elapsed).as("the other link's delivery while one listener blocks").isLessThan(Duration.ofSeconds(2));
        assertThat(stuckThreads).as("the stuck listener runs on a delivery thread, not the reader's")
                .doesNotContain(Thread.currentThread());
    }

    @Test
    void frames_beyond_max_queued_bytes_are_dropped_and_counted_and_the_link_stays_open() {
        ThreadedLink link = link("slow", LinkSettings.builder().framing(Framing.fixedLength(10)).maxQueuedBytes(35));
        List<String> frames = new CopyOnWriteArrayList<>();
        CountDownLatch firstCalled = new CountDownLatch(1);
        link.addFrameListener(frame -> {
            frames.add(Recorder.text(frame));
            firstCalled.countDown();
            awaitRelease();
        });

        link.read("frame-0000");
        await(firstCalled);
        for (int i = 1; i <= 6; i++) {
            link.read("frame-000" + i); // 3 fit in 35 bytes while the listener holds frame 0
        }
        assertThat(link.droppedFrames()).isEqualTo(3);
        release.countDown();

        Await.until("the queued frames", TIMEOUT, () -> frames.size() == 4);
        assertThat(frames).containsExactly("frame-0000", "frame-0001", "frame-0002", "frame-0003");
        Await.until("the INFO that counts the drops", TIMEOUT, () -> log.at(Level.INFO).stream()
                .anyMatch(r -> r.getMessage().contains("caught up; 3 frames were dropped")));
        assertThat(link.isOpen()).isTrue();
        link.read("frame-0007");
        Await.until("a frame after the drops", TIMEOUT, () -> frames.size() == 5);
        assertThat(frames).last().isEqualTo("frame-0007");
    }

    @Test
    void a_stuck_listener_is_reported_once_with_the_link_and_its_stack() {
        ThreadedLink link = link("meter7", LinkSettings.builder().framing(Framing.delimiter(new byte[] {'\n'})));
        CountDownLatch called = new CountDownLatch(1);
        link.addFrameListener(frame -> {
            called.countDown();
            awaitRelease();
        });

        link.read("x\n");
        await(called);
        Await.until("a WARNING", TIMEOUT, () -> !log.at(Level.WARNING).isEmpty());
        sleepPastSeveralWatchdogTicks();
        release.countDown();
        Await.until("the INFO once it returned", TIMEOUT,
                () -> log.at(Level.INFO).stream().anyMatch(r -> r.getMessage().contains("returned after")));

        assertThat(log.at(Level.WARNING)).singleElement().satisfies(warning -> {
            assertThat(warning.getMessage()).contains("meter7").contains("test-delivery-");
            assertThat(warning.getThrown().getStackTrace()).anySatisfy(frame ->
                    assertThat(frame.getMethodName()).isEqualTo("awaitRelease"));
        });
    }

    @Test
    void the_pong_matchers_made_by_pong_matcher_run_on_the_reader_and_others_on_the_delivery_thread() {
        List<Thread> matchedOn = new CopyOnWriteArrayList<>();
        PongMatcher own = frame -> {
            matchedOn.add(Thread.currentThread());
            return true;
        };
        ThreadedLink custom = link("custom", LinkSettings.builder().pongMatcher(own));
        custom.read("x");
        Await.until("the matcher's call", TIMEOUT, () -> matchedOn.size() == 1);
        assertThat(matchedOn.get(0)).isNotSameAs(Thread.currentThread());
        assertThat(matchedOn.get(0).getName()).startsWith("test-delivery-");
    }

    private ThreadedLink link(String name, LinkSettings.Builder settings) {
        return new ThreadedLink(name, settings.build(), pool, watchdog);
    }

    private void awaitRelease() {
        await(release);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("released in time").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The watchdog looks every 60 ms (a fifth of its limit); a second warning would come within this wait. */
    private static void sleepPastSeveralWatchdogTicks() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A Connback that never connects: the links here need one for heartbeats only. */
    private static Connback<Link> idleConnback() {
        return Connback.create(new Connector<Link>() {
            @Override
            public CompletionStage<Link> connect(Connback<Link> connback, CancellationToken token) {
                return new CompletableFuture<>();
            }

            @Override
            public void close(Link client, boolean force) {}
        }, ConnbackOptions.builder().scheduler(new VirtualScheduler()).build());
    }

    /** Records what the links log through java.util.logging, the System.Logger's default backend. */
    private static final class LogRecorder extends Handler {
        private final Logger logger = Logger.getLogger(AbstractLink.class.getName());
        private final List<LogRecord> records = new CopyOnWriteArrayList<>();

        LogRecorder() {
            logger.addHandler(this);
        }

        List<LogRecord> at(Level level) {
            List<LogRecord> matching = new ArrayList<>();
            for (LogRecord r : records) {
                if (r.getLevel().equals(level)) {
                    matching.add(r);
                }
            }
            return matching;
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
