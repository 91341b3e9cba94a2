package io.connback.fleet.internal;

import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessage;
import io.connback.link.mqtt.MqttMessageListener;
import io.connback.link.mqtt.MqttSubscription;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** An MQTT link that records what is published on it; one per broker connection, as a connector hands them out. */
final class RecordingLink implements MqttLink {

    /** A published message. */
    record Published(String topic, String payload, int qos, boolean retained) {}

    final List<Published> published = new CopyOnWriteArrayList<>();
    volatile boolean connected = true;
    private final Optional<MqttMessage> will;

    RecordingLink(Optional<MqttMessage> will) {
        this.will = will;
    }

    /** A will, as a connector tells it. */
    static Optional<MqttMessage> will(String topic, String payload, boolean retained) {
        return Optional.of(new MqttMessage() {
            @Override
            public String topic() {
                return topic;
            }

            @Override
            public byte[] payload() {
                return payload.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public int qos() {
                return 1;
            }

            @Override
            public boolean retained() {
                return retained;
            }

            @Override
            public boolean duplicate() {
                return false;
            }
        });
    }

    /** The payloads published so far, as {@code topic=payload}. */
    List<String> sent() {
        return published.stream().map(message -> message.topic() + "=" + message.payload()).toList();
    }

    @Override
    public CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        if (topic.contains("+") || topic.contains("#")) {
            throw new IllegalArgumentException("a topic name has no wildcards: " + topic); // as MqttLink documents
        }
        published.add(new Published(topic, new String(payload, StandardCharsets.UTF_8), qos, retained));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public MqttSubscription subscribe(String topicFilter, int qos, MqttMessageListener listener) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public String serverUri() {
        return "tcp://broker.test:1883";
    }

    @Override
    public String clientId() {
        return "recording";
    }

    @Override
    public int queuedMessages() {
        return 0;
    }

    @Override
    public long droppedMessages() {
        return 0;
    }

    @Override
    public Optional<MqttMessage> will() {
        return will;
    }
}
