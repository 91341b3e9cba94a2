package io.connback.mqtt;

import static io.connback.mqtt.Recorder.await;
import static io.connback.mqtt.Recorder.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.OfflineQueueFullException;
import io.connback.mqtt.internal.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The durable queue ({@code store = disk}) across sessions of one process; {@link MqttStoreCrashTest} kills one. */
class MqttDurableQueueTest {

    private final Fixture fixture = new Fixture();

    @TempDir
    Path folder;

    @AfterEach
    void endConnbacks() throws Exception {
        fixture.endAll();
    }

    private static List<String> texts(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "m" + i).toList();
    }

    private static void publish(MqttLink link, String topic, int from, int to) {
        IntStream.rangeClosed(from, to).forEach(i -> link.publish(topic, utf8("m" + i), 1, false));
    }

    /** A subscriber on its own Connback, subscribed once it is connected. */
    private Recorder watch(TestBroker broker, String filter) {
        Recorder watcher = new Recorder();
        fixture.start(MqttConnector.builder().serverUri(broker.uri()).build(), watcher);
        MqttLink link = watcher.awaitConnects(1);
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        link.subscribe(filter, 1, watcher);
        link.publish(filter.replace("#", "ready"), utf8("ready"), 1, false).thenRun(() -> subscribed.complete(null));
        subscribed.orTimeout(10, TimeUnit.SECONDS).join();
        await(() -> watcher.texts().contains("ready"), () -> "the watcher's own marker, saw " + watcher);
        watcher.messages.clear();
        return watcher;
    }

    private MqttConnector.Builder durable(TestBroker broker, Path store) {
        return MqttConnector.builder().serverUri(broker.uri()).store(store);
    }

    /** Starts a Connback on the connector and returns its link, usable before it connects. */
    private MqttLink start(MqttConnector connector) {
        return connector.link(fixture.start(connector, new Recorder()));
    }

    /** Closes the connector, as a gateway does with the one it replaces: its session ends, the store is closed. */
    private static void end(MqttLink link, MqttConnector connector) {
        connector.close();
        assertThatThrownBy(() -> link.publish("any", utf8("late"), 1, false)).isInstanceOf(IllegalStateException.class);
    }

    @BrokerTest
    void messagesPublishedWhileTheBrokerIsAwayOutliveTheSessionAndTheNextOneSendsThemInOrder(BrokerKind kind)
            throws Exception {
        TestBroker broker = fixture.broker(kind);
        Path store = folder.resolve("uplink");
        MqttConnector connector = durable(broker, store).build();
        MqttLink uplink = start(connector);
        publish(uplink, "durable/t", 1, 50);
        uplink.publish("durable/t", utf8("qos0"), 0, false);
        assertThat(uplink.queuedMessages()).isEqualTo(51);
        end(uplink, connector);

        broker.start();
        Recorder watcher = watch(broker, "durable/#");
        MqttConnector restarted = durable(broker, store).build();
        MqttLink next = start(restarted);
        assertThat(next.queuedMessages()).as("read back at the start of the session, QoS 0 not").isEqualTo(50);

        watcher.awaitMessages(50);
        assertThat(watcher.texts()).containsExactlyElementsOf(texts(1, 50));
        await(() -> next.queuedMessages() == 0, () -> "all acknowledged");
        next.publish("durable/t", utf8("m51"), 1, false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        end(next, restarted);
        MqttConnector third = durable(broker, store).build();
        assertThat(start(third).queuedMessages()).as("acknowledged messages left the store").isZero();
        Thread.sleep(300);
        assertThat(watcher.texts()).as("nothing sent twice").containsExactlyElementsOf(texts(1, 51));
    }

    @BrokerTest
    void aNewSessionOfTheFolderTakesItOverFromTheOneItReplaces(BrokerKind kind) throws Exception {
        TestBroker broker = fixture.broker(kind);
        Path store = folder.resolve("uplink");
        MqttConnector old = durable(broker, store).build();
        MqttLink oldLink = start(old);
        publish(oldLink, "takeover/t", 1, 20);

        MqttConnector replacement = durable(broker, store).build(); // a changed configuration: the new one first
        MqttLink link = start(replacement);
        assertThat(link.queuedMessages()).isEqualTo(20);
        publish(oldLink, "takeover/t", 21, 21); // the old session goes on in memory only
        end(oldLink, old);
        publish(link, "takeover/t", 22, 25);
        end(link, replacement);

        broker.start();
        Recorder watcher = watch(broker, "takeover/#"); // subscribed before the next session can send
        start(durable(broker, store).build());
        watcher.awaitMessages(24);
        assertThat(watcher.texts()).containsExactlyElementsOf(
                IntStream.rangeClosed(1, 25).filter(i -> i != 21).mapToObj(i -> "m" + i).toList());
    }

    @BrokerTest
    void aFullStoreDropsTheOldestCountsThemAndSaysSoOncePerOutage(BrokerKind kind) throws Exception {
        TestBroker broker = fixture.broker(kind);
        MqttConnector connector = durable(broker, folder.resolve("small")).storeMaxBytes(64 << 10)
                .offlineQueueSize(100_000).build();
        MqttLink link = start(connector);
        int fit;
        List<CompletableFuture<Void>> stages;
        try (LogCapture logged = new LogCapture()) {
            stages = IntStream.range(0, 1000).mapToObj(i -> link.publish("full/t",
                    utf8(String.format("%-100d", i)), 1, false).toCompletableFuture()).toList();
            fit = link.queuedMessages();
            assertThat(logged.containing("is full")).hasSize(1);
            assertThat(logged.containing("is full").get(0)).startsWith("WARNING").contains("store.maxBytes 65536",
                    "dropOldest", "once per outage");
        }
        assertThat(fit).isBetween(400, 520); // 127 bytes a message
        assertThat(link.droppedMessages()).isEqualTo(1000 - fit);
        assertThat(stages.get(0)).isCompletedExceptionally();
        assertThatFailsWithQueueFull(stages.get(0));
        assertThat(stages.get(999)).isNotDone();
        end(link, connector);

        broker.start();
        Recorder watcher = watch(broker, "full/#");
        start(durable(broker, folder.resolve("small")).storeMaxBytes(64 << 10).offlineQueueSize(100_000).build());
        watcher.awaitMessages(fit);
        assertThat(watcher.texts()).extracting(String::trim).as("the newest, in order").containsExactlyElementsOf(
                IntStream.range(1000 - fit, 1000).mapToObj(Integer::toString).toList());
    }

    private static void assertThatFailsWithQueueFull(CompletableFuture<Void> stage) {
        assertThat(stage).failsWithin(java.time.Duration.ZERO).withThrowableOfType(
                java.util.concurrent.ExecutionException.class).withCauseInstanceOf(OfflineQueueFullException.class);
    }

    @BrokerTest
    void aStoreFolderThatCannotBeWrittenIsToldInOneLineAndTheLinkWorksInMemory(BrokerKind kind) throws Exception {
        TestBroker broker = fixture.broker(kind).start();
        Path file = Files.writeString(folder.resolve("a-file"), "a file, not a folder");
        Recorder watcher = watch(broker, "memory/#");
        try (LogCapture logged = new LogCapture()) {
            MqttConnector connector = durable(broker, file.resolve("uplink")).build();
            MqttLink link = start(connector);
            assertThat(logged.containing("store.dir")).hasSize(1);
            assertThat(logged.containing("store.dir").get(0)).startsWith("SEVERE").contains(
                    file.resolve("uplink").toString(), "without its durable queue");
            link.publish("memory/t", utf8("m1"), 1, false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        watcher.awaitMessages(1);
        assertThat(watcher.texts()).containsExactly("m1");
    }
}
