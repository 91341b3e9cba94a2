package io.connback.mqtt;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.Connector;
import io.connback.Subscription;
import io.connback.config.ConfigValues;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessage;
import io.connback.mqtt.internal.Message;
import io.connback.mqtt.internal.MqttSession;
import io.connback.mqtt.internal.MqttSettings;
import io.connback.mqtt.internal.PahoLink;
import io.connback.mqtt.internal.StoreSettings;
import io.connback.mqtt.internal.TlsStores;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.MqttTopic;

/**
 * A {@link Connector} of {@link MqttLink}s to an MQTT 3.1.1 broker, over Eclipse Paho's asynchronous client with its
 * own reconnect off: the Connback reconnects, with its backoff and jitter, and retries a failed first connection like
 * any other. Thread-safe; one connector may serve several Connbacks, each with its own MQTT session.
 *
 * <pre>{@code
 * MqttConnector broker = MqttConnector.fromMap(Map.of(
 *         "serverUri", "ssl://broker.example.com:8883", "clientId", "gateway-17",
 *         "username", "gateway-17", "password", secret,
 *         "tls.truststore", "/etc/gateway/broker-ca.p12"));
 * Connback<MqttLink> connback = Connback.create(broker,
 *         ConnbackOptions.builder().keepalive(Duration.ofSeconds(30)).build());
 * MqttLink mqtt = broker.link(connback); // usable at once: publishes wait for the connection
 * mqtt.subscribe("gateway-17/commands/#", 1, message -> handle(message));
 * mqtt.publish("gateway-17/status", "up".getBytes(StandardCharsets.UTF_8), 1, true);
 * }</pre>
 *
 * <h2>Sessions</h2>
 * What lasts across connections (the declared subscriptions and the messages waiting to be sent, see
 * {@link MqttLink}) belongs to a session that the connector keeps for each Connback it serves, from the Connback's
 * first connection attempt (or the first {@link #link(Connback)}) until the Connback {@linkplain Connback#end() ends}.
 * Each connection is a new Paho client with in-memory persistence; with {@code cleanSession} off the broker keeps the
 * session's subscriptions and queued messages while the client is away. Without a configured {@code clientId}, each
 * session makes its own (23 letters and digits), the same on all its connections.
 *
 * <h2>Keepalive</h2>
 * The MQTT keepalive is the Connback's {@link io.connback.ConnbackOptions#keepalive() keepalive}, in whole seconds
 * (rounded down; it must be 0 or at least 1 second, else every attempt fails with an error naming the key). A PINGREQ
 * goes out when nothing was sent, or nothing received, for a keepalive. Every sign of life from the broker (a message,
 * an acknowledgement, a PINGRESP) feeds the Connback's heartbeat, so a broker that stopped answering is closed 1.4
 * keepalives after its last sign of life, where Paho alone would wait up to two.
 *
 * <h2>Threading</h2>
 * Nothing blocks a Connback thread. Each connection runs Paho's own threads ({@code MQTT Rec}, {@code MQTT Snd},
 * {@code MQTT Call}, named after the client id, plus a short-lived {@code MQTT Con} while connecting); message
 * listeners and the stages of publishes run on {@code MQTT Call}, so they must be quick. Keepalive checks run on the
 * Connback's scheduler. Two daemon threads, {@code connback-mqtt-closer-N}, shut Paho clients down and end when idle.
 *
 * <h2>Closing</h2>
 * A graceful close ({@code end()}, {@code reconnect()}) waits up to two seconds for the acknowledgements of messages
 * in flight, then sends DISCONNECT. A forced close (keepalive timeout, {@code end(true)}) drops the connection at once,
 * so the broker publishes the client's will, if any. Messages not acknowledged when a connection closes are sent again
 * on the next one. A lost connection is reported as an error naming the broker and the reason, and reconnected.
 *
 * <h2>Last will</h2>
 * With {@code will.topic} set, every connection carries a will: the broker publishes it when the connection ends
 * without DISCONNECT (the process was killed, the network dropped, the keepalive timed out on either side, a forced
 * close) and discards it on a graceful close. With {@code will.publishOnClose}, a graceful close ({@code end()},
 * {@code reconnect()}, a changed configuration, a stopping gateway) publishes the will itself just before DISCONNECT,
 * as MQTT 5's "disconnect with will message" does: the will then tells that the connection is gone, however it went.
 * A gateway announces itself with a retained message at each connection and leaves the retained will {@code offline}
 * behind, e.g. {@code will.topic=site/gateway-17/status}, {@code will.payload={"state":"offline"}},
 * {@code will.retained=true}, {@code will.publishOnClose=true}.
 *
 * <h2>TLS</h2>
 * An {@code ssl://} server URI runs TLS. The broker's certificate is verified: against {@code tls.truststore} if
 * configured, else against the JVM's default trust (the {@code javax.net.ssl.trustStore} system properties, or the
 * JDK's authorities); and, unless {@code tls.hostnameVerification} is off, it must match the host of the URI. A client
 * certificate comes from {@code tls.keystore}. A refused certificate fails the attempt with an
 * {@link javax.net.ssl.SSLHandshakeException} that names the broker and the reason. Key stores are read when the
 * connector is built, in any format the JDK reads (PKCS#12, JKS); the key store's password also unlocks its key.
 *
 * <h2>Durable queue</h2>
 * With {@code store = disk}, the queue of a session is also kept in files, in {@code store.dir} (one folder per link;
 * a gateway makes one per link in its data folder): QoS 1 and 2 messages are recorded from their publish until the
 * broker acknowledges them or they are dropped, so that those published while the broker is away, or sent and not yet
 * acknowledged, survive a restart, a crash or a {@code kill -9}, and are sent first, in order, by the next session of
 * the folder (after a restart, a changed configuration, an updated bundle). A power loss may cost what was written in
 * the last {@code store.sync} interval; {@code store.sync = always} forces every batch of records to the disk as soon
 * as it is written (one fsync per batch: a few milliseconds). Delivery is at least once: the messages sent and not
 * acknowledged when the process died are sent again and may reach the broker twice; their count is logged when the
 * store is opened. The store holds at most {@code store.maxBytes} of waiting messages; beyond, or beyond
 * {@code offlineQueueSize} messages (the queue stays in memory too), {@code offlineQueuePolicy} applies, told once per
 * outage. A record that a crash cut short is cut off when the store is opened, keeping the records before it, with one
 * line saying so. A folder that cannot be written (or that another process uses) is told in one line, and the link
 * runs with its queue in memory only. QoS 0 messages are never stored. The format: {@code MessageLog} of the
 * connector's internals, an append-only log of segment files whose records carry a CRC-32C.
 *
 * <h2>Configuration properties</h2>
 * <table>
 *   <caption>Keys read by {@link #fromMap(Map)}</caption>
 *   <tr><th>key</th><th>value</th><th>default</th></tr>
 *   <tr><td>{@code serverUri}</td><td>{@code tcp://host[:port]} or {@code ssl://host[:port]}</td>
 *       <td>required</td></tr>
 *   <tr><td>{@code clientId}</td><td>the MQTT client identifier; required with {@code cleanSession=false}</td>
 *       <td>one per session</td></tr>
 *   <tr><td>{@code username}</td><td>the user name</td><td>none</td></tr>
 *   <tr><td>{@code password}</td><td>the password (needs a user name); never logged nor shown</td><td>none</td></tr>
 *   <tr><td>{@code cleanSession}</td><td>{@code true} or {@code false}</td><td>{@code true}</td></tr>
 *   <tr><td>{@code offlineQueueSize}</td><td>messages that may wait to be sent, 1 to {@value #MAX_QUEUE_SIZE}</td>
 *       <td>{@value #DEFAULT_QUEUE_SIZE}</td></tr>
 *   <tr><td>{@code offlineQueuePolicy}</td><td>when it is full: {@code dropOldest} (the oldest waiting message is
 *       dropped) or {@code refuse} (the new one is); either way counted in {@link MqttLink#droppedMessages()}</td>
 *       <td>{@code dropOldest}</td></tr>
 *   <tr><td>{@code will.topic}</td><td>the topic of the will, without wildcards</td><td>no will</td></tr>
 *   <tr><td>{@code will.payload}</td><td>its payload, as UTF-8 text (needs {@code will.topic})</td>
 *       <td>empty</td></tr>
 *   <tr><td>{@code will.qos}</td><td>its QoS: 0, 1 or 2</td><td>1</td></tr>
 *   <tr><td>{@code will.retained}</td><td>{@code true} to have the broker retain it</td><td>{@code false}</td></tr>
 *   <tr><td>{@code will.publishOnClose}</td><td>{@code true} to publish the will on a graceful close too</td>
 *       <td>{@code false}</td></tr>
 *   <tr><td>{@code tls.truststore}</td><td>path of the key store of trusted certificates</td>
 *       <td>the JVM's trust</td></tr>
 *   <tr><td>{@code tls.truststorePassword}</td><td>its password, if it has one</td><td>none</td></tr>
 *   <tr><td>{@code tls.keystore}</td><td>path of the key store of the client's key and certificate</td>
 *       <td>none</td></tr>
 *   <tr><td>{@code tls.keystorePassword}</td><td>its password, also the key's</td><td>none</td></tr>
 *   <tr><td>{@code tls.hostnameVerification}</td><td>{@code true} or {@code false}</td><td>{@code true}</td></tr>
 *   <tr><td>{@code store}</td><td>{@code memory} or {@code disk} (see Durable queue)</td><td>{@code memory}</td></tr>
 *   <tr><td>{@code store.dir}</td><td>the folder of the link's store files</td>
 *       <td>required with {@code disk}, unless {@link Builder#defaultStoreDir} set one</td></tr>
 *   <tr><td>{@code store.maxBytes}</td><td>bytes of waiting messages the store may hold, at least 65536</td>
 *       <td>{@value #DEFAULT_STORE_MAX_BYTES} (64 MiB)</td></tr>
 *   <tr><td>{@code store.sync}</td><td>{@code always}, or {@code interval:<ms>}: force the files to the disk at most
 *       that long after a write</td><td>{@code interval:100}</td></tr>
 * </table>
 * The Connback's own keys ({@code keepalive}, {@code connectTimeout}, the backoff) are read by
 * {@link io.connback.ConnbackOptions#fromMap(Map)}; other keys are ignored, so the whole configuration of a link can be
 * passed to both. Absent keys and empty strings take the default. A bad value throws an
 * {@link IllegalArgumentException} that names the key and the value, except passwords, which are never repeated.
 */
