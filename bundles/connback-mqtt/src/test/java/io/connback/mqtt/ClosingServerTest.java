package io.connback.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.Connback;
import io.connback.link.mqtt.MqttLink;
import io.connback.testing.LoopbackPorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server that accepts and closes at once, as a proxy or a load balancer in front of a stopped broker does. Paho
 * 1.2.5 leaks its connecting thread when the close, or a shutdown of the client, comes while that thread polls for
 * the threads it starts (see {@code WriteFirstSocketFactory}); a gateway retrying for hours must not.
 */
class ClosingServerTest {

    private static final int ATTEMPTS = 15;
    private static final int ENDS = 10;

    private final Fixture fixture = new Fixture();

    @AfterEach
    void endAll() throws Exception {
        fixture.endAll();
    }

    @Test
    void attemptsAgainstAServerThatClosesAtOnceLeaveNoPahoThreadBehind() throws Exception {
        String clientId = "closing-server-client";
        try (ClosingServer server = new ClosingServer()) {
            Recorder recorder = new Recorder();
            Connback<MqttLink> connback = fixture.start(connector(server, clientId), recorder);

            Recorder.await(() -> server.accepted.get() >= ATTEMPTS, () -> "attempts: " + server.accepted.get());
            server.stopAccepting(); // later attempts are refused, before Paho starts any thread
            Recorder.await(() -> Fixture.pahoThreadsOf(clientId).isEmpty(),
                    () -> "Paho threads left after " + server.accepted.get() + " attempts: "
                            + Fixture.pahoThreadsOf(clientId));
            assertThat(recorder.connects).isEmpty();
            connback.end().whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void endingWhileAnAttemptStartsItsThreadsLeavesNoPahoThreadBehind() throws Exception {
        String clientId = "ended-client";
        try (ClosingServer server = new ClosingServer()) {
            for (int cycle = 0; cycle < ENDS; cycle++) {
                Connback<MqttLink> connback = fixture.start(connector(server, clientId), new Recorder());
                int before = server.accepted.get();
                Recorder.await(() -> server.accepted.get() > before, () -> "an attempt");
                Thread.sleep(ThreadLocalRandom.current().nextLong(150)); // somewhere in Paho's polls, or after them
                connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            Recorder.await(() -> Fixture.pahoThreadsOf(clientId).isEmpty(),
                    () -> "Paho threads left after " + ENDS + " ends: " + Fixture.pahoThreadsOf(clientId));
        }
    }

    private static MqttConnector connector(ClosingServer server, String clientId) {
        return MqttConnector.builder().serverUri("tcp://127.0.0.1:" + server.port()).clientId(clientId).build();
    }

    /** Accepts connections and closes each at once, without a byte. */
    private static final class ClosingServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final AtomicInteger accepted = new AtomicInteger();

        ClosingServer() throws IOException {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), LoopbackPorts.belowEphemeralRange()));
            Thread acceptor = new Thread(this::acceptAndClose, "closing-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void stopAccepting() throws IOException {
            server.close();
        }

        private void acceptAndClose() {
            while (!server.isClosed()) {
                try {
                    server.accept().close();
                    accepted.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
