package io.connback.mqtt;

import static io.connback.mqtt.Recorder.await;
import static io.connback.mqtt.Recorder.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.connback.Connback;
import io.connback.ConnectionState;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessage;
import io.connback.link.mqtt.MqttSubscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Publishing and subscribing through a broker of each kind that stays up; each test has its own topics. */
class MqttConnectorTest {

    private static final SharedBrokers brokers = new SharedBrokers(Function.identity());
    private final Fixture fixture = new Fixture();

    @AfterAll
    static void stopBrokers() {
        brokers.close();
    }

    @AfterEach
    void endConnbacks() throws Exception {
        fixture.endAll();
    }

    private MqttLink connected(TestBroker broker, Recorder recorder) {
        fixture.start(MqttConnector.builder().serverUri(broker.uri()).build(), recorder);
        return recorder.awaitConnects(1);
    }

    @BrokerTest
    void publishedMessagesComeBackAtEveryQos(BrokerKind kind) throws Exception {
        TestBroker broker = brokers.get(kind);
        Recorder recorder = new Recorder();
        MqttLink link = connected(broker, recorder);
        link.subscribe("round/#", 2, recorder);

        for (int qos = 0; qos <= 2; qos++) {
            link.publish("round/q" + qos, utf8("m" + qos), qos, false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        recorder.awaitMessages(3);
        assertThat(recorder.messages).extracting(MqttMessage::topic, MqttMessage::qos, m -> new String(m.payload()))
                .containsExactlyInAnyOrder(
                        tuple("round/q0", 0, "m0"),
                        tuple("round/q1", 1, "m1"),
                        tuple("round/q2", 2, "m2"));
        assertThat(recorder.connectedOnConnect).containsExactly(true);
        assertThat(link.serverUri()).isEqualTo(broker.uri());
        assertThat(link.clientId()).matches("connback[0-9a-f]{15}");
        assertThat(link.queuedMessages()).isZero();
    }

    @BrokerTest
    void messagesOfOneTopicArriveInPublishOrder(BrokerKind kind) {
        TestBroker broker = brokers.get(kind);
        Recorder recorder = new Recorder();
        MqttLink link = connected(broker, recorder);
        link.subscribe("order/t", 1, recorder);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add("m" + i);
            link.publish("order/t", utf8("m" + i), 1, false); // more than the in-flight window: most wait their turn
        }

        recorder.awaitMessages(200);
        assertThat(recorder.texts()).containsExactlyElementsOf(sent);
    }

    @BrokerTest
    void aRetainedMessageReachesLaterSubscribersFlaggedAsRetained(BrokerKind kind) throws Exception {
        TestBroker broker = brokers.get(kind);
        Recorder recorder = new Recorder();
        MqttLink link = connected(broker, recorder);
        link.publish("retained/status", utf8("up"), 1, true).toCompletableFuture().get(10, TimeUnit.SECONDS);

        // at QoS 0: Moquette 0.17 clears the retain flag of retained messages it sends at QoS 1 or 2
        link.subscribe("retained/#", 0, recorder);

        recorder.awaitMessages(1);
        assertThat(recorder.messages.get(0).retained()).isTrue();
        assertThat(recorder.texts()).containsExactly("up");
    }

    @BrokerTest
    void everyLinkOfAConnbackIsTheSameSessionAsTheConnectorsLink(BrokerKind kind) {
        TestBroker broker = brokers.get(kind);
        Recorder recorder = new Recorder();
        MqttConnector connector = MqttConnector.builder().serverUri(broker.uri()).build();
        Connback<MqttLink> connback = fixture.start(connector, recorder);
        MqttLink handedOut = recorder.awaitConnects(1);
        MqttLink session = connector.link(connback);

        session.subscribe("views/t", 1, recorder);
        handedOut.publish("views/t", utf8("through the connection's link"), 1, false);

        recorder.awaitMessages(1);
        assertThat(handedOut.clientId()).isEqualTo(session.clientId());
        assertThat(session.isConnected()).isTrue();
        assertThat(connector.link(connback)).isSameAs(session);
    }

    @BrokerTest
    void closingASubscriptionStopsItsListenerOnlyAndAThrowingListenerHarmsNoOther(BrokerKind kind) throws Exception {
        TestBroker broker = brokers.get(kind);
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        Recorder events = new Recorder();
        MqttLink link = connected(broker, events);
        MqttSubscription firstSubscription = link.subscribe("shared/t", 1, first);
        link.subscribe("shared/t", 0, second);
        link.subscribe("shared/#", 1, message -> {
            throw new IllegalStateException("a faulty listener");
        });

        link.publish("shared/t", utf8("one"), 1, false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        first.awaitMessages(1);
        second.awaitMessages(1);
        firstSubscription.close();
        firstSubscription.close();
        link.publish("shared/t", utf8("two"), 1, false);

        second.awaitMessages(2);
        assertThat(first.texts()).containsExactly("one");
        assertThat(second.texts()).containsExactly("one", "two");
        assertThat(firstSubscription.topicFilter()).isEqualTo("shared/t");
        assertThat(events.connects).hasSize(1);
        assertThat(events.errors).isEmpty();
    }

    @BrokerTest
    void endingTheConnbackEndsTheSession(BrokerKind kind) throws Exception {
        TestBroker broker = brokers.get(kind);
        Recorder recorder = new Recorder();
        MqttConnector connector = MqttConnector.builder().serverUri(broker.uri()).build();
        Connback<MqttLink> connback = fixture.start(connector, recorder);
        MqttLink link = recorder.awaitConnects(1);

        assertThat(Fixture.pahoThreadsOf(link.clientId())).isNotEmpty();

        connback.end().whenEnded().toCompletableFuture().get(10, TimeUnit.SECONDS);

        await(() -> Fixture.pahoThreadsOf(link.clientId()).isEmpty(), () -> "Paho's threads gone: "
                + Fixture.pahoThreadsOf(link.clientId()));
        assertThat(link.isConnected()).isFalse();
        assertThatThrownBy(() -> link.publish("ended/t", utf8("late"), 1, false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ended");
        assertThatThrownBy(() -> link.subscribe("ended/#", 1, recorder)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> link.onSubscriptionRefused(subscription -> { }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(connector.link(connback)).isNotSameAs(link);
    }

    @Test
    void closingTheConnectorEndsItsSessionsAsAGatewayDoesWhenItReplacesIt() throws Exception {
        MqttConnector connector = MqttConnector.builder().serverUri("tcp://127.0.0.1:1").build(); // nothing there
        Connback<MqttLink> connback = fixture.start(connector, new Recorder());
        MqttLink session = connector.link(connback);
        CompletableFuture<Void> queued = session.publish("replaced/t", utf8("waiting"), 1, false)
                .toCompletableFuture();

        connector.close();

        assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> session.publish("replaced/t", utf8("late"), 1, false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ended");
        assertThat(connback.state()).as("the Connback lives on, for its next connector")
                .isNotEqualTo(ConnectionState.ENDED);
    }

    @BrokerTest
    void badTopicsAndQosAreRefusedAtOnce(BrokerKind kind) {
        TestBroker broker = brokers.get(kind);
        Recorder recorder = new Recorder();
        MqttLink link = connected(broker, recorder);

        assertThatThrownBy(() -> link.publish("wild/#", utf8("x"), 1, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> link.publish("ok/t", utf8("x"), 3, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("QoS");
        assertThatThrownBy(() -> link.subscribe("bad/#/filter", 1, recorder))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(link.queuedMessages()).isZero();
    }

    @BrokerTest
    void theMessagePayloadIsCopiedBothWays(BrokerKind kind) throws Exception {
        TestBroker broker = brokers.get(kind);
        Recorder recorder = new Recorder();
        MqttLink link = connected(broker, recorder);
        link.subscribe("copy/t", 1, recorder);
        byte[] payload = utf8("original");

        CompletionStage<Void> sent = link.publish("copy/t", payload, 1, false);
        payload[0] = 'X';
        sent.toCompletableFuture().get(10, TimeUnit.SECONDS);

        recorder.awaitMessages(1);
        recorder.messages.get(0).payload()[0] = 'Y';
        assertThat(recorder.texts()).containsExactly("original");
    }
}
