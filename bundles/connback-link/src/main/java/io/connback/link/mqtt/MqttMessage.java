package io.connback.link.mqtt;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A message received from the broker, or the {@linkplain MqttLink#will() will} of a link. Immutable; it may be kept
 * after the listener returns.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ProviderType
public interface MqttMessage {

    /**
     * The topic the message was published to.
     *
     * @return the topic name
     */
    String topic();

    /**
     * The payload.
     *
     * @return a copy of the payload, which the caller may change
     */
    byte[] payload();

    /**
     * The QoS at which the broker delivered the message: the lower of the publisher's and the subscription's; for a
     * will, the QoS at which the broker publishes it.
     *
     * @return 0, 1 or 2
     */
    int qos();

    /**
     * Whether the broker sent a retained message, kept from before the subscription was made; for a will, whether
     * the broker is to retain it.
     *
     * @return {@code true} for a retained message
     */
    boolean retained();

    /**
     * Whether the broker flagged the message as a possible duplicate of one it sent before; never for a will.
     *
     * @return {@code true} if it may have been delivered already
     */
    boolean duplicate();
}
