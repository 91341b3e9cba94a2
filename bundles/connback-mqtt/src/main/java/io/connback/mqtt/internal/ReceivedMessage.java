package io.connback.mqtt.internal;

import io.connback.link.mqtt.MqttMessage;

/** A message from the broker, copied out of Paho's. */
final class ReceivedMessage implements MqttMessage {
    private final String topic;
    private final byte[] payload;
    private final int qos;
    private final boolean retained;
    private final boolean duplicate;

    ReceivedMessage(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
        this.topic = topic;
        this.payload = message.getPayload().clone();
        this.qos = message.getQos();
        this.retained = message.isRetained();
        this.duplicate = message.isDuplicate();
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public int qos() {
        return qos;
    }

    @Override
    public boolean retained() {
        return retained;
    }

    @Override
    public boolean duplicate() {
        return duplicate;
    }

    @Override
    public String toString() {
        return "MqttMessage['" + topic + "', QoS " + qos + ", " + payload.length + " bytes"
                + (retained ? ", retained" : "") + (duplicate ? ", duplicate" : "") + "]";
    }
}
