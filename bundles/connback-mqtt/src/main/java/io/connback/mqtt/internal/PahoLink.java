package io.connback.mqtt.internal;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.ConnbackOptions;
import io.connback.Subscription;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessageListener;
import io.connback.link.mqtt.MqttSubscription;
import java.lang.System.Logger.Level;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One connection to the broker: one Paho {@link MqttAsyncClient}, used for a single connect and thrown away when the
 * connection ends. It is the client that Connback holds; as an {@link MqttLink} it delegates to the session.
 *
 * <p>Paho's threads call it: connect results and acknowledgements arrive on the client's callback thread
 * ({@code MQTT Call: <clientId>}), a lost connection on whichever Paho thread noticed it. None of them blocks here:
 * they update the session's bookkeeping and post to Connback.
 */
public final class PahoLink implements MqttLink, MqttCallback {

    private static final System.Logger LOG = System.getLogger(PahoLink.class.getName());

    private final MqttSession session;
    private final MqttAsyncClient client;
    private final PahoPingTimer pingTimer;
    private final WriteFirstSocketFactory sockets = new WriteFirstSocketFactory();
    private final CompletableFuture<MqttLink> connected = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Messages sent on this connection and not yet acknowledged; guarded by the session's lock. */
    final Set<Outbound> inFlight = new LinkedHashSet<>();
    /** Lost or closing: no longer to be attached to the session. */
    private volatile boolean down;

    private PahoLink(MqttSession session, MqttAsyncClient client, PahoPingTimer pingTimer) {
        this.session = session;
        this.client = client;
        this.pingTimer = pingTimer;
    }