public final class MqttConnector implements Connector<MqttLink>, AutoCloseable {

    /** The default {@code offlineQueueSize}. */
    public static final int DEFAULT_QUEUE_SIZE = 1000;
    /** The largest {@code offlineQueueSize}: the messages are held in memory. */
    public static final int MAX_QUEUE_SIZE = 1_000_000;
    /** The default {@code will.qos}. */
    public static final int DEFAULT_WILL_QOS = 1;
    /** The default {@code store.maxBytes}: 64 MiB. */
    public static final long DEFAULT_STORE_MAX_BYTES = StoreSettings.DEFAULT_MAX_BYTES;

    private final MqttSettings settings;
    private final Map<Connback<MqttLink>, Served> sessions = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private MqttConnector(MqttSettings settings) {
        this.settings = settings;
    }

    /**
     * A builder with the defaults: clean sessions, a queue of {@value #DEFAULT_QUEUE_SIZE} messages that drops the
     * oldest, host name verification on. The server URI must be set.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a connector from configuration properties (see the class description).
     *
     * @param properties the configuration, e.g. from Configuration Admin
     * @return the connector
     * @throws IllegalArgumentException naming the key and the value, if a value is missing, malformed or out of range,
     *     or a key store cannot be read
     */
    public static MqttConnector fromMap(Map<String, ?> properties) {
        return builder().apply(properties).build();
    }

