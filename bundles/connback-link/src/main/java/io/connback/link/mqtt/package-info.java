/**
 * The MQTT link API: what applications use to publish and subscribe through a connector of MQTT links, without
 * importing the connector's own classes or its MQTT client library, so that the connector can be replaced while
 * applications keep running.
 *
 * <p>A {@link io.connback.link.mqtt.MqttLink} belongs to the logical connection kept alive by a
 * {@link io.connback.Connback}, not to one network connection: the {@link io.connback.link.mqtt.MqttSubscription}s
 * declared on it are made again after every reconnection, and messages published while the broker is unreachable wait
 * in a bounded queue and are sent, in order, once it is back. A broker that refuses the client reports an
 * {@link io.connback.link.mqtt.MqttConnectionRefusedException}; a publish that finds the queue full fails with an
 * {@link io.connback.link.mqtt.OfflineQueueFullException}; a subscription tells the QoS the broker granted it, or that
 * the broker refused it, and {@link io.connback.link.mqtt.MqttLink#onSubscriptionRefused} tells of each refusal.
 */
@Export
@Version("0.2.0")
package io.connback.link.mqtt;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
