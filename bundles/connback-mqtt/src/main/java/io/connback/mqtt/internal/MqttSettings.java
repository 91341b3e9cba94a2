package io.connback.mqtt.internal;

import io.connback.config.ConfigValues;
import io.connback.link.mqtt.MqttMessage;
import io.connback.mqtt.OfflineQueuePolicy;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;

/**
 * The validated settings of an MQTT connector. Immutable; the password is copied in and never handed out but into
 * each connection's options.
 */
public final class MqttSettings {

    /** The most messages sent and not yet acknowledged on one connection (Paho's default window). */
    public static final int MAX_IN_FLIGHT = MqttConnectOptions.MAX_INFLIGHT_DEFAULT;

    /** MQTT 3.1.1 counts the keepalive in a two-byte number of seconds. */
    private static final int MAX_KEEPALIVE_SECONDS = 65_535;

    private final String serverUri;
    private final Optional<String> clientId;
    private final Optional<String> username;
    private final char[] password;
    private final boolean cleanSession;
    private final int offlineQueueSize;
    private final OfflineQueuePolicy offlineQueuePolicy;
    private final Optional<SSLSocketFactory> socketFactory;
    private final boolean hostnameVerification;
    private final Optional<MqttMessage> will;
    private final boolean willOnClose;
    private final Optional<StoreSettings> store;

    /**
     * Creates the settings from validated values.
     *
     * @param serverUri {@code tcp://host[:port]} or {@code ssl://host[:port]}
     * @param clientId the fixed client identifier, or empty to make one per session
     * @param username the user name, or empty
     * @param password the password, or {@code null}; copied, so that the caller can wipe its array
     * @param cleanSession whether the broker forgets the session at each connection
     * @param offlineQueueSize how many messages may wait to be sent
     * @param offlineQueuePolicy what a publish does when the queue is full
     * @param socketFactory the TLS socket factory for {@code ssl://}, or empty for plain TCP
     * @param hostnameVerification whether the broker's certificate must match its host
     * @param will the will set on every connection, or empty
     * @param willOnClose whether a graceful close publishes the will too
     * @param store the durable queue's settings, or empty to keep the queue in memory only
     */
    public MqttSettings(String serverUri, Optional<String> clientId, Optional<String> username, char[] password,
            boolean cleanSession, int offlineQueueSize, OfflineQueuePolicy offlineQueuePolicy,
            Optional<SSLSocketFactory> socketFactory, boolean hostnameVerification, Optional<MqttMessage> will,
            boolean willOnClose, Optional<StoreSettings> store) {
        this.serverUri = serverUri;
        this.clientId = clientId;
        this.username = username;
        this.password = password == null ? null : password.clone();
        this.cleanSession = cleanSession;
        this.offlineQueueSize = offlineQueueSize;
        this.offlineQueuePolicy = offlineQueuePolicy;
        this.socketFactory = socketFactory;
        this.hostnameVerification = hostnameVerification;
        this.will = will;
        this.willOnClose = willOnClose;
        this.store = store;
    }

    /**
     * The MQTT keepalive for a Connback keepalive: whole seconds, rounded down, so that the MQTT client's own checks
     * are due no later than Connback's.
     *
     * @param keepalive the Connback's keepalive
     * @return 0 (no keepalive) or 1 to 65535 seconds
     * @throws IllegalArgumentException naming the {@code keepalive} key, if it lies between 0 and 1 second or beyond
     *     65535 seconds
     */
    public static int keepaliveSeconds(Duration keepalive) {
        if (keepalive.isZero()) {
            return 0;
        }
        BigDecimal seconds = BigDecimal.valueOf(keepalive.getSeconds())
                .add(BigDecimal.valueOf(keepalive.getNano(), 9)).stripTrailingZeros();
        if (keepalive.compareTo(Duration.ofSeconds(1)) < 0 || keepalive.getSeconds() > MAX_KEEPALIVE_SECONDS) {
            throw ConfigValues.invalid("keepalive", seconds.toPlainString() + "s",
                    "MQTT counts the keepalive in whole seconds: 0 (none) or 1 to " + MAX_KEEPALIVE_SECONDS);
        }
        return seconds.setScale(0, RoundingMode.FLOOR).intValueExact();
    }

    /** A client identifier for a session without a configured one: 23 letters and digits, which every broker takes. */
    String newClientId() {
        return clientId.orElseGet(() -> String.format("connback%015x",
                ThreadLocalRandom.current().nextLong() & 0x0FFF_FFFF_FFFF_FFFFL));
    }

    /**
     * Paho's options for one connection. Paho's own reconnect stays off: Connback reconnects.
     *
     * @param keepaliveSeconds the MQTT keepalive
     * @param connectTimeout the Connback's connect timeout, which Paho applies to its socket as a backstop
     * @param plainSockets the attempt's sockets for {@code tcp://}
     * @return new options
     */
    MqttConnectOptions connectOptions(int keepaliveSeconds, Duration connectTimeout,
            WriteFirstSocketFactory plainSockets) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setAutomaticReconnect(false);
        options.setCleanSession(cleanSession);
        options.setKeepAliveInterval(keepaliveSeconds);
        options.setConnectionTimeout(connectTimeout.isZero() ? 0
                : (int) Math.min(Integer.MAX_VALUE, (connectTimeout.toMillis() + 999) / 1000));
        options.setMaxInflight(MAX_IN_FLIGHT);
        username.ifPresent(options::setUserName);
        if (password != null) {
            options.setPassword(password);
        }
        options.setSocketFactory(socketFactory.<SocketFactory>map(tls -> tls).orElse(plainSockets));
        options.setHttpsHostnameVerificationEnabled(hostnameVerification);
        will.ifPresent(message -> options.setWill(message.topic(), message.payload(), message.qos(),
                message.retained()));
        return options;
    }

    /** @return the server URI */
    public String serverUri() {
        return serverUri;
    }

    /** @return the fixed client identifier, or empty */
    public Optional<String> clientId() {
        return clientId;
    }

    /** @return the user name, or empty */
    public Optional<String> username() {
        return username;
    }

    /** @return whether a password is set */
    public boolean hasPassword() {
        return password != null;
    }

    /** @return whether the broker forgets the session at each connection */
    public boolean cleanSession() {
        return cleanSession;
    }

    /** @return how many messages may wait to be sent */
    public int offlineQueueSize() {
        return offlineQueueSize;
    }

    /** @return what a publish does when the queue is full */
    public OfflineQueuePolicy offlineQueuePolicy() {
        return offlineQueuePolicy;
    }

    /** @return whether the connections run TLS */
    public boolean tls() {
        return socketFactory.isPresent();
    }

    /** @return whether the broker's certificate must match its host */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /** @return the will set on every connection, or empty */
    public Optional<MqttMessage> will() {
        return will;
    }

    /** @return whether a graceful close publishes the will too */
    public boolean willOnClose() {
        return willOnClose;
    }

    /** @return the durable queue's settings, or empty if the queue is in memory only */
    public Optional<StoreSettings> store() {
        return store;
    }

    /** Describes the settings for logs, without the password. */
    @Override
    public String toString() {
        return serverUri + clientId.map(id -> ", clientId=" + id).orElse("")
                + username.map(name -> ", username=" + name).orElse("")
                + ", cleanSession=" + cleanSession + ", offlineQueueSize=" + offlineQueueSize
                + ", offlineQueuePolicy=" + offlineQueuePolicy
                + will.map(message -> ", will=" + message.topic() + (willOnClose ? " (also on close)" : ""))
                        .orElse("")
                + store.map(disk -> ", " + disk).orElse("");
    }
}