    /**
     * The link of the session that {@code connback} runs on this connector, usable from its creation, before it ever
     * connected: messages published before the first connection wait in the queue, subscriptions are made on it.
     *
     * @param connback a Connback created with this connector
     * @return the session's link, the same one as long as the session lasts
     */
    public MqttLink link(Connback<MqttLink> connback) {
        return served(Objects.requireNonNull(connback, "connback")).session;
    }

    /**
     * Starts one connection attempt with a new Paho client; see the class description.
     *
     * @param connback the Connback asking; it receives the heartbeats, errors and close of the connection
     * @param token abandons the attempt and closes its client when cancelled
     * @return a stage completed with the link once the broker accepted the connection
     */
    @Override
    public CompletionStage<MqttLink> connect(Connback<MqttLink> connback, CancellationToken token) {
        return PahoLink.connect(served(connback).session, token);
    }

    /**
     * Closes a link's connection; returns at once, the shutdown runs on a closer thread.
     *
     * @param link a link made by this connector
     * @param force {@code true} to drop the connection at once, without DISCONNECT
     * @throws IllegalArgumentException if the link was not made by an MQTT connector
     */
    @Override
    public void close(MqttLink link, boolean force) {
        connection(link).close(force);
    }

    /**
     * Sends a PINGREQ, whose PINGRESP feeds the heartbeat.
     *
     * @param link a link made by this connector
     * @throws IllegalArgumentException if the link was not made by an MQTT connector
     */
    @Override
    public void ping(MqttLink link) {
        connection(link).ping();
    }

