package io.connback.link.mqtt;

import io.connback.Subscription;

/**
 * A subscription declared with {@link MqttLink#subscribe(String, int, MqttMessageListener)}. It lasts across
 * reconnections until it is {@linkplain #close() closed} or the session ends.
 */
public interface MqttSubscription extends Subscription {

    /**
     * The topic filter subscribed to.
     *
     * @return the filter, as given
     */
    String topicFilter();

    /**
     * The QoS asked for.
     *
     * @return 0, 1 or 2
     */
    int qos();

    /**
     * Stops delivering messages to this subscription's listener and, when no other subscription of the session uses
     * the same filter, unsubscribes from the broker. Closing again does nothing.
     */
    @Override
    void close();
}
