package io.connback.link.mqtt;

import io.connback.Subscription;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A link to an MQTT broker through a {@link io.connback.Connback}: publishes messages and delivers those of the topics
 * subscribed to. Connectors implement it; applications use only this interface.
 *
 * <h2>One logical connection</h2>
 * The Connback hands out a new link at each (re)connection, as with every {@link io.connback.Connector}, but all the
 * links of one Connback are views of the same logical connection (an MQTT session kept by the connector): any one of
 * them, kept for as long as the application likes, publishes and subscribes on the connection of the moment.
 * <ul>
 *   <li>Subscriptions are declared once, with {@link #subscribe(String, int, MqttMessageListener)}, and made again on
 *       every new connection, with a clean session or not.
 *   <li>Messages wait in a bounded queue until they can be sent: while the broker is unreachable, and while the
 *       broker has not yet acknowledged as many earlier messages as the client may have in flight. They are sent in
 *       the order they were published. A message whose connection was lost before the broker acknowledged it goes
 *       back to the queue and is sent again on the next connection (so a QoS 2 message may arrive twice across a
 *       reconnection). When a publish finds the queue full, the connector either drops the oldest waiting message or
 *       refuses the new one, as configured; both fail the message's stage with an {@link OfflineQueueFullException}.
 *   <li>When the Connback {@linkplain io.connback.Connback#end() ends}, the session ends: waiting messages fail with a
 *       {@link java.util.concurrent.CancellationException}, subscriptions are forgotten and the links refuse further
 *       use with an {@link IllegalStateException}. A Connback restarted after its end hands out links of a new session.
 * </ul>
 *
 * <h2>Threads</h2>
 * Every method is safe from any thread and never blocks. Stages complete, and message and refusal listeners run, on
 * the MQTT client's own threads: dependent actions must be quick, or run with an {@code ...Async} method.
 */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ProviderType
public interface MqttLink {

    /**
     * Publishes a message, or queues it until it can be sent (see the class description).
     *
     * <p>The stage completes when the message is delivered as far as its QoS tells: with QoS 0 once written to the
     * network, with QoS 1 when the broker acknowledged it (PUBACK), with QoS 2 when the exchange completed (PUBCOMP).
     * It completes exceptionally with an {@link OfflineQueueFullException} if the message was refused or dropped from
     * a full queue, and with a {@link java.util.concurrent.CancellationException} if the session ended before the
     * message was delivered.
     *
     * @param topic the topic name, without wildcards
     * @param payload the payload, copied before this method returns
     * @param qos 0 (at most once), 1 (at least once) or 2 (exactly once on one connection)
     * @param retained whether the broker keeps the message for future subscribers
     * @return a stage completed once delivered
     * @throws IllegalArgumentException if the topic is not a valid MQTT topic name or the QoS is not 0, 1 or 2
     * @throws IllegalStateException if the session has ended
     */
    CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retained);

    /**
     * Declares a subscription: the listener receives every message whose topic matches {@code topicFilter}, on this
     * connection and every later one, until the returned subscription is closed. Subscribing to a filter that is
     * already subscribed to adds a listener and, if {@code qos} is higher, subscribes again with it.
     *
     * <p>The filter is subscribed to on the connection of the moment, if any, and on every new connection before any
     * queued message is sent. A broker that refuses a filter is logged as a warning, on every connection, and tells
     * the listeners of {@link #onSubscriptionRefused(Consumer)}; the connection stays up and the subscription stays
     * declared (see {@link MqttSubscription#isRefused()}). A message whose topic matches several filters of the
     * session goes to each of their listeners once per copy the broker sends: MQTT 3.1.1 lets a broker send one copy,
     * or one per matching filter.
     *
     * @param topicFilter the topic filter, with {@code +} and {@code #} wildcards allowed
     * @param qos the maximum QoS at which the broker sends messages for it: 0, 1 or 2
     * @param listener receives the messages; it must return quickly, and what it throws is logged and ignored
     * @return the subscription; closing it removes the listener, and unsubscribes from the broker when no other
     *     subscription of this session uses the same filter
     * @throws IllegalArgumentException if the filter is not a valid MQTT topic filter or the QoS is not 0, 1 or 2
     * @throws IllegalStateException if the session has ended
     */
    MqttSubscription subscribe(String topicFilter, int qos, MqttMessageListener listener);

    /**
     * Listens for the broker refusing a subscription of this session: the listener receives each declared subscription
     * whose filter a SUBACK refused (return code {@code 0x80}), on every connection that refuses it. It is also logged
     * as a warning. A subscription declared later, or a QoS raised, may be refused later: the listener stays until it
     * is removed or the session ends. MQTT 3.1.1 also lets a broker grant a filter and then send nothing for it: a
     * refusal is told only when the broker says so.
     *
     * <p>The listener runs on the MQTT client's thread that received the SUBACK, after
     * {@link MqttSubscription#isRefused()} tells the refusal, and never under a lock of the connector: it must return
     * quickly, and what it throws is logged and ignored.
     *
     * <p>A connector that does not tell of refusals never calls the listener.
     *
     * @param listener receives each refused subscription
     * @return removes the listener when closed
     * @throws IllegalStateException if the session has ended
     * @since 0.2
     */
    default Subscription onSubscriptionRefused(Consumer<? super MqttSubscription> listener) {
        return () -> { };
    }

    /**
     * Whether the session is connected to the broker at this moment. A link handed out for an earlier connection
     * answers for the current one.
     *
     * @return {@code true} while connected
     */
    boolean isConnected();

    /**
     * The broker, for logs and status pages.
     *
     * @return the server URI, e.g. {@code ssl://broker.example.com:8883}
     */
    String serverUri();

    /**
     * The MQTT client identifier of the session, the same on every connection.
     *
     * @return the client identifier
     */
    String clientId();

    /**
     * How many published messages wait to be sent, not counting those sent and not yet acknowledged.
     *
     * @return the number of queued messages
     */
    int queuedMessages();

    /**
     * How many published messages were dropped or refused because the queue was full, since the session started.
     *
     * @return the number of messages lost to a full queue
     */
    long droppedMessages();

    /**
     * The session's will: the message that the broker publishes for the client when a connection ends without an
     * MQTT DISCONNECT (the process was killed, the network or the broker dropped the connection, the keepalive timed
     * out, the link was closed by force). A graceful close sends DISCONNECT, and the broker discards the will. Set in
     * the connector's configuration; the same on every connection of the session.
     *
     * @return the will, or empty if none is set or the connector does not tell
     * @since 0.2
     */
    default Optional<MqttMessage> will() {
        return Optional.empty();
    }
}
