package io.connback.link.mqtt;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the messages of a {@link MqttSubscription}. It is called on the MQTT client's thread that delivers
 * messages, one message at a time per connection, in the order the broker sent them: it must return quickly (hand long
 * work to an executor). What it throws is logged and does not reach the MQTT client; the message counts as received.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ConsumerType
@FunctionalInterface
public interface MqttMessageListener {

    /**
     * A message arrived whose topic matches the subscription's filter.
     *
     * @param message the message
     */
    void onMessage(MqttMessage message);
}
