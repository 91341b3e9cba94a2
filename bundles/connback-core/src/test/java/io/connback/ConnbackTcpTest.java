package io.connback;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.testing.Await;
import io.connback.testing.LoopbackPorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seed's own scenarios over real loopback sockets, in real time. */
class ConnbackTcpTest {

    private final ExecutorService io = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "test-tcp-io");
        thread.setDaemon(true);
        return thread;
    });

    @AfterEach
    void stop() throws InterruptedException {
        io.shutdownNow();
        assertThat(io.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A small test connector: connects on a test thread and feeds EOF and errors of a blocking reader. */
    private final class SocketConnector implements Connector<SocketChannel> {
        private final InetSocketAddress address;

        SocketConnector(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public CompletionStage<SocketChannel> connect(Connback<SocketChannel> connback, CancellationToken token) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    SocketChannel channel = SocketChannel.open(address);
                    io.execute(() -> read(channel, connback));
                    return channel;
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, io);
        }

        private void read(SocketChannel channel, Connback<SocketChannel> connback) {
            try (InputStream in = channel.socket().getInputStream()) {
                byte[] buffer = new byte[256];
                while (in.read(buffer) >= 0) {
                    connback.feedHeartbeat();
                }
                connback.feedClose();
            } catch (IOException e) {
                if (channel.isOpen()) {
                    connback.feedError(e);
                }
            }
        }

        @Override
        public void close(SocketChannel client, boolean force) throws IOException {
            client.close();
        }
    }

    /** Records events as short strings; given to {@code create}, so it sees every event from the first. */
    private static final class Recorder implements ConnbackListener<SocketChannel> {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onConnect(SocketChannel client) {
            events.add("connect");
        }

        @Override
        public void onReconnect() {
            events.add("reconnect");
        }

        @Override
        public void onClose(boolean hasError) {
            events.add("close");
        }

        @Override
        public void onOffline() {
            events.add("offline");
        }

        @Override
        public void onError(Throwable error) {
            events.add("error:" + error.getClass().getSimpleName());
        }

        @Override
        public void onEnd() {
            events.add("end");
        }
    }

    private static ConnbackOptions fastRetries() {
        return ConnbackOptions.builder().initialDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(100))
                .keepalive(Duration.ZERO).stableAfter(Duration.ZERO).build();
    }

    @Test
    void aRefusedConnectionEmitsAnErrorCarryingTheConnectException() throws Exception {
        int closedPort = LoopbackPorts.belowEphemeralRange();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Connback<SocketChannel> connback = Connback.create(
                new SocketConnector(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort)),
                fastRetries(), new ConnbackListener<SocketChannel>() {
                    @Override
                    public void onError(Throwable error) {
                        errors.add(error);
                    }
                });
        awaitTrue(() -> errors.size() >= 3);
        assertThat(errors).first().isInstanceOf(ConnectException.class);
        connback.end().whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void endWorksOnAConnectionThatNeverSucceededToAnUnresolvableHost() throws Exception {
        InetSocketAddress unresolvable = InetSocketAddress.createUnresolved("no-such-host.invalid", 1883);
        Recorder recorder = new Recorder();
        Connback<SocketChannel> connback = Connback.create(new SocketConnector(unresolvable), fastRetries(), recorder);
        List<String> events = recorder.events;
        awaitTrue(() -> events.contains("offline"));
        assertThat(events).contains("error:" + UnresolvedAddressException.class.getSimpleName());
        connback.end().whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(events).last().isEqualTo("end");
        assertThat(events).doesNotContain("connect", "close");
        assertThat(connback.isEnded()).isTrue();
    }

    @Test
    void aServerThatGoesAwayAndComesBackIsReconnected() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int port = LoopbackPorts.belowEphemeralRange(); // a reconnecting client never connects to itself there
        ServerSocket server = new ServerSocket(port, 50, loopback);
        Recorder recorder = new Recorder();
        Connback<SocketChannel> connback = Connback.create(new SocketConnector(new InetSocketAddress(loopback, port)),
                fastRetries(), recorder);
        List<String> events = recorder.events;
        Socket accepted = server.accept();
        awaitTrue(connback::isConnected, events);

        server.close(); // first: a reconnect must not land in the backlog of a listener about to close
        accepted.close();
        awaitTrue(() -> events.contains("error:ConnectException"), events);
        assertThat(events).containsSubsequence("connect", "close", "offline", "reconnect", "error:ConnectException");
        assertThat(connback.isConnected()).isFalse();

        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress(loopback, port));
            try (Socket second = again.accept()) {
                awaitTrue(connback::isConnected, events);
                assertThat(events).last().isEqualTo("connect");
                SocketChannel client = connback.client().orElseThrow();
                connback.end().whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(client.isOpen()).isFalse();
                assertThat(second.getInputStream().read()).as("the server sees the close").isEqualTo(-1);
            }
        }
        assertThat(events).endsWith("close", "end");
    }

    private static void awaitTrue(BooleanSupplier condition) {
        awaitTrue(condition, List.of());
    }

    private static void awaitTrue(BooleanSupplier condition, List<String> events) {
        Await.until(() -> "the condition; events: " + events, Duration.ofSeconds(10), condition);
    }
}
