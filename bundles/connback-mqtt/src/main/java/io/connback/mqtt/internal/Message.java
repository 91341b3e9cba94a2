package io.connback.mqtt.internal;

import io.connback.link.mqtt.MqttMessage;

/** An immutable {@link MqttMessage}: one received from the broker, copied out of Paho's, or a session's will. */
public final class Message implements MqttMessage {
    private final String topic;
    private final byte[] payload;
    private final int qos;
    private final boolean retained;
    private final boolean duplicate;

    private Message(String topic, byte[] payload, int qos, boolean retained, boolean duplicate) {
        this.topic = topic;
        this.payload = payload.clone();
        this.qos = qos;
        this.retained = retained;
        this.duplicate = duplicate;
    }

    static Message received(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
        return new Message(topic, message.getPayload(), message.getQos(), message.isRetained(),
                message.isDuplicate());
    }

    /**
     * A will, from validated values.
     *
     * @param topic the topic name
     * @param payload the payload, copied
     * @param qos 0, 1 or 2
     * @param retained whether the broker retains it
     * @return the will
     */
    public static Message will(String topic, byte[] payload, int qos, boolean retained) {
        return new Message(topic, payload, qos, retained, false);
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