    /**
     * The broker.
     *
     * @return the server URI
     */
    public String serverUri() {
        return settings.serverUri();
    }

    /**
     * The configured client identifier.
     *
     * @return the client identifier, or empty if each session makes its own
     */
    public Optional<String> clientId() {
        return settings.clientId();
    }

    /**
     * The user name.
     *
     * @return the user name, or empty
     */
    public Optional<String> username() {
        return settings.username();
    }

    /**
     * Whether the broker starts a clean session at each connection.
     *
     * @return {@code true} by default
     */
    public boolean cleanSession() {
        return settings.cleanSession();
    }

    /**
     * How many messages may wait to be sent, per session.
     *
     * @return 1 to {@value #MAX_QUEUE_SIZE}
     */
    public int offlineQueueSize() {
        return settings.offlineQueueSize();
    }

    /**
     * What a publish does when the queue is full.
     *
     * @return the policy
     */
    public OfflineQueuePolicy offlineQueuePolicy() {
        return settings.offlineQueuePolicy();
    }

    /**
     * Whether a TLS broker's certificate must match the host.
     *
     * @return {@code true} by default
     */
    public boolean hostnameVerification() {
        return settings.hostnameVerification();
    }

    /**
     * The will set on every connection.
     *
     * @return the will, or empty if none
     */
    public Optional<MqttMessage> will() {
        return settings.will();
    }

    /**
     * The folder of the durable queue.
     *
     * @return the folder, or empty if the queue is in memory only
     */
    public Optional<Path> storeDir() {
        return settings.store().map(StoreSettings::dir);
    }

    /**
     * Describes the connector for logs: the server URI, the client id and user name if set; never the password.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "MqttConnector[" + settings + "]";
    }

    private Served served(Connback<MqttLink> connback) {
        return sessions.computeIfAbsent(connback, this::serve);
    }

    /**
     * Ends the session of every Connback, as their ends would: messages not yet acknowledged fail, subscriptions are
     * forgotten, and the hooks on the Connbacks go. A gateway closes the connector it replaces (a changed
     * configuration, an updated bundle): a Connback that lives on gets a new session from its new connector, on
     * which its application subscribes again (on connect).
     */
    @Override
    public void close() {
        closed = true;
        sessions.forEach(this::release);
    }

    /** A new session for a Connback, dropped and ended when the Connback ends or this connector is closed. */
    private Served serve(Connback<MqttLink> connback) {
        Served served = new Served(new MqttSession(settings, connback));
        served.endHook = connback.onEnd(() -> release(connback, served));
        if (!closed) { // a closed connector's session must not take the store over from its replacement's
            served.session.openStore();
        }
        if (closed) { // an attempt that raced the close: nothing of it may outlive the connector
            served.session.end();
        }
        return served;
    }