    /**
     * Starts one connection attempt for a session.
     *
     * @param session the session of the Connback asking
     * @param token abandons the attempt and closes its client when cancelled
     * @return a stage completed with the link once the broker accepted the connection
     */
    public static CompletionStage<MqttLink> connect(MqttSession session, CancellationToken token) {
        MqttSettings settings = session.settings();
        ConnbackOptions options = session.connback().options();
        int keepaliveSeconds;
        MqttAsyncClient client;
        PahoPingTimer pingTimer;
        try {
            keepaliveSeconds = MqttSettings.keepaliveSeconds(options.keepalive());
            pingTimer = new PahoPingTimer(options.scheduler(), keepaliveSeconds);
            client = new MqttAsyncClient(settings.serverUri(), session.clientId(), new MemoryPersistence(), pingTimer);
        } catch (MqttException | IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e instanceof MqttException m
                    ? PahoFailures.connectFailed(settings.serverUri(), m) : e);
        }
        PahoLink link = new PahoLink(session, client, pingTimer);
        pingTimer.serve(link, client);
        return link.start(settings, keepaliveSeconds, options, token);
    }

    private CompletionStage<MqttLink> start(MqttSettings settings, int keepaliveSeconds, ConnbackOptions options,
            CancellationToken token) {
        client.setCallback(this);
        Subscription cancellation = token.onCancellationRequested(
                () -> abandon(new CancellationException("connection attempt to " + serverUri() + " cancelled")));
        connected.whenComplete((link, error) -> cancellation.close());
        try {
            client.connect(settings.connectOptions(keepaliveSeconds, options.connectTimeout(), sockets), null,
                    new IMqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken connectToken) {
                            established();
                        }

                        @Override
                        public void onFailure(IMqttToken connectToken, Throwable error) {
                            abandon(PahoFailures.connectFailed(serverUri(), error));
                        }
                    });
        } catch (MqttException | RuntimeException e) {
            abandon(PahoFailures.connectFailed(serverUri(), e));
        }
        return connected;
    }

    /**
     * The broker accepted the connection (CONNACK): the session subscribes and sends on it, then Connback gets it, so
     * that the application finds it connected.
     */
    private void established() {
        if (!session.attach(this)) {
            abandon(new CancellationException("connection attempt to " + serverUri()
                    + " abandoned: it was lost, cancelled, or the Connback ended"));
            return;
        }
        boolean first;
        // Completing posts the connection to Connback; a loss reported meanwhile must queue up behind it.
        synchronized (this) {
            first = connected.complete(this);
        }
        if (!first) {
            close(true); // cancelled while the broker answered
        }
    }

    /** The attempt failed or was given up: fails the stage and releases the client. */
    private void abandon(Throwable reason) {
        boolean failed;
        synchronized (this) {
            failed = connected.completeExceptionally(reason);
        }
        if (failed) {
            LOG.log(Level.DEBUG, () -> "connecting to " + serverUri() + " failed: " + reason);
            close(true);
        }
    }

    /**
     * Closes the connection; returns at once, Paho's shutdown runs on a closer thread. Messages not yet acknowledged
     * go back to the session's queue.
     *
     * @param force drop the connection at once, without the MQTT DISCONNECT (the broker then publishes the client's
     *     will, if it has one); otherwise let in-flight acknowledgements arrive for a short while, then disconnect,
     *     after publishing the will if {@code will.publishOnClose} says so
     */
    public void close(boolean force) {
        boolean established = !down && connected.isDone() && !connected.isCompletedExceptionally();
        down = true;
        if (closed.compareAndSet(false, true)) {
            session.detach(this);
        }
        pingTimer.stop();
        if (!force && established && session.settings().willOnClose()) {
            session.settings().will().ifPresent(this::publishWill);
        }
        PahoCloser.close(client, force, sockets::abandon);
    }

    /**
     * Publishes the will on a graceful close, as MQTT 5's "disconnect with will message" does: straight to Paho, ahead
     * of the DISCONNECT, whose quiesce time lets its acknowledgement arrive.
     */
    private void publishWill(io.connback.link.mqtt.MqttMessage will) {
        try {
            client.publish(will.topic(), will.payload(), will.qos(), will.retained());
        } catch (MqttException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "the will of " + clientId() + " was not published on closing: " + e);
        }
    }

    /**
     * Connback's keepalive found no heartbeat for a keepalive: has Paho send a PINGREQ, unless one already waits for
     * its PINGRESP, which feeds the heartbeat (see {@link PahoPingTimer}).
     */
    public void ping() {
        pingTimer.pingNow();
    }

    /** A sign of life from the broker: feeds Connback's heartbeat and moves the next keepalive check. */
    void heartbeat() {
        pingTimer.inbound();
        session.connback().feedHeartbeat();
    }

    boolean isDown() {
        return down;
    }

    /**
     * Hands one message to Paho.
     *
     * @return {@code false} if Paho refused it; it is then back in the session's queue
     */
    boolean send(Outbound message) {
        try {
            client.publish(message.topic, message.payload, message.qos, message.retained, null,
                    new IMqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            session.delivered(PahoLink.this, message);
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable error) {
                            session.notDelivered(PahoLink.this, message);
                        }
                    });
            return true;
        } catch (MqttException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> serverUri() + " took no " + message + " now: " + e);
            session.notDelivered(this, message);
            return false;
        }
    }

    /**
     * Subscribes to filters on this connection and hands the broker's answer to the session; a connection lost
     * meanwhile leaves them to the next one.
     */
    void subscribe(String[] filters, int[] qos) {
        try {
            client.subscribe(filters, qos, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    heartbeat(); // SUBACK
                    session.subscribed(PahoLink.this, filters, token.getGrantedQos());
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    LOG.log(Level.DEBUG, () -> "subscribing on " + serverUri() + " failed; the next connection"
                            + " subscribes again: " + error);
                }
            });
        } catch (MqttException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "subscribing on " + serverUri() + " failed; the next connection subscribes"
                    + " again: " + e);
        }
    }

    /** Unsubscribes from a filter on this connection; if that fails, the next connection does not subscribe to it. */
    void unsubscribe(String filter) {
        try {
            client.unsubscribe(filter, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    heartbeat(); // UNSUBACK
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    // the connection is going down; the next one will not subscribe to the filter
                }
            });
        } catch (MqttException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "unsubscribing on " + serverUri() + " failed: " + e);
        }
    }

    // ---------------------------------------------------------------- MqttCallback, on Paho's threads

    @Override
    public void connectionLost(Throwable cause) {
        Exception error = PahoFailures.connectionLost(serverUri(), cause);
        down = true;
        boolean reported;
        synchronized (this) {
            // before the stage completed, the loss fails the attempt; after, it queues up behind the connection
            reported = !connected.completeExceptionally(error);
        }
        if (closed.compareAndSet(false, true)) {
            session.detach(this);
        }
        pingTimer.stop();
        if (reported) {
            session.connback().feedError(this, error);
        } else {
            PahoCloser.close(client, true, sockets::abandon);
        }
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        heartbeat();
        session.dispatch(Message.received(topic, message));
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
        // each publish has its own completion listener
    }

    // ---------------------------------------------------------------- MqttLink: the session's

    @Override
    public CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        return session.publish(topic, payload, qos, retained);
    }

    @Override
    public MqttSubscription subscribe(String topicFilter, int qos, MqttMessageListener listener) {
        return session.subscribe(topicFilter, qos, listener);
    }

    @Override
    public Subscription onSubscriptionRefused(Consumer<? super MqttSubscription> listener) {
        return session.onSubscriptionRefused(listener);
    }

    @Override
    public boolean isConnected() {
        return session.isConnected();
    }

    @Override
    public String serverUri() {
        return session.serverUri();
    }

    @Override
    public String clientId() {
        return session.clientId();
    }

    @Override
    public int queuedMessages() {
        return session.queuedMessages();
    }

    @Override
    public long droppedMessages() {
        return session.droppedMessages();
    }

    @Override
    public Optional<io.connback.link.mqtt.MqttMessage> will() {
        return session.will();
    }

    @Override
    public String toString() {
        return "MqttLink[" + serverUri() + ", clientId=" + clientId() + (down ? ", closed" : "") + "]";
    }
}
