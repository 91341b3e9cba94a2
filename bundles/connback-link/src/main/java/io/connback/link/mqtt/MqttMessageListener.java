package io.connback.link.mqtt;

/**
 * Receives the messages of a {@link MqttSubscription}. It is called on the MQTT client's thread that delivers
 * messages, one message at a time per connection, in the order the broker sent them: it must return quickly (hand long
 * work to an executor). What it throws is logged and does not reach the MQTT client; the message counts as received.
 */
@FunctionalInterface
public interface MqttMessageListener {

    /**
     * A message arrived whose topic matches the subscription's filter.
     *
     * @param message the message
     */
    void onMessage(MqttMessage message);
}
