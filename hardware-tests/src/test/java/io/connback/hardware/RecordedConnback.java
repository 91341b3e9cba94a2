package io.connback.hardware;

import static org.assertj.core.api.Assertions.fail;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.Connector;
import io.connback.link.FrameListener;
import io.connback.link.FramingException;
import io.connback.link.Link;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A Connback run as an application runs it, with everything it reports recorded and timed ({@link System#nanoTime()}
 * when the application hears of it): its events, and the frames and framing errors of every link it connects. Tests
 * take a time, act (unplug, replug, inject a fault), then wait for what they expect after that time; the figures are
 * the recorded times, not the waiting, which polls.
 */
final class RecordedConnback implements AutoCloseable {

    /** The events of {@link ConnbackListener}. */
    enum Kind { CONNECT, RECONNECT, CLOSE, OFFLINE, ERROR, END }

    /**
     * One event.
     *
     * @param link the connected link, for {@link Kind#CONNECT}
     * @param error the error, for {@link Kind#ERROR}
     */
    record Event(Kind kind, long nanos, Link link, Throwable error) {}

    /**
     * What a link delivered to its frame listener: a frame, or a framing error.
     *
     * @param bytes the frame, null for an error
     * @param error the framing error, null for a frame
     */
    record Received(Link link, long nanos, byte[] bytes, FramingException error) {

        boolean isFrame() {
            return bytes != null;
        }

        String text() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private static final Duration POLL_STEP = Duration.ofMillis(1);
    private static final Duration END_TIMEOUT = Duration.ofSeconds(5);
    /** How many of the latest events a failure message lists. */
    private static final int DESCRIBED_EVENTS = 12;

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Connback<Link> connback;

    private RecordedConnback(Connector<Link> connector, ConnbackOptions options) {
        connback = Connback.create(connector, options, new Recorder());
    }

    /**
     * Creates the Connback, which starts connecting at once; its events are recorded from the first.
     *
     * @return the running Connback, ended by {@link #close()}
     */
    static RecordedConnback start(Connector<Link> connector, ConnbackOptions options) {
        return new RecordedConnback(connector, options);
    }

    Connback<Link> connback() {
        return connback;
    }

    /** The first event of that kind at or after {@code since}, waiting for it at most {@code timeout}. */
    Event await(Kind kind, long since, Duration timeout) {
        return awaitValue(kind + " after " + describe(since), timeout,
                () -> events.stream().filter(e -> e.kind() == kind && e.nanos() - since >= 0).findFirst());
    }

    /** The events of that kind at or after {@code since}, in order. */
    List<Event> events(Kind kind, long since) {
        return events.stream().filter(e -> e.kind() == kind && e.nanos() - since >= 0).toList();
    }

    /** The first frame or framing error at or after {@code since} that {@code wanted} accepts. */
    Received awaitReceived(Predicate<Received> wanted, String what, long since, Duration timeout) {
        return awaitValue(what + " after " + describe(since), timeout,
                () -> received.stream().filter(r -> r.nanos() - since >= 0 && wanted.test(r)).findFirst());
    }

    /** The frame that {@code link} delivers next at or after {@code since}. */
    Received awaitFrame(Link link, long since, Duration timeout) {
        return awaitReceived(r -> r.link() == link && r.isFrame(), "a frame of " + link, since, timeout);
    }

    /** What {@code link} delivered at or after {@code since}, frames and framing errors, in order. */
    List<Received> received(Link link, long since) {
        return received.stream().filter(r -> r.link() == link && r.nanos() - since >= 0).toList();
    }

    /** Ends the Connback and waits for it to end. */
    @Override
    public void close() throws ExecutionException, TimeoutException {
        end();
    }

    /** Ends the Connback and waits for it to end; closing later does nothing more. */
    void end() throws ExecutionException, TimeoutException {
        try {
            connback.end().whenEnded().toCompletableFuture().get(END_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while ending " + connback, e);
        }
    }

    static double millisBetween(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e6;
    }

    /**
     * Polls {@code probe} until it has a value; fails naming {@code what} and the recorded events when the timeout
     * passes.
     */
    <T> T awaitValue(String what, Duration timeout, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() - deadline > 0) {
                return fail("no %s within %d ms; events: %s", what, timeout.toMillis(), describeEvents());
            }
            sleepOneStep();
        }
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} when the timeout passes. */
    void awaitTrue(String what, Duration timeout, BooleanSupplier condition) {
        awaitValue(what, timeout, () -> condition.getAsBoolean() ? Optional.of(true) : Optional.empty());
    }

    private static void sleepOneStep() {
        try {
            Thread.sleep(POLL_STEP.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while waiting", e);
        }
    }

    private String describe(long nanos) {
        return String.format("%.1f ms ago", millisBetween(nanos, System.nanoTime()));
    }

    private String describeEvents() {
        long now = System.nanoTime();
        return events.stream().skip(Math.max(0, events.size() - DESCRIBED_EVENTS))
                .map(e -> String.format("%s%s at -%.1f ms", e.kind(), e.error() == null ? "" : " " + e.error(),
                        millisBetween(e.nanos(), now)))
                .collect(Collectors.joining(", ", events.size() > DESCRIBED_EVENTS ? "[... " : "[", "]"));
    }

    /** Records the events and, on each connect, listens to the frames of the new link. */
    private final class Recorder implements ConnbackListener<Link> {

        private void record(Kind kind, Link link, Throwable error) {
            events.add(new Event(kind, System.nanoTime(), link, error));
        }

        @Override
        public void onConnect(Link link) {
            record(Kind.CONNECT, link, null);
            link.addFrameListener(new FrameListener() {
                @Override
                public void onFrame(ByteBuffer frame) {
                    byte[] bytes = new byte[frame.remaining()];
                    frame.get(bytes);
                    received.add(new Received(link, System.nanoTime(), bytes, null));
                }

                @Override
                public void onFramingError(FramingException error) {
                    received.add(new Received(link, System.nanoTime(), null, error));
                }
            });
        }

        @Override
        public void onReconnect() {
            record(Kind.RECONNECT, null, null);
        }

        @Override
        public void onClose(boolean hasError) {
            record(Kind.CLOSE, null, null);
        }

        @Override
        public void onOffline() {
            record(Kind.OFFLINE, null, null);
        }

        @Override
        public void onError(Throwable error) {
            record(Kind.ERROR, null, error);
        }

        @Override
        public void onEnd() {
            record(Kind.END, null, null);
        }
    }
}
