package io.connback.mqtt;

import static io.connback.mqtt.Recorder.await;
import static io.connback.mqtt.Recorder.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.connback.Connback;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttSubscription;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * What the broker answers to a subscription (SUBACK): the QoS it granted, or a refusal by an ACL, told by the
 * subscription and to the refusal listeners, and followed across reconnections. Both brokers answer a SUBSCRIBE that
 * their ACL denies with the return code 0x80 in MQTT 3.1.1.
 */
class MqttSubackTest {

    private final Fixture fixture = new Fixture();

    @AfterEach
    void endConnbacks() throws Exception {
        fixture.endAll();
    }

    /** A refusal as the listener saw it: the subscription, what it told then, and the thread it came on. */
    private record Refusal(MqttSubscription subscription, boolean refused, String thread) {}

    private static List<Refusal> listenForRefusals(MqttLink link) {
        List<Refusal> refusals = new CopyOnWriteArrayList<>();
        link.onSubscriptionRefused(subscription -> refusals.add(
                new Refusal(subscription, subscription.isRefused(), Thread.currentThread().getName())));
        return refusals;
    }

    @BrokerTest
    void aSubscriptionTellsTheQosTheBrokerGrantedOnceAcknowledged(BrokerKind kind) {
        TestBroker broker = fixture.broker(kind);
        MqttConnector connector = MqttConnector.builder().serverUri(broker.uri()).build();
        Connback<MqttLink> connback = fixture.start(connector, new Recorder());
        MqttLink link = connector.link(connback);
        MqttSubscription atQos2 = link.subscribe("granted/two", 2, message -> { });
        MqttSubscription atQos1 = link.subscribe("granted/one", 1, message -> { });

        // the broker is not up yet: nothing is acknowledged
        assertThat(atQos2.grantedQos()).isEmpty();
        assertThat(atQos2.isRefused()).isFalse();
        broker.start();

        await(() -> atQos2.grantedQos().isPresent() && atQos1.grantedQos().isPresent(), () -> "two SUBACKs");
        assertThat(atQos2.grantedQos()).hasValue(2);
        assertThat(atQos1.grantedQos()).hasValue(1);
        assertThat(atQos2.isRefused()).isFalse();
        // a second subscription to the filter sends no SUBSCRIBE: it tells the filter's latest SUBACK at once
        assertThat(link.subscribe("granted/two", 0, message -> { }).grantedQos()).hasValue(2);
    }

    @BrokerTest
    void aSubscriptionTheAclDeniesIsToldOnTheClientsThreadAndTheConnectionStaysUp(BrokerKind kind) throws Exception {
        TestBroker broker = fixture.broker(kind).readableOnlyUnder("allowed").start();
        Recorder recorder = new Recorder();
        MqttConnector connector = MqttConnector.builder().serverUri(broker.uri()).build();
        fixture.start(connector, recorder);
        MqttLink link = recorder.awaitConnects(1);
        List<Refusal> refusals = listenForRefusals(link);
        List<MqttSubscription> removedListenerSaw = new CopyOnWriteArrayList<>();
        link.onSubscriptionRefused(removedListenerSaw::add).close();

        MqttSubscription denied = link.subscribe("denied/t", 1, message -> { });
        MqttSubscription allowed = link.subscribe("allowed/t", 1, recorder);

        await(() -> !refusals.isEmpty() && allowed.grantedQos().isPresent(), () -> "the SUBACKs, " + refusals);
        assertThat(refusals).singleElement().satisfies(refusal -> {
            assertThat(refusal.subscription()).isSameAs(denied);
            assertThat(refusal.refused()).as("isRefused() in the listener").isTrue();
            assertThat(refusal.thread()).isEqualTo("MQTT Call: " + link.clientId());
        });
        assertThat(denied.isRefused()).isTrue();
        assertThat(denied.grantedQos()).isEmpty();
        assertThat(allowed.isRefused()).isFalse();
        assertThat(allowed.grantedQos()).hasValue(1);
        assertThat(link.subscribe("denied/t", 0, message -> { }).isRefused()).isTrue();
        link.publish("allowed/t", utf8("still connected"), 1, false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        recorder.awaitMessages(1);
        assertThat(recorder.connects).hasSize(1);
        assertThat(recorder.errors).isEmpty();
        assertThat(removedListenerSaw).isEmpty();
    }

    @BrokerTest
    void afterAReconnectionTheSubscriptionFollowsTheLatestSuback(BrokerKind kind) {
        TestBroker broker = fixture.broker(kind).readableOnlyUnder("allowed").start();
        Recorder recorder = new Recorder();
        MqttConnector connector = MqttConnector.builder().serverUri(broker.uri()).build();
        fixture.start(connector, recorder);
        MqttLink link = recorder.awaitConnects(1);
        List<Refusal> refusals = listenForRefusals(link);
        MqttSubscription subscription = link.subscribe("later/t", 1, recorder);
        await(() -> refusals.size() == 1, () -> "a refusal, " + refusals);

        broker.stop();
        broker.readableOnlyUnder(null).start();
        recorder.awaitConnects(2);
        await(() -> subscription.grantedQos().isPresent(), () -> "a grant after the reconnection");
        assertThat(subscription.isRefused()).isFalse();
        assertThat(subscription.grantedQos()).hasValue(1);

        broker.stop();
        broker.readableOnlyUnder("allowed").start();
        recorder.awaitConnects(3);
        await(() -> refusals.size() == 2, () -> "a second refusal, " + refusals);
        assertThat(subscription.isRefused()).isTrue();
        assertThat(subscription.grantedQos()).isEmpty();
        assertThat(refusals).extracting(Refusal::subscription).containsOnly(subscription);
    }
}