    private void release(Connback<MqttLink> connback, Served served) {
        sessions.remove(connback, served);
        served.session.end();
        Subscription hook = served.endHook;
        if (hook != null) { // null only if the Connback ended while the hook was being added
            hook.close();
        }
    }

    private static PahoLink connection(MqttLink link) {
        if (link instanceof PahoLink connection) {
            return connection;
        }
        throw new IllegalArgumentException(link + " was not made by an MQTT connector");
    }

    /** A session and its hook on the end of its Connback. */
    private static final class Served {
        final MqttSession session;
        volatile Subscription endHook;

        Served(MqttSession session) {
            this.session = session;
        }
    }

    /** Builds an {@link MqttConnector}; not thread-safe. Values are validated by {@link #build()}. */
    public static final class Builder {
        private String serverUri;
        private String clientId;
        private String username;
        private char[] password;
        private boolean cleanSession = true;
        private int offlineQueueSize = DEFAULT_QUEUE_SIZE;
        private OfflineQueuePolicy offlineQueuePolicy = OfflineQueuePolicy.DROP_OLDEST;
        private SSLContext sslContext;
        private Path truststore;
        private char[] truststorePassword;
        private Path keystore;
        private char[] keystorePassword;
        private boolean hostnameVerification = true;
        private String willTopic;
        private byte[] willPayload;
        private int willQos = DEFAULT_WILL_QOS;
        private boolean willRetained;
        private boolean willOnClose;
        private boolean diskStore;
        private Path storeDir;
        private Path defaultStoreDir;
        private long storeMaxBytes = DEFAULT_STORE_MAX_BYTES;
        private Duration storeSync = StoreSettings.DEFAULT_SYNC_INTERVAL;

        private Builder() {}

        /**
         * Sets the broker. Required.
         *
         * @param serverUri {@code tcp://host[:port]} (port 1883 by default) or {@code ssl://host[:port]} (8883)
         * @return this builder
         */
        public Builder serverUri(String serverUri) {
            this.serverUri = serverUri;
            return this;
        }

        /**
         * Sets the MQTT client identifier. By default each session makes its own; a persistent session
         * ({@code cleanSession} off) needs a fixed one. Two connections with the same identifier take the broker's
         * session from each other: give each Connback its own.
         *
         * @param clientId the client identifier
         * @return this builder
         */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /**
         * Sets the user name. Default none.
         *
         * @param username the user name
         * @return this builder
         */
        public Builder username(String username) {
            this.username = username;
            return this;
        }

