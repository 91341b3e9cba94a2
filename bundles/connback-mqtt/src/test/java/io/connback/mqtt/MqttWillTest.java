package io.connback.mqtt;

import static io.connback.mqtt.Recorder.await;
import static io.connback.mqtt.Recorder.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.connback.Connback;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The last will: configured, then published by the broker for connections that die, and only for those. */
class MqttWillTest {

    private static final String OFFLINE = "{\"state\":\"offline\"}";

    private final Fixture fixture = new Fixture();

    @AfterEach
    void endConnbacks() throws Exception {
        fixture.endAll();
    }

    private static Map<String, Object> config(Object... keysAndValues) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("serverUri", "tcp://broker.example.com:1883");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    private static String text(MqttMessage message) {
        return new String(message.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void theWillKeysAreReadWithTheirDefaults() {
        MqttMessage will = MqttConnector.fromMap(config("will.topic", "site/gw1/status", "will.payload", OFFLINE,
                "will.qos", "2", "will.retained", "true")).will().orElseThrow();
        assertThat(will.topic()).isEqualTo("site/gw1/status");
        assertThat(text(will)).isEqualTo(OFFLINE);
        assertThat(will.qos()).isEqualTo(2);
        assertThat(will.retained()).isTrue();
        assertThat(will.duplicate()).isFalse();

        MqttMessage defaults = MqttConnector.fromMap(config("will.topic", "gw1/status")).will().orElseThrow();
        assertThat(defaults.payload()).isEmpty();
        assertThat(defaults.qos()).isEqualTo(MqttConnector.DEFAULT_WILL_QOS).isEqualTo(1);
        assertThat(defaults.retained()).isFalse();

        // a metatype form saves will.qos and will.retained with their defaults: no topic, no will
        assertThat(MqttConnector.fromMap(config("will.topic", "", "will.qos", 1, "will.retained", false)).will())
                .isEmpty();
        assertThat(MqttConnector.fromMap(config("will.topic", "gw1/status")).toString()).endsWith(", will=gw1/status]");
        assertThat(MqttConnector.fromMap(config("will.topic", "gw1/status", "will.publishOnClose", "true")).toString())
                .endsWith(", will=gw1/status (also on close)]");
        assertThat(MqttConnector.fromMap(config("will.publishOnClose", false)).will()).isEmpty();
    }

    @Test
    void badWillValuesNameTheKeyAndTheValue() {
        assertThatThrownBy(() -> MqttConnector.fromMap(config("will.topic", "site/+/status")))
                .hasMessageStartingWith("will.topic: invalid value 'site/+/status': ");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("will.topic", "gw1/status", "will.qos", 3)))
                .hasMessage("will.qos: invalid value '3': must be 0, 1 or 2");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("will.topic", "gw1/status", "will.qos", "once")))
                .hasMessage("will.qos: invalid value 'once': expected a whole number");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("will.topic", "gw1/status", "will.retained", "yes")))
                .hasMessage("will.retained: invalid value 'yes': expected true or false");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("will.publishOnClose", "true")))
                .hasMessage("will.publishOnClose: invalid value 'true': there is no will: set will.topic");
        assertThatThrownBy(() -> MqttConnector.fromMap(config("will.payload", OFFLINE)))
                .hasMessage("will.payload: invalid value '" + OFFLINE + "': a will needs a will.topic");
        assertThatThrownBy(() -> MqttConnector.builder().serverUri("tcp://broker:1883")
                .will("gw1/#", new byte[0], 1, false).build())
                .hasMessageStartingWith("will.topic: invalid value 'gw1/#': ");
    }

    /** Subscribes a watcher, with its own connection, to {@code filter}. */
    private Recorder watch(TestBroker broker, String filter) throws Exception {
        Recorder watcher = new Recorder();
        fixture.start(MqttConnector.builder().serverUri(broker.uri()).build(), watcher);
        watcher.awaitConnects(1).subscribe(filter, 1, watcher);
        // the subscription is in place once a message of its own comes back
        watcher.connects.get(0).value().publish(filter.replace("#", "ready"), utf8("ready"), 1, false)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher.awaitMessages(1);
        watcher.messages.clear();
        return watcher;
    }

    @BrokerTest
    void theLinkTellsItsWillAndAKeepaliveTimeoutBehindASilentNetworkMakesTheBrokerPublishIt(BrokerKind kind) throws Exception {
        TestBroker broker = fixture.broker(kind).start();
        Recorder watcher = watch(broker, "silent/#");
        BlackholeProxy proxy = fixture.closeAfter(new BlackholeProxy(broker.port));
        Recorder recorder = new Recorder();
        fixture.start(MqttConnector.builder().serverUri(proxy.uri())
                .will("silent/gw1/status", utf8(OFFLINE), 1, true).build(),
                Fixture.options().keepalive(Duration.ofSeconds(1)).build(), recorder);
        MqttLink link = recorder.awaitConnects(1);
        assertThat(link.will()).hasValueSatisfying(will -> assertThat(will.topic()).isEqualTo("silent/gw1/status"));

        long silence = proxy.blackhole();

        watcher.awaitMessages(1);
        System.out.printf("will published %d ms after the network went silent (keepalive 1 s)%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silence));
        MqttMessage will = watcher.messages.get(0);
        assertThat(will.topic()).isEqualTo("silent/gw1/status");
        assertThat(text(will)).isEqualTo(OFFLINE);
    }

    @BrokerTest
    void aCleanEndDisconnectsSoTheBrokerDropsTheWillWhileAForcedEndLeavesItBehind(BrokerKind kind) throws Exception {
        TestBroker broker = fixture.broker(kind).start();
        Recorder watcher = watch(broker, "end/#");
        Recorder cleanRecorder = new Recorder();
        Connback<MqttLink> clean = fixture.start(MqttConnector.builder().serverUri(broker.uri())
                .will("end/clean", utf8(OFFLINE), 1, false).build(), cleanRecorder);
        Recorder forcedRecorder = new Recorder();
        Connback<MqttLink> forced = fixture.start(MqttConnector.builder().serverUri(broker.uri())
                .will("end/forced", utf8(OFFLINE), 1, false).build(), forcedRecorder);
        String cleanClient = cleanRecorder.awaitConnects(1).clientId();
        forcedRecorder.awaitConnects(1);

        clean.end().whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        forced.end(true).whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);
        await(() -> Fixture.pahoThreadsOf(cleanClient).isEmpty(), () -> "the clean client closed");
        watcher.awaitMessages(1);
        // the clean client's connection is closed: a will of it would have been published by now, before this
        watcher.connects.get(0).value().publish("end/clean", utf8("marker"), 1, false)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher.awaitMessages(2);

        assertThat(watcher.messages).extracting(MqttMessage::topic, MqttWillTest::text)
                .containsExactlyInAnyOrder(tuple("end/forced", OFFLINE), tuple("end/clean", "marker"));
    }

    @BrokerTest
    void withPublishOnCloseACleanEndPublishesTheWillBeforeDisconnecting(BrokerKind kind) throws Exception {
        TestBroker broker = fixture.broker(kind).start();
        Recorder watcher = watch(broker, "closed/#");
        Recorder recorder = new Recorder();
        Connback<MqttLink> gateway = fixture.start(MqttConnector.builder().serverUri(broker.uri())
                .will("closed/gw1/status", utf8(OFFLINE), 1, true).publishWillOnClose(true).build(), recorder);
        String client = recorder.awaitConnects(1).clientId();
        assertThat(watcher.messages).isEmpty();

        gateway.end().whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);

        watcher.awaitMessages(1);
        assertThat(watcher.messages).extracting(MqttMessage::topic, MqttWillTest::text)
                .containsExactly(tuple("closed/gw1/status", OFFLINE));
        // and it was a clean close: no second copy from the broker once the client is gone
        await(() -> Fixture.pahoThreadsOf(client).isEmpty(), () -> "the client closed");
        watcher.connects.get(0).value().publish("closed/gw1/status", utf8("marker"), 1, false)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        watcher.awaitMessages(2);
        assertThat(watcher.messages).extracting(MqttWillTest::text).containsExactly(OFFLINE, "marker");
    }

    /**
     * The gateway is a child JVM, killed with SIGKILL. Its will is retained: Mosquitto keeps it for later subscribers,
     * Moquette 0.17 does not retain wills (moquette-io/moquette#562).
     */
    @BrokerTest
    void aGatewayProcessKilledMakesTheBrokerPublishItsWillOffline(BrokerKind kind) throws Exception {
        TestBroker broker = fixture.broker(kind).start();
        String topic = "killed/gw1/status";
        Process gateway = ChildJvm.of(WillClient.class, broker.uri(), "killed-gw1", topic, OFFLINE)
                .redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try {
            CompletableFuture<Boolean> connected = CompletableFuture.supplyAsync(() -> readUntilConnected(gateway,
                    output));
            assertThat(connected.get(30, TimeUnit.SECONDS)).as("the child connected, its output: %s", output)
                    .isTrue();
            Recorder watcher = watch(broker, "killed/#");
            assertThat(watcher.messages).as("no will while the gateway runs").isEmpty();

            long killed = System.nanoTime();
            gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

            watcher.awaitMessages(1);
            System.out.printf("will published %d ms after the gateway process was killed%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
            assertThat(watcher.messages.get(0).topic()).isEqualTo(topic);
            assertThat(text(watcher.messages.get(0))).isEqualTo(OFFLINE);
            if (kind == BrokerKind.MOSQUITTO) {
                Recorder later = new Recorder();
                fixture.start(MqttConnector.builder().serverUri(broker.uri()).build(), later);
                later.awaitConnects(1).subscribe(topic, 1, later);
                later.awaitMessages(1);
                assertThat(later.messages.get(0).retained()).as("the will, retained for later subscribers").isTrue();
                assertThat(text(later.messages.get(0))).isEqualTo(OFFLINE);
            }
        } finally {
            gateway.destroyForcibly();
        }
    }

    private static boolean readUntilConnected(Process process, List<String> output) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.equals(WillClient.CONNECTED)) {
                    return true;
                }
                synchronized (output) {
                    output.add(line);
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
