package io.connback.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.connback.Connback;
import io.connback.ConnbackListener;
import io.connback.ConnbackOptions;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessage;
import io.connback.mqtt.MqttConnector;
import io.connback.testing.Await;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet logic against an embedded Moquette, without OSGi: the broker link is a real MQTT connector run by a
 * Connback whose events a fake managed connection follows, as the connection manager's would.
 */
class FleetBrokerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String PREFIX = "connback/gw1/";
    private static final String READY = "monitor-ready";

    private final List<Connback<MqttLink>> connbacks = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (Connback<MqttLink> connback : connbacks) {
            connback.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private static ConnbackOptions options() {
        return ConnbackOptions.builder().initialDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(200))
                .keepalive(Duration.ofSeconds(30)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The retained view of a subscriber: the last payload of each topic under the gateway's prefix. */
    private static final class Monitor implements ConnbackListener<MqttLink> {
        final Map<String, String> latest = new ConcurrentHashMap<>();
        final List<String> received = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onConnect(MqttLink link) {
            link.subscribe(PREFIX + "#", 1, this::onMessage);
            // comes back once the subscription is in place: the broker handles a connection's packets in order
            link.publish(PREFIX + READY, "ready".getBytes(StandardCharsets.UTF_8), 1, false);
        }

        private void onMessage(MqttMessage message) {
            String payload = new String(message.payload(), StandardCharsets.UTF_8);
            received.add(message.topic() + "=" + payload);
            latest.put(message.topic().substring(PREFIX.length()), payload);
        }

        void await(String topic, Predicate<String> payload) {
            Await.until(() -> topic + ", received " + received, WAIT, () -> {
                String latestPayload = latest.get(topic);
                return latestPayload != null && payload.test(latestPayload);
            });
        }
    }

    private Monitor monitor(EmbeddedBroker broker) {
        Monitor monitor = new Monitor();
        connbacks.add(Connback.create(MqttConnector.builder().serverUri(broker.uri()).build(), options(), monitor));
        return monitor;
    }

    /** Starts the broker link, followed by a fake managed connection that tells the publisher. */
    private Connback<MqttLink> brokerLink(EmbeddedBroker broker, FleetPublisher publisher, FakeConnection fleet) {
        MqttConnector connector = MqttConnector.builder().serverUri(broker.uri())
                .will(publisher.statusTopic(), FleetPublisher.OFFLINE_WILL.getBytes(StandardCharsets.UTF_8), 1, true)
                .build();
        Connback<MqttLink> connback = Connback.create(connector, options(), new ConnbackListener<>() {
            @Override
            public void onConnect(MqttLink link) {
                publisher.changed(fleet.connected(link, Instant.now()));
            }

            @Override
            public void onClose(boolean hasError) {
                publisher.changed(fleet.reconnecting(Instant.now(), 0, null));
            }
        });
        connbacks.add(connback);
        publisher.added(fleet);
        return connback;
    }

    @Test
    void aMonitorSeesTheStatusAndEveryLinkRetainedTheChangesAndTheClearedLinks() throws Exception {
        EmbeddedBroker broker = new EmbeddedBroker();
        closeables.add(broker);
        FleetPublisher publisher = new FleetPublisher("gw1", "connback", "fleet", "0.1.0", Instant.now());
        FakeConnection meter = new FakeConnection("meter1", "tcp").connected(new Object(), Instant.now());
        publisher.added(meter);
        // subscribed before the gateway publishes: in two full builds of many, a monitor that subscribed after the
        // broker link's first status missed it (the later ones arrived); not reproduced alone, in 60 runs of that
        // order under load. The late monitor below reads the retained view of a later status.
        Monitor monitor = monitor(broker);
        monitor.await(READY, "ready"::equals);
        brokerLink(broker, publisher, new FakeConnection("fleet", "mqtt"));

        monitor.await("status", payload -> payload.contains("\"state\":\"online\"")
                && payload.contains("\"links\":[\"fleet\",\"meter1\"]"));
        monitor.await("links/fleet", payload -> payload.startsWith("{\"state\":\"CONNECTED\""));
        monitor.await("links/meter1", payload -> payload.startsWith("{\"state\":\"CONNECTED\""));

        publisher.changed(meter.reconnecting(Instant.now(), 2, new ConnectException("meter1 refused")));
        monitor.await("links/meter1", payload -> payload.startsWith("{\"state\":\"RECONNECTING\"")
                && payload.endsWith("\"attempts\":2,\"lastError\":\"meter1 refused\"}"));

        FakeConnection meter2 = new FakeConnection("meter2", "serial");
        publisher.added(meter2);
        monitor.await("links/meter2", payload -> payload.startsWith("{\"state\":\"CONNECTING\""));
        publisher.removed(meter2, true);
        monitor.await("links/meter2", String::isEmpty);
        monitor.await("status", payload -> payload.contains("\"links\":[\"fleet\",\"meter1\"]"));

        // a monitor that comes later sees the retained view: no meter2
        Monitor late = monitor(broker);
        late.await("status", payload -> payload.contains("\"links\":[\"fleet\",\"meter1\"]"));
        late.await("links/meter1", payload -> payload.startsWith("{\"state\":\"RECONNECTING\""));
        assertThat(late.latest).doesNotContainKey("links/meter2");

        publisher.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        monitor.await("status", payload -> payload.startsWith("{\"state\":\"offline\",\"version\":\"0.1.0\","));
    }

    @Test
    void aBrokerLinkThatDiesLeavesTheWillOfflineAndItsReconnectionIsOnlineAgain() throws Exception {
        EmbeddedBroker broker = new EmbeddedBroker();
        closeables.add(broker);
        FleetPublisher publisher = new FleetPublisher("gw1", "connback", "fleet", "0.1.0", Instant.now());
        Monitor monitor = monitor(broker); // subscribed first, as in the test above
        monitor.await(READY, "ready"::equals);
        Connback<MqttLink> link = brokerLink(broker, publisher, new FakeConnection("fleet", "mqtt"));
        monitor.await("status", payload -> payload.contains("\"state\":\"online\""));

        link.end(true); // dropped without DISCONNECT, as when the process dies

        monitor.await("status", FleetPublisher.OFFLINE_WILL::equals);
        link.reconnect();
        monitor.await("status", payload -> payload.contains("\"state\":\"online\""));
    }
}