        /**
         * Sets the password; it needs a user name. Copied: the caller may wipe its array.
         *
         * @param password the password
         * @return this builder
         */
        public Builder password(char[] password) {
            this.password = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * Sets whether the broker starts a clean session at each connection. Default {@code true}. Subscriptions are
         * made again on every connection either way.
         *
         * @param cleanSession {@code false} to have the broker keep subscriptions and queued messages while away
         * @return this builder
         */
        public Builder cleanSession(boolean cleanSession) {
            this.cleanSession = cleanSession;
            return this;
        }

        /**
         * Sets how many published messages may wait to be sent, per session. Default {@value #DEFAULT_QUEUE_SIZE}.
         *
         * @param offlineQueueSize 1 to {@value #MAX_QUEUE_SIZE}
         * @return this builder
         */
        public Builder offlineQueueSize(int offlineQueueSize) {
            this.offlineQueueSize = offlineQueueSize;
            return this;
        }

        /**
         * Sets what a publish does when the queue is full. Default {@link OfflineQueuePolicy#DROP_OLDEST}.
         *
         * @param offlineQueuePolicy the policy
         * @return this builder
         */
        public Builder offlineQueuePolicy(OfflineQueuePolicy offlineQueuePolicy) {
            this.offlineQueuePolicy = Objects.requireNonNull(offlineQueuePolicy, "offlineQueuePolicy");
            return this;
        }

        /**
         * Sets the TLS context of {@code ssl://} connections, instead of the key stores or the JVM's default.
         *
         * @param sslContext the context, initialized
         * @return this builder
         */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        /**
         * Sets the key store of the certificates trusted to sign the broker's. Default: the JVM's trust.
         *
         * @param truststore the path of a PKCS#12 or JKS file
         * @param password its password, or {@code null} if it has none
         * @return this builder
         */
        public Builder truststore(Path truststore, char[] password) {
            this.truststore = Objects.requireNonNull(truststore, "truststore");
            this.truststorePassword = password == null ? null : password.clone();
            return this;
        }

        /**
         * Sets the key store of the client's key and certificate, for brokers that authenticate clients by
         * certificate. Default none.
         *
         * @param keystore the path of a PKCS#12 or JKS file
         * @param password its password, which also unlocks the key
         * @return this builder
         */
        public Builder keystore(Path keystore, char[] password) {
            this.keystore = Objects.requireNonNull(keystore, "keystore");
            this.keystorePassword = password == null ? null : password.clone();
            return this;
        }

        /**
         * Sets whether a TLS broker's certificate must match the host of the server URI. Default on; turn it off only
         * for a broker whose certificate names neither its host name nor its address, and that alone is trusted.
         *
         * @param hostnameVerification {@code false} to accept any trusted certificate
         * @return this builder
         */
        public Builder hostnameVerification(boolean hostnameVerification) {
            this.hostnameVerification = hostnameVerification;
            return this;
        }

        /**
         * Sets the will, which the broker publishes when a connection ends without DISCONNECT (see the class
         * description). Default none.
         *
         * @param topic the topic name, without wildcards
         * @param payload the payload, copied; may be empty
         * @param qos 0, 1 or 2
         * @param retained whether the broker retains it, e.g. as the last known status
         * @return this builder
         */
        public Builder will(String topic, byte[] payload, int qos, boolean retained) {
            this.willTopic = Objects.requireNonNull(topic, "topic");
            this.willPayload = Objects.requireNonNull(payload, "payload").clone();
            this.willQos = qos;
            this.willRetained = retained;
            return this;
        }

        /**
         * Sets whether a graceful close publishes the will too, just before DISCONNECT (see the class description).
         * Default {@code false}: the broker discards the will on a graceful close.
         *
         * @param willOnClose {@code true} to publish the will however the connection ends; needs a will
         * @return this builder
         */
        public Builder publishWillOnClose(boolean willOnClose) {
            this.willOnClose = willOnClose;
            return this;
        }

        /**
         * Keeps the queue on disk too, in a folder of its own (see the class description): QoS 1 and 2 messages
         * survive a restart or a crash of the process. Default: the queue is in memory only.
         *
         * @param dir the folder of this link's store; created if needed, used by one link only
         * @return this builder
         */
        public Builder store(Path dir) {
            this.diskStore = true;
            this.storeDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * Sets the folder of {@code store = disk} when {@code store.dir} is not configured; a gateway sets it to a
         * folder per link in its data folder. Enables nothing by itself.
         *
         * @param dir the default folder
         * @return this builder
         */
        public Builder defaultStoreDir(Path dir) {
            this.defaultStoreDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * Sets the most bytes of waiting messages the store may hold; beyond, {@code offlineQueuePolicy} applies.
         * Default {@value #DEFAULT_STORE_MAX_BYTES} (64 MiB).
         *
         * @param maxBytes at least 65536
         * @return this builder
         */
        public Builder storeMaxBytes(long maxBytes) {
            this.storeMaxBytes = maxBytes;
            return this;
        }

        /**
         * Sets how often the store is forced to the disk: {@link Duration#ZERO} after every write
         * ({@code store.sync = always}), else at most that long after a write. Default 100 ms.
         *
         * @param interval the sync interval, or zero
         * @return this builder
         */
        public Builder storeSync(Duration interval) {
            this.storeSync = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Applies configuration properties over the values set so far; see {@link MqttConnector#fromMap(Map)}.
         *
         * @param properties the configuration
         * @return this builder
         * @throws IllegalArgumentException naming the key and the value, if a value is malformed
         */
        public Builder apply(Map<String, ?> properties) {
            ConfigValues values = ConfigValues.of(properties);
            text(values, "serverUri").ifPresent(this::serverUri);
            text(values, "clientId").ifPresent(this::clientId);
            text(values, "username").ifPresent(this::username);
            text(values, "password").ifPresent(secret -> password(secret.toCharArray()));
            values.bool("cleanSession").ifPresent(this::cleanSession);
            values.wholeNumber("offlineQueueSize", 1, MAX_QUEUE_SIZE).ifPresent(this::offlineQueueSize);
            values.parsed("offlineQueuePolicy", OfflineQueuePolicy::named).ifPresent(this::offlineQueuePolicy);
            Optional<char[]> trustSecret = text(values, "tls.truststorePassword").map(String::toCharArray);
            text(values, "tls.truststore").ifPresent(path -> truststore(Path.of(path), trustSecret.orElse(null)));
            Optional<char[]> keySecret = text(values, "tls.keystorePassword").map(String::toCharArray);
            text(values, "tls.keystore").ifPresent(path -> keystore(Path.of(path), keySecret.orElse(null)));
            values.bool("tls.hostnameVerification").ifPresent(this::hostnameVerification);
            applyWill(values);
            applyStore(values);
            return this;
        }

        /** Reads the {@code store*} keys. */
        private void applyStore(ConfigValues values) {
            values.parsed("store", Builder::isDisk).ifPresent(disk -> diskStore = disk);
            text(values, "store.dir").ifPresent(dir -> {
                try {
                    storeDir = Path.of(dir);
                } catch (InvalidPathException e) {
                    throw ConfigValues.invalid("store.dir", dir, e.getMessage());
                }
            });
            values.decimal("store.maxBytes").ifPresent(bytes -> {
                try {
                    storeMaxBytes = bytes.longValueExact();
                } catch (ArithmeticException e) {
                    throw ConfigValues.invalid("store.maxBytes", values.raw("store.maxBytes").orElseThrow(),
                            "expected a whole number of bytes");
                }
            });
            values.parsed("store.sync", StoreSettings::parseSync).ifPresent(this::storeSync);
        }

        private static boolean isDisk(String store) {
            return switch (store.trim().toLowerCase(Locale.ROOT)) {
                case "disk" -> true;
                case "memory" -> false;
                default -> throw new IllegalArgumentException("expected memory or disk");
            };
        }

        /**
         * Builds the connector; reads the key stores.
         *
         * @return the connector
         * @throws IllegalArgumentException naming the key and the value (never a password), if a setting is missing,
         *     out of range, or a key store cannot be read
         */
        public MqttConnector build() {
            boolean tls = checkServerUri();
            if (clientId != null && clientId.isEmpty()) {
                clientId = null;
            }
            if (!cleanSession && clientId == null) {
                throw ConfigValues.invalid("cleanSession", false, "a persistent session needs a clientId");
            }
            if (password != null && username == null) {
                throw new IllegalArgumentException("password: MQTT sends a password only with a username");
            }
            if (offlineQueueSize < 1 || offlineQueueSize > MAX_QUEUE_SIZE) {
                throw ConfigValues.invalid("offlineQueueSize", offlineQueueSize, "expected a whole number from 1 to " + MAX_QUEUE_SIZE);
            }
            if (!tls && (truststore != null || keystore != null || sslContext != null)) {
                String key = truststore != null ? "tls.truststore" : keystore != null ? "tls.keystore" : "sslContext";
                Object value = truststore != null ? truststore : keystore != null ? keystore : sslContext;
                throw ConfigValues.invalid(key, value, "TLS settings need an ssl:// serverUri, not " + serverUri);
            }
            Optional<StoreSettings> store = checkStore();
            return new MqttConnector(new MqttSettings(serverUri, Optional.ofNullable(clientId),
                    Optional.ofNullable(username), password, cleanSession, offlineQueueSize, offlineQueuePolicy,
                    tls ? Optional.of(socketFactory()) : Optional.empty(), hostnameVerification, checkWill(),
                    willOnClose, store));
        }

        /** Checks the store's settings, if the queue is on disk. The folder is opened by the sessions. */
        private Optional<StoreSettings> checkStore() {
            if (!diskStore) {
                if (storeDir != null) {
                    throw ConfigValues.invalid("store.dir", storeDir, "the queue is in memory: set store = disk");
                }
                return Optional.empty();
            }
            Path dir = storeDir != null ? storeDir : defaultStoreDir;
            if (dir == null) {
                throw new IllegalArgumentException("store.dir: no value: store = disk needs the folder of the "
                        + "link's files");
            }
            return Optional.of(new StoreSettings(dir, storeMaxBytes, storeSync));
        }

        /**
         * Reads the {@code will.*} keys. Without {@code will.topic}, {@code will.qos} and {@code will.retained} are
         * ignored (a metatype form sets their defaults), but a {@code will.payload} is a will without a topic.
         */
        private void applyWill(ConfigValues values) {
            Optional<String> topic = text(values, "will.topic");
            Optional<String> payload = text(values, "will.payload");
            Optional<Integer> qos = values.wholeNumber("will.qos");
            Optional<Boolean> retained = values.bool("will.retained");
            values.bool("will.publishOnClose").ifPresent(this::publishWillOnClose);
            if (topic.isEmpty()) {
                if (payload.isPresent()) {
                    throw ConfigValues.invalid("will.payload", payload.get(), "a will needs a will.topic");
                }
                return;
            }
            will(topic.get(), payload.orElse("").getBytes(StandardCharsets.UTF_8), qos.orElse(willQos),
                    retained.orElse(willRetained));
        }

        /** Checks the will, if any. */
        private Optional<MqttMessage> checkWill() {
            if (willTopic == null) {
                if (willOnClose) {
                    throw ConfigValues.invalid("will.publishOnClose", true, "there is no will: set will.topic");
                }
                return Optional.empty();
            }
            try {
                MqttTopic.validate(willTopic, false);
            } catch (IllegalArgumentException e) {
                throw ConfigValues.invalid("will.topic", willTopic, e.getMessage());
            }
            if (willQos < 0 || willQos > 2) {
                throw ConfigValues.invalid("will.qos", willQos, "must be 0, 1 or 2");
            }
            return Optional.of(Message.will(willTopic, willPayload, willQos, willRetained));
        }

        /** Checks the server URI; tells whether it runs TLS. */
        private boolean checkServerUri() {
            if (serverUri == null) {
                throw ConfigValues.invalid("serverUri", null, "a tcp:// or ssl:// broker URI is required");
            }
            URI uri;
            try {
                uri = new URI(serverUri.trim());
            } catch (URISyntaxException e) {
                throw ConfigValues.invalid("serverUri", serverUri, e.getMessage());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("tcp") && !scheme.equals("ssl")) {
                throw ConfigValues.invalid("serverUri", serverUri, "expected tcp://host[:port] or ssl://host[:port]");
            }
            if (uri.getHost() == null) {
                throw ConfigValues.invalid("serverUri", serverUri, "no host");
            }
            if ((uri.getPath() != null && !uri.getPath().isEmpty()) || uri.getQuery() != null
                    || uri.getUserInfo() != null) {
                throw ConfigValues.invalid("serverUri", serverUri,
                        "expected only a host and a port (credentials go in username and password)");
            }
            serverUri = uri.toString();
            return scheme.equals("ssl");
        }

        private SSLSocketFactory socketFactory() {
            if (sslContext != null) {
                return sslContext.getSocketFactory();
            }
            if (truststore == null && keystore == null) {
                try {
                    return SSLContext.getDefault().getSocketFactory();
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("this JVM has no default TLS context", e);
                }
            }
            return TlsStores.context(truststore, truststorePassword, keystore, keystorePassword).getSocketFactory();
        }

        /** A string value; an empty string counts as absent, as an optional metatype attribute left blank. */
        private static Optional<String> text(ConfigValues values, String key) {
            return values.text(key).filter(text -> !text.isEmpty());
        }
    }
}
