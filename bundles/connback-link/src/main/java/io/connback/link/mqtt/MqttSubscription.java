package io.connback.link.mqtt;

import io.connback.Subscription;
import java.util.OptionalInt;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A subscription declared with {@link MqttLink#subscribe(String, int, MqttMessageListener)}. It lasts across
 * reconnections until it is {@linkplain #close() closed} or the session ends.
 *
 * <h2>What the broker answered</h2>
 * The broker answers each SUBSCRIBE with a SUBACK that grants a QoS for each filter, or refuses it (return code
 * {@code 0x80}, for instance because an ACL denies the filter). The filter is subscribed to again on every connection,
 * so {@link #grantedQos()} and {@link #isRefused()} tell the latest answer, of the current connection or of the last
 * one. {@link MqttLink#onSubscriptionRefused(java.util.function.Consumer)} tells of each refusal as it arrives.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ProviderType
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
     * The QoS that the broker granted in its latest SUBACK for this filter, on the current or the last connection; it
     * may be lower than {@link #qos()}. Subscriptions to the same filter share it: the session subscribes once per
     * filter, with the highest QoS asked for.
     *
     * @return 0, 1 or 2; empty until the broker acknowledged the filter, when the latest SUBACK refused it, or when
     *     the connector does not tell
     * @since 0.2
     */
    default OptionalInt grantedQos() {
        return OptionalInt.empty();
    }

    /**
     * Whether the broker refused this filter in its latest SUBACK, on the current or the last connection. The
     * subscription stays declared: it is asked for again on the next connection, and delivers messages if the broker
     * grants it then.
     *
     * @return {@code true} if the latest SUBACK refused it; {@code false} if it granted it, before any SUBACK, or when
     *     the connector does not tell
     * @since 0.2
     */
    default boolean isRefused() {
        return false;
    }

    /**
     * Stops delivering messages to this subscription's listener and, when no other subscription of the session uses
     * the same filter, unsubscribes from the broker. Closing again does nothing.
     */
    @Override
    void close();
}
