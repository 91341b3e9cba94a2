package io.connback.mqtt;

import static io.connback.mqtt.Recorder.await;
import static io.connback.mqtt.Recorder.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.Connback;
import io.connback.ConnectTimeoutException;
import io.connback.ConnectionState;
import io.connback.KeepaliveTimeoutException;
import io.connback.RetriesExhaustedException;
import io.connback.link.mqtt.MqttConnectionRefusedException;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.OfflineQueueFullException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Brokers of each kind that stop, start late, refuse the client or go silent, in real time. */
class MqttReconnectTest {

    private final Fixture fixture = new Fixture();

    @AfterEach
    void endConnbacks() throws Exception {
        fixture.endAll();
    }

    private static List<CompletableFuture<Void>> publish(MqttLink link, String topic, int from, int to) {
        return IntStream.rangeClosed(from, to)
                .mapToObj(i -> link.publish(topic, utf8("m" + i), 1, false).toCompletableFuture()).toList();
    }

    private static List<String> texts(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "m" + i).toList();
    }

    @BrokerTest
    void afterABrokerRestartTheSubscriptionsAreBackAndTheMessagesPublishedMeanwhileArriveInOrder(BrokerKind kind)
            throws Exception {
        TestBroker broker = fixture.broker(kind).start();
        Recorder recorder = new Recorder();
        fixture.start(MqttConnector.builder().serverUri(broker.uri()).build(), recorder);
        MqttLink link = recorder.awaitConnects(1);
        link.subscribe("restart/#", 1, recorder);
        publish(link, "restart/t", 1, 1).get(0).get(10, TimeUnit.SECONDS);
        recorder.awaitMessages(1);

        broker.stop();
        await(() -> !link.isConnected(), () -> "the link's loss noticed, " + recorder);
        List<CompletableFuture<Void>> offline = publish(link, "restart/t", 2, 6);
        assertThat(offline).noneMatch(CompletableFuture::isDone);
        broker.start();

        recorder.awaitConnects(2);
        CompletableFuture.allOf(offline.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        recorder.awaitMessages(6);
        assertThat(recorder.texts()).containsExactlyElementsOf(texts(1, 6));
        assertThat(recorder.closes).extracting(Recorder.Timed::value).containsExactly(true);
        assertThat(recorder.connectedOnConnect).containsExactly(true, true);
        assertThat(recorder.errorValues()).first().asString().contains("connection to " + broker.uri() + " lost");
        assertThat(link.queuedMessages()).isZero();
    }

    @BrokerTest
    void aFailedFirstConnectionIsRetriedAndWhatWasPublishedBeforeIsSentOnceConnected(BrokerKind kind) throws Exception {
        TestBroker broker = fixture.broker(kind); // not started yet
        Recorder recorder = new Recorder();
        MqttConnector connector = MqttConnector.builder().serverUri(broker.uri()).build();
        Connback<MqttLink> connback = fixture.start(connector, recorder);
        MqttLink link = connector.link(connback);
        link.subscribe("early/#", 1, recorder);
        List<CompletableFuture<Void>> early = publish(link, "early/t", 1, 3);

        await(() -> recorder.errors.size() >= 3, () -> "three failed attempts, " + recorder);
        assertThat(recorder.errorValues()).allSatisfy(error -> assertThat(error)
                .isInstanceOf(ConnectException.class).hasMessageContaining("cannot connect to " + broker.uri()));
        assertThat(link.queuedMessages()).isEqualTo(3);
        broker.start();

        recorder.awaitConnects(1);
        CompletableFuture.allOf(early.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        recorder.awaitMessages(3);
        assertThat(recorder.texts()).containsExactlyElementsOf(texts(1, 3));
    }

    @BrokerTest
    void aFullQueueDropsTheOldestMessagesAndCountsThem(BrokerKind kind) throws Exception {
        TestBroker broker = fixture.broker(kind);
        Recorder recorder = new Recorder();
        MqttConnector connector = MqttConnector.builder().serverUri(broker.uri()).offlineQueueSize(3).build();
        MqttLink link = connector.link(fixture.start(connector, recorder));
        link.subscribe("drop/#", 1, recorder);

        List<CompletableFuture<Void>> sent = publish(link, "drop/t", 1, 5);

        for (int i = 0; i < 2; i++) {
            assertThat(sent.get(i)).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(OfflineQueueFullException.class)
                    .withMessageContaining("dropped message #" + i);
        }
        assertThat(link.droppedMessages()).isEqualTo(2);
        assertThat(link.queuedMessages()).isEqualTo(3);
        broker.start();
        recorder.awaitMessages(3);
        assertThat(recorder.texts()).containsExactlyElementsOf(texts(3, 5));
    }

    @BrokerTest
    void aFullQueueWithTheRefusePolicyRefusesTheNewMessages(BrokerKind kind) {
        TestBroker broker = fixture.broker(kind);
        Recorder recorder = new Recorder();
        MqttConnector connector = MqttConnector.fromMap(Map.of("serverUri", broker.uri(),
                "offlineQueueSize", 3, "offlineQueuePolicy", "refuse"));
        MqttLink link = connector.link(fixture.start(connector, recorder));
        link.subscribe("refuse/#", 1, recorder);

        List<CompletableFuture<Void>> sent = publish(link, "refuse/t", 1, 5);

        assertThat(sent.subList(3, 5)).allSatisfy(stage -> assertThat(stage).isCompletedExceptionally());
        assertThat(sent.get(4)).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(OfflineQueueFullException.class).withMessageContaining("refused message #4");
        assertThat(link.droppedMessages()).isEqualTo(2);
        broker.start();
        recorder.awaitMessages(3);
        assertThat(recorder.texts()).containsExactlyElementsOf(texts(1, 3));
    }

    @BrokerTest
    void refusedCredentialsAreAClearErrorRetriedAsThePolicySaysAndThePasswordIsNeverLogged(BrokerKind kind)
            throws Exception {
        String secret = "wrong-secret-4711";
        TestBroker broker = fixture.broker(kind).credentials("gateway", "right-secret").start();
        MqttConnector wrong = MqttConnector.fromMap(Map.of("serverUri", broker.uri(),
                "username", "gateway", "password", secret));
        // Paho's threads may still be logging while the assertions read the lines
        List<String> logged = new CopyOnWriteArrayList<>();
        List<Logger> loggers = List.of(Logger.getLogger(""), Logger.getLogger("io.connback"),
                Logger.getLogger("org.eclipse.paho"));
        List<Level> levels = loggers.stream().map(Logger::getLevel).toList();
        Handler capture = capture(loggers, logged);
        Recorder retrying = new Recorder();
        Recorder givingUp = new Recorder();
        try {
            fixture.start(wrong, retrying);
            Connback<MqttLink> stopsOnAuthFailure = fixture.start(wrong, Fixture.options()
                    .retry((error, attempt) -> !(error instanceof MqttConnectionRefusedException refused
                            && refused.isAuthenticationFailure())).build(), givingUp);

            await(() -> retrying.errors.size() >= 3, () -> "three refused attempts, " + retrying);
            await(() -> stopsOnAuthFailure.state() == ConnectionState.OFFLINE, () -> "given up, " + givingUp);
        } finally {
            loggers.get(0).removeHandler(capture);
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).setLevel(levels.get(i));
            }
        }

        int returnCode = broker.badCredentialsReturnCode();
        assertThat(retrying.errors.get(0).value()).isInstanceOfSatisfying(MqttConnectionRefusedException.class,
                refused -> assertThat(refused.isAuthenticationFailure()).isTrue())
                .hasMessageStartingWith(broker.uri() + " refused the connection: ")
                .hasMessageEndingWith(" (CONNACK return code " + returnCode + ")");
        assertThat(givingUp.errorValues()).hasSize(2).last().isInstanceOf(RetriesExhaustedException.class);
        assertThat(logged).isNotEmpty().noneMatch(line -> line.contains(secret));
        assertThat(wrong.toString()).contains("username=gateway").doesNotContain(secret);

        Recorder right = new Recorder();
        fixture.start(MqttConnector.fromMap(Map.of("serverUri", broker.uri(), "username", "gateway",
                "password", "right-secret")), right);
        right.awaitConnects(1);
    }

    @BrokerTest
    void aBrokerThatGoesSilentIsClosedWithinOneAndAHalfKeepalivesAndWhatWasInFlightIsSentAgain(BrokerKind kind)
            throws Exception {
        TestBroker broker = fixture.broker(kind).start();
        BlackholeProxy proxy = fixture.closeAfter(new BlackholeProxy(broker.port));
        Duration keepalive = Duration.ofSeconds(1);
        Recorder recorder = new Recorder();
        // the attempts made while the proxy is silent wait for the connect timeout
        fixture.start(MqttConnector.builder().serverUri(proxy.uri()).build(),
                Fixture.options().keepalive(keepalive).connectTimeout(Duration.ofSeconds(1)).build(), recorder);
        MqttLink link = recorder.awaitConnects(1);
        link.subscribe("silent/#", 1, recorder);

        // idle for more than two keepalives: the pings are answered, nothing closes
        long idleUntil = System.nanoTime() + keepalive.multipliedBy(5).dividedBy(2).toNanos();
        while (System.nanoTime() < idleUntil) {
            Thread.sleep(50);
        }
        assertThat(recorder.closes).as("closes while the broker answers pings, %s", recorder).isEmpty();
        assertThat(link.isConnected()).isTrue();

        long silentSince = proxy.blackhole();
        CompletableFuture<Void> inFlight = link.publish("silent/t", utf8("lost in the silence"), 1, false)
                .toCompletableFuture();
        await(() -> !recorder.closes.isEmpty(), () -> "the silent broker closed, " + recorder);

        Duration detection = Duration.ofNanos(recorder.closes.get(0).nanos() - silentSince);
        System.out.printf("silent broker closed %d ms after it went silent (keepalive %d ms)%n",
                detection.toMillis(), keepalive.toMillis());
        assertThat(recorder.errorValues()).first().isInstanceOf(KeepaliveTimeoutException.class);
        // 1.4 keepalives after the last sign of life, which came at most one keepalive before the silence
        assertThat(detection).isBetween(keepalive.multipliedBy(2).dividedBy(5),
                keepalive.multipliedBy(3).dividedBy(2).plusMillis(300));

        proxy.restore();
        recorder.awaitConnects(2);
        inFlight.get(10, TimeUnit.SECONDS);
        recorder.awaitMessages(1);
        assertThat(recorder.texts()).containsExactly("lost in the silence");
    }

    @Test
    void aBrokerThatNeverAnswersTheConnectIsGivenUpAfterTheConnectTimeoutAndItsClientReleased() throws Exception {
        // the proxy answers nothing, whichever broker is behind it
        TestBroker broker = fixture.broker(BrokerKind.MOQUETTE).start();
        BlackholeProxy proxy = fixture.closeAfter(new BlackholeProxy(broker.port));
        proxy.blackhole(); // TCP connects, CONNACK never comes
        Recorder recorder = new Recorder();
        MqttConnector connector = MqttConnector.builder().serverUri(proxy.uri()).build();
        Connback<MqttLink> connback = fixture.start(connector,
                Fixture.options().connectTimeout(Duration.ofMillis(500)).build(), recorder);
        String clientId = connector.link(connback).clientId();

        await(() -> recorder.errors.size() >= 2, () -> "two attempts timed out, " + recorder);
        connback.end();

        assertThat(recorder.errorValues()).first().isInstanceOf(ConnectTimeoutException.class);
        await(() -> Fixture.pahoThreadsOf(clientId).isEmpty(),
                () -> "Paho's threads of abandoned attempts gone: " + Fixture.pahoThreadsOf(clientId));
    }

    /**
     * Records every log line of the JVM at every level, formatted with its parameters and stack trace, by turning the
     * given loggers (the root first) to log everything.
     */
    private static Handler capture(List<Logger> loggers, List<String> lines) {
        SimpleFormatter formatter = new SimpleFormatter();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(formatter.format(record));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        handler.setLevel(Level.ALL);
        for (Logger logger : loggers) {
            logger.setLevel(Level.ALL);
        }
        loggers.get(0).addHandler(handler);
        return handler;
    }
}
