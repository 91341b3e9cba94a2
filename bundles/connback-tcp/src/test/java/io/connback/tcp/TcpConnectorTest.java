package io.connback.tcp;

import static io.connback.tcp.Events.await;
import static io.connback.tcp.TestServer.bytes;
import static io.connback.tcp.TestServer.readLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.ConnectTimeoutException;
import io.connback.KeepaliveTimeoutException;
import io.connback.link.FrameTooLongException;
import io.connback.link.Framing;
import io.connback.link.Link;
import io.connback.link.LinkSettings;
import io.connback.link.PongMatcher;
import io.connback.testing.LoopbackPorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.net.ServerSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The emulated devices of the test plan, over real loopback sockets, in real time. */
class TcpConnectorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final LinkSettings LINES =
            LinkSettings.builder().framing(Framing.delimiter(bytes("\n"))).maxFrameSize(64).build();

    /** Room for more than the socket buffers take, so that sends wait in the link. */
    private static final LinkSettings BIG_QUEUE = LinkSettings.builder().maxQueuedBytes(16 * 1024 * 1024).build();

    private final List<Connback<Link>> connbacks = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void endEverything() throws Exception {
        for (Connback<Link> connback : connbacks) {
            connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private TestServer server(TestServer.Device device) throws IOException {
        TestServer server = new TestServer(device);
        closeables.add(server);
        return server;
    }

    private static ConnbackOptions.Builder options() {
        return ConnbackOptions.builder().initialDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(200))
                .stableAfter(Duration.ZERO).keepalive(Duration.ZERO).connectTimeout(Duration.ofSeconds(5));
    }

    private static TcpConnector.Builder connectorTo(int port) {
        return TcpConnector.builder().host("127.0.0.1").port(port).linkSettings(LINES);
    }

    private Events start(TcpConnector connector, ConnbackOptions options) {
        Events events = new Events();
        connbacks.add(Connback.create(connector, options, events));
        return events;
    }

    private static void send(Link link, String text) throws Exception {
        link.send(bytes(text)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void anEchoDeviceReturnsTheFramesSentThroughTheLink() throws Exception {
        TestServer device = server(TestServer::echo);
        Events events = start(connectorTo(device.port()).build(), options().build());

        Link link = events.awaitConnects(1);
        assertThat(link.remote()).isEqualTo("127.0.0.1:" + device.port());
        send(link, "alpha\n");
        send(link, "beta\ngam");
        send(link, "ma\n");

        await(() -> events.frames.size() >= 3, WAIT, events::toString);
        assertThat(events.frames).containsExactly("alpha", "beta", "gamma");
        assertThat(events.errors).isEmpty();
    }

    @Test
    void aBurstLargerThanTheSocketBuffersIsWrittenWholeAndInOrder() throws Exception {
        TestServer device = server(TestServer::echo);
        int size = 8 * 1024 * 1024;
        LinkSettings raw = LinkSettings.builder().maxQueuedBytes(size).build();
        Events events = start(connectorTo(device.port()).linkSettings(raw).build(), options().build());
        Link link = events.awaitConnects(1);
        byte[] burst = new byte[size];
        for (int i = 0; i < size; i++) {
            burst[i] = (byte) (i * 31 + i / 7);
        }

        link.send(burst).toCompletableFuture().get(10, TimeUnit.SECONDS);

        await(() -> events.frames.stream().mapToInt(String::length).sum() >= size, WAIT,
                () -> "the echo of " + size + " bytes");
        assertThat(bytes(String.join("", events.frames))).isEqualTo(burst);
    }

    @Test
    void aRequestResponseDeviceAnsweringPingsStaysConnected() throws Exception {
        AtomicInteger pings = new AtomicInteger();
        TestServer device = server(socket -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (String request = readLine(in); request != null; request = readLine(in)) {
                if (request.equals("PING")) {
                    pings.incrementAndGet();
                    out.write(bytes("PONG\n"));
                } else {
                    out.write(bytes("ERR " + request + "\n"));
                }
            }
        });
        LinkSettings pinged = LINES.toBuilder().pingFrame(bytes("PING\n"))
                .pongMatcher(PongMatcher.prefix(bytes("PONG"))).build();
        Events events = start(connectorTo(device.port()).linkSettings(pinged).build(),
                options().keepalive(Duration.ofSeconds(1)).build());
        events.awaitConnects(1);

        long start = System.nanoTime();
        await(() -> System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(3500), WAIT, () -> "3.5 s");

        assertThat(events.closes).as("closes in 3.5 keepalive periods").isEmpty();
        assertThat(events.errors).isEmpty();
        assertThat(pings.get()).as("pings answered in 3.5 s, one a second").isGreaterThanOrEqualTo(3);
        assertThat(events.frames).contains("PONG").doesNotContain("ERR PING");
    }

    @Test
    void aSilentDeviceIsForceClosedWithinOneAndAHalfKeepalivesAndReconnected() throws Exception {
        TestServer device = server(TestServer::silent);
        Events events = start(connectorTo(device.port()).build(), options().keepalive(Duration.ofSeconds(1)).build());

        events.awaitConnects(2);

        Events.Timed<Throwable> timeout = events.errors.get(0);
        assertThat(timeout.value()).isInstanceOf(KeepaliveTimeoutException.class);
        long silentMillis = TimeUnit.NANOSECONDS.toMillis(timeout.nanos() - events.connects.get(0).nanos());
        assertThat(silentMillis).as("ms from connect to the keepalive timeout").isBetween(900L, 1500L);
        assertThat(events.closes.get(0).value()).as("closed with an error").isTrue();
        assertThat(device.ends.poll(5, TimeUnit.SECONDS)).as("the device saw its connection reset").isEqualTo("reset");
    }

    @Test
    void aStreamingSensorNeedsNoPingToStayConnected() throws Exception {
        TestServer sensor = server(socket -> {
            OutputStream out = socket.getOutputStream();
            for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                out.write(bytes("t=" + (20 + i % 5) + ".5\n"));
                Thread.sleep(100); // the sensor's own pace
            }
        });
        Events events = start(connectorTo(sensor.port()).build(),
                options().keepalive(Duration.ofMillis(600)).build());
        events.awaitConnects(1);

        long start = System.nanoTime();
        await(() -> System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(2000), WAIT, () -> "2 s");

        assertThat(events.closes).as("closes in 3 keepalive periods").isEmpty();
        assertThat(events.frames).hasSizeGreaterThanOrEqualTo(10).allMatch(frame -> frame.matches("t=2[0-4]\\.5"));
    }

    @Test
    void garbageAndOversizeFramesKeepTheLinkUpAndLaterFramesArriveIntact() throws Exception {
        byte[] garbage = new byte[1000];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (0x80 | i); // binary noise without any \n
        }
        TestServer faulty = server(socket -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            readLine(in); // the client is listening
            out.write(bytes("first\n"));
            out.write(garbage);
            out.write(bytes("\nsecond\n"));
            out.write(bytes("x".repeat(200) + "\n")); // a frame longer than maxFrameSize (64)
            out.write(bytes("third\n"));
            TestServer.echo(socket);
        });
        Events events = start(connectorTo(faulty.port()).build(), options().build());
        Link link = events.awaitConnects(1);

        send(link, "go\n");
        await(() -> events.frames.size() >= 3, WAIT, events::toString);
        send(link, "after\n");
        await(() -> events.frames.size() >= 4, WAIT, events::toString);

        assertThat(events.frames).containsExactly("first", "second", "third", "after");
        assertThat(events.framingErrors).hasSize(2).allMatch(error -> error instanceof FrameTooLongException);
        assertThat(link.isOpen()).isTrue();
        assertThat(events.closes).isEmpty();
        assertThat(events.connects).hasSize(1);
    }

    @Test
    void aGracefulEndWritesTheQueuedSendsBeforeItCloses() throws Exception {
        AtomicLong received = new AtomicLong();
        TestServer device = server(socket -> {
            Thread.sleep(300); // busy: the sends queue up in the link meanwhile
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received.addAndGet(n);
            }
        });
        Events events = start(connectorTo(device.port()).linkSettings(BIG_QUEUE).build(), options().build());
        Link link = events.awaitConnects(1);

        CompletableFuture<Void> sent = link.send(new byte[BIG_QUEUE.maxQueuedBytes()]).toCompletableFuture();
        connbacks.remove(0).end();

        sent.get(10, TimeUnit.SECONDS);
        assertThat(device.ends.poll(10, TimeUnit.SECONDS)).as("the device read to the end").isEqualTo("returned");
        assertThat(received.get()).isEqualTo(BIG_QUEUE.maxQueuedBytes());
    }

    @Test
    void aGracefulEndGivesUpAfterTwoSecondsOnADeviceThatReadsNothing() throws Exception {
        TestServer stuck = server(socket -> Thread.sleep(Long.MAX_VALUE));
        Events events = start(connectorTo(stuck.port()).linkSettings(BIG_QUEUE).build(), options().build());
        Link link = events.awaitConnects(1);
        CompletableFuture<Void> sent = link.send(new byte[BIG_QUEUE.maxQueuedBytes()]).toCompletableFuture();

        long ending = System.nanoTime();
        connbacks.remove(0).end();

        assertThatThrownBy(() -> sent.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ClosedChannelException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ending)).as("ms to give up")
                .isBetween(1900L, 4000L);
        assertThat(link.isOpen()).isFalse();
    }

    @Test
    void aForcedEndDropsTheQueuedSendsAtOnce() throws Exception {
        TestServer stuck = server(socket -> Thread.sleep(Long.MAX_VALUE));
        Events events = start(connectorTo(stuck.port()).linkSettings(BIG_QUEUE).build(), options().build());
        Link link = events.awaitConnects(1);
        CompletableFuture<Void> sent = link.send(new byte[BIG_QUEUE.maxQueuedBytes()]).toCompletableFuture();

        long ending = System.nanoTime();
        connbacks.remove(0).end(true);

        assertThatThrownBy(() -> sent.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ClosedChannelException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ending)).as("ms to drop").isLessThan(1000L);
        assertThat(link.isOpen()).isFalse();
        assertThat(link.send(bytes("late\n")).toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    void aRestartedServerIsReconnectedAfterRefusedAttempts() throws Exception {
        TestServer first = new TestServer(TestServer::echo);
        int port = first.port();
        Events events = start(connectorTo(port).build(), options().build());
        events.awaitConnects(1);

        first.close();
        await(() -> events.errors.size() >= 2, WAIT, events::toString);
        assertThat(events.closes.get(0).value()).as("a peer's close is no error").isFalse();
        assertThat(events.errorValues()).allMatch(error -> error instanceof ConnectException);
        TestServer second = new TestServer(ServerSocketFactory.getDefault(), port, TestServer::echo);
        closeables.add(second);

        Link link = events.awaitConnects(2);
        send(link, "again\n");
        await(() -> events.frames.contains("again"), WAIT, events::toString);
    }

    @Test
    void aRefusedConnectionFailsEachAttemptWithAConnectExceptionNamingTheServer() throws Exception {
        int closedPort = LoopbackPorts.belowEphemeralRange();
        Events events = start(connectorTo(closedPort).build(), options().build());

        await(() -> events.errors.size() >= 3, WAIT, events::toString);
        assertThat(events.errorValues()).allSatisfy(error -> assertThat(error).isInstanceOf(ConnectException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort));
        assertThat(events.connects).isEmpty();
    }

    @Test
    void aServerThatNeverAcceptsTimesOutEachAttempt() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Backlog backlog = Backlog.fill(full)) {
            Events events = start(connectorTo(full.getLocalPort()).build(),
                    options().connectTimeout(Duration.ofMillis(300)).build());

            long start = System.nanoTime();
            await(() -> events.errors.size() >= 2, WAIT, events::toString);

            assertThat(events.errorValues()).allMatch(error -> error instanceof ConnectTimeoutException);
            assertThat(TimeUnit.NANOSECONDS.toMillis(events.errors.get(0).nanos() - start))
                    .as("ms to the first timeout").isBetween(250L, 2000L);
            assertThat(events.connects).isEmpty();
            assertThat(backlog.size()).isPositive();
        }
    }

    @Test
    void endingEveryConnbackStopsTheSharedSelectorThread() throws Exception {
        TestServer device = server(TestServer::echo);
        Events one = start(connectorTo(device.port()).build(), options().build());
        Events two = start(connectorTo(device.port()).build(), options().build());
        one.awaitConnects(1);
        two.awaitConnects(1);
        assertThat(tcpThreads()).containsExactly("connback-tcp-selector");

        for (Connback<Link> connback : connbacks) {
            connback.end().whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        await(() -> tcpThreads().isEmpty(), WAIT, () -> "no connback-tcp thread, saw " + tcpThreads());
        assertThat(device.ends.poll(5, TimeUnit.SECONDS)).as("a graceful close").isEqualTo("returned");
    }

    @Test
    void aHostNameIsResolvedOnAResolverThread() throws Exception {
        TestServer device = server(TestServer::echo);
        Events events = start(TcpConnector.builder().host("localhost").port(device.port()).linkSettings(LINES).build(),
                options().build());

        Link link = events.awaitConnects(1);
        assertThat(link.remote()).isEqualTo("localhost:" + device.port());
        assertThat(tcpThreads()).as("threads, the resolver idling for 2 s").contains("connback-tcp-resolver-1");
        send(link, "named\n");
        await(() -> events.frames.contains("named"), WAIT, events::toString);
    }

    @Test
    void manyReconnectCyclesLeakNoFileDescriptorAndNoThread() throws Exception {
        awaitNoTcpThread();
        long baseline = openFileDescriptors();
        AtomicInteger selectorThreadsSeen = new AtomicInteger();
        TestServer closing = new TestServer(socket -> { }); // accepts and closes: the client sees EOF
        TestServer holding = new TestServer(TestServer::silent);

        // 100 cycles where the device closes, 100 where the application reconnects (a graceful close)
        Events dropped = start(connectorTo(closing.port()).build(), options().build());
        await(() -> dropped.connects.size() >= 100, Duration.ofSeconds(30), dropped::toString);
        AtomicReference<Connback<Link>> reconnecting = new AtomicReference<>();
        AtomicInteger connects = new AtomicInteger();
        reconnecting.set(Connback.create(connectorTo(holding.port()).build(), options().build(),
                new ConnbackListener<>() {
                    @Override
                    public void onConnect(Link link) {
                        selectorThreadsSeen.accumulateAndGet(tcpThreads().size(), Math::max);
                        if (connects.incrementAndGet() < 100) {
                            reconnecting.get().reconnect();
                        }
                    }
                }));
        connbacks.add(reconnecting.get());
        await(() -> connects.get() >= 100, Duration.ofSeconds(30), () -> connects + " connects");
        for (Connback<Link> connback : connbacks) {
            connback.end().whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        connbacks.clear();
        closing.close();
        holding.close();

        assertThat(selectorThreadsSeen.get()).as("connback-tcp threads while cycling").isEqualTo(1);
        awaitNoTcpThread();
        await(() -> openFileDescriptors() <= baseline, WAIT,
                () -> "fd count back to " + baseline + ", is " + openFileDescriptors());
    }

    // ---------------------------------------------------------------- helpers

    static List<String> tcpThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("connback-tcp")).toList();
    }

    static void awaitNoTcpThread() {
        await(() -> tcpThreads().isEmpty(), WAIT, () -> "no connback-tcp thread, saw " + tcpThreads());
    }

    private static long openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Connections that fill a listener's accept queue, so that the next connection attempt gets no answer. */
    private static final class Backlog implements AutoCloseable {
        private final List<Socket> fillers = new ArrayList<>();

        static Backlog fill(ServerSocket listener) throws IOException {
            Backlog backlog = new Backlog();
            for (int i = 0; i < 20; i++) {
                Socket filler = new Socket();
                try {
                    filler.connect(listener.getLocalSocketAddress(), 300);
                    backlog.fillers.add(filler);
                } catch (SocketTimeoutException e) {
                    filler.close();
                    return backlog; // the queue is full
                }
            }
            backlog.close();
            throw new AssertionError("the accept queue of " + listener + " never filled");
        }

        int size() {
            return fillers.size();
        }

        @Override
        public void close() throws IOException {
            for (Socket filler : fillers) {
                filler.close();
            }
        }
    }
}
