package io.connback.bridge.internal;

import io.connback.Subscription;
import io.connback.link.FrameListener;
import io.connback.link.Link;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessage;
import io.connback.link.mqtt.MqttMessageListener;
import io.connback.link.mqtt.MqttSubscription;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** Links that record what the bridge does with them, and let a test deliver messages. */
final class FakeLinks {

    private FakeLinks() {}

    /** A published message. */
    record Published(String topic, String payload, int qos, boolean retained) {}

    /** An MQTT link that records publishes and subscriptions. */
    static final class Broker implements MqttLink {
        final List<Published> published = new CopyOnWriteArrayList<>();
        final List<Sub> subscriptions = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
            published.add(new Published(topic, new String(payload, StandardCharsets.UTF_8), qos, retained));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public MqttSubscription subscribe(String topicFilter, int qos, MqttMessageListener listener) {
            Sub subscription = new Sub(topicFilter, qos, listener);
            subscriptions.add(subscription);
            return subscription;
        }

        /** Delivers a message to the open subscriptions, as the broker would. */
        void deliver(String topic, String payload) {
            MqttMessage message = new MqttMessage() {
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
                    return false;
                }

                @Override
                public boolean duplicate() {
                    return false;
                }
            };
            subscriptions.stream().filter(sub -> !sub.closed).forEach(sub -> sub.listener.onMessage(message));
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public String serverUri() {
            return "tcp://fake:1883";
        }

        @Override
        public String clientId() {
            return "fake";
        }

        @Override
        public int queuedMessages() {
            return 0;
        }

        @Override
        public long droppedMessages() {
            return 0;
        }
    }

    /** A subscription of {@link Broker}. */
    static final class Sub implements MqttSubscription {
        final String filter;
        final int qos;
        final MqttMessageListener listener;
        volatile boolean closed;

        Sub(String filter, int qos, MqttMessageListener listener) {
            this.filter = filter;
            this.qos = qos;
            this.listener = listener;
        }

        @Override
        public String topicFilter() {
            return filter;
        }

        @Override
        public int qos() {
            return qos;
        }

        @Override
        public OptionalInt grantedQos() {
            return OptionalInt.of(qos);
        }

        @Override
        public boolean isRefused() {
            return false;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A device link that records what is sent to it. */
    static final class Device implements Link {
        final List<String> sent = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Void> send(ByteBuffer data) {
            sent.add(StandardCharsets.UTF_8.decode(data.duplicate()).toString());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public String remote() {
            return "/dev/fake";
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public Subscription addFrameListener(FrameListener listener) {
            return () -> { };
        }
    }
}
