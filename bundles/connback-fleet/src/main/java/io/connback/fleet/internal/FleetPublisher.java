package io.connback.fleet.internal;

import io.connback.ConnectionState;
import io.connback.config.ConfigValues;
import io.connback.link.mqtt.MqttLink;
import io.connback.link.mqtt.MqttMessage;
import io.connback.osgi.LinkStatus;
import io.connback.osgi.ManagedConnection;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Publishes the fleet status of one gateway through the MQTT link of one of its managed connections, the broker link.
 * Every message is retained, QoS 1:
 * <ul>
 *   <li>{@code <prefix>/<gatewayId>/status}: {@code {"state":"online","version":...,"started":...,"links":[...]}}
 *       at every connection of the broker link, and whenever a link is added or removed;
 *       {@code {"state":"offline",...,"stopped":...}} when the publisher stops or the broker link goes away. The broker
 *       link's will, {@code {"state":"offline"}} on the same topic, covers a gateway that dies, and, with
 *       {@code will.publishOnClose}, a broker link that closes before the publisher could say so (the connection
 *       manager ends the links when the framework stops).
 *   <li>{@code <prefix>/<gatewayId>/links/<name>}: {@code {"state":"CONNECTED","since":...,"attempts":0,
 *       "lastError":null}} for every link at every connection of the broker link, and at every change of the link
 *       afterwards; an empty payload, which clears the retained message, when the link's configuration is deleted.
 * </ul>
 * While the broker link is down nothing is published: the next connection publishes the latest state of every link,
 * so what is sent stays bounded by the number of links, however long the outage.
 *
 * <p>Plain Java: the OSGi component feeds it the {@link ManagedConnection} services and their events. Thread-safe;
 * publishing never blocks (the MQTT link queues), so one lock orders the messages.
 */
public final class FleetPublisher {

    private static final System.Logger LOG = System.getLogger(FleetPublisher.class.getName());

    /** The QoS of every message: each is retained, and the broker must have it. */
    static final int QOS = 1;
    /** The will that the broker link should carry. */
    static final String OFFLINE_WILL = "{\"state\":\"offline\"}";

    private final String gatewayId;
    private final String statusTopic;
    private final String linksTopic;
    private final String brokerLinkName;
    private final String version;
    private final Instant started;

    // guarded by this
    private final Map<String, ManagedConnection> links = new TreeMap<>();
    /** What was last published for each link on the current broker connection, to skip repeats. */
    private final Map<String, String> published = new HashMap<>();
    /** The broker link's connection of the moment, from its last connect; null while it is down. */
    private MqttLink broker;
    private Object brokerClient;
    private boolean warnedOfWill;
    private boolean warnedOfType;
    private boolean announced;
    /** Topics refused by the link, warned about once each. */
    private final Set<String> refusedTopics = new HashSet<>();
    private boolean stopped;

    /**
     * Creates a publisher; nothing is published before the broker link is {@linkplain #added added} connected or
     * {@linkplain #changed connects}.
     *
     * @param gatewayId the gateway's name in the topics: not empty, no {@code /}, {@code +}, {@code #}
     * @param topicPrefix the first levels of the topics, e.g. {@code connback}: not empty, no wildcards
     * @param brokerLinkName the name of the managed MQTT connection to publish through
     * @param version the gateway's version, for the status
     * @param started when the gateway started, for the status
     * @throws IllegalArgumentException naming the key ({@code gatewayId}, {@code topicPrefix}, {@code link}) and the
     *     value, if one is not usable in a topic
     */
    public FleetPublisher(String gatewayId, String topicPrefix, String brokerLinkName, String version,
            Instant started) {
        this.gatewayId = checkTopicPart("gatewayId", gatewayId, "/+#");
        this.statusTopic = checkTopicPart("topicPrefix", topicPrefix, "+#") + "/" + gatewayId + "/status";
        this.linksTopic = topicPrefix + "/" + gatewayId + "/links/";
        if (brokerLinkName == null || brokerLinkName.isBlank()) {
            throw ConfigValues.invalid("link", brokerLinkName, "the name of an MQTT link is required");
        }
        this.brokerLinkName = brokerLinkName.trim();
        this.version = Objects.requireNonNull(version, "version");
        this.started = started.truncatedTo(ChronoUnit.MILLIS);
    }

    private static String checkTopicPart(String key, String value, String forbidden) {
        if (value == null || value.isBlank()) {
            throw ConfigValues.invalid(key, value, "must not be empty");
        }
        if (value.startsWith("/") || value.endsWith("/")
                || value.chars().anyMatch(c -> forbidden.indexOf(c) >= 0 || c == 0)) {
            throw ConfigValues.invalid(key, value, "must be usable in an MQTT topic: no " + String.join(" ",
                    forbidden.split("")) + ", nor a / at either end");
        }
        return value;
    }

    /**
     * The topic of the gateway's status, which the broker link's will must name.
     *
     * @return {@code <prefix>/<gatewayId>/status}
     */
    public String statusTopic() {
        return statusTopic;
    }

    /**
     * A managed connection appeared: its state is published, and the status with the new list of links; if it is the
     * broker link and it is connected, everything is published through it.
     *
     * @param connection the connection
     */
    public synchronized void added(ManagedConnection connection) {
        if (stopped) {
            return;
        }
        links.put(connection.name(), connection);
        if (isBroker(connection)) {
            follow(connection);
        } else if (brokerUp()) {
            publishStatus();
            publishLink(connection);
        }
    }

    /**
     * A managed connection changed: connected, lost, retrying, failed, ended. Its state is published; if it is the
     * broker link and it connected, everything is published through the new connection.
     *
     * @param connection the connection
     */
    public synchronized void changed(ManagedConnection connection) {
        if (stopped || links.get(connection.name()) != connection) {
            return;
        }
        if (isBroker(connection)) {
            follow(connection);
        } else if (brokerUp()) {
            publishLink(connection);
        }
    }

    /**
     * A managed connection went away. If its configuration was deleted, its retained state is cleared and the status
     * lists the remaining links. If it is the broker link, the status goes offline, if the link still takes it: the
     * link is closing.
     *
     * @param connection the connection
     * @param configurationDeleted {@code true} if the link's configuration is gone, {@code false} if the connection
     *     manager stops (the gateway is stopping) and the last state stays
     */
    public synchronized void removed(ManagedConnection connection, boolean configurationDeleted) {
        if (stopped || !links.remove(connection.name(), connection)) {
            return;
        }
        if (isBroker(connection)) {
            if (brokerUp()) {
                publish(statusTopic, offlineStatus());
            }
            down();
        } else if (brokerUp() && configurationDeleted) {
            published.remove(connection.name());
            publish(linksTopic + connection.name(), "");
            publishStatus();
        }
    }

    /**
     * Stops: publishes the offline status, if the broker link is up, and nothing more.
     *
     * @return completed when the broker acknowledged the offline status, or at once if it could not be sent
     */
    public synchronized CompletionStage<Void> stop() {
        if (stopped) {
            return CompletableFuture.completedFuture(null);
        }
        stopped = true;
        CompletionStage<Void> offline = brokerUp() ? publish(statusTopic, offlineStatus())
                : CompletableFuture.completedFuture(null);
        down();
        return offline;
    }

    // ---------------------------------------------------------------- under lock

    private boolean isBroker(ManagedConnection connection) {
        return connection.name().equals(brokerLinkName);
    }

    private boolean brokerUp() {
        return broker != null && broker.isConnected();
    }

    /** The broker link changed: a new connection is born, or the link went down. */
    private void follow(ManagedConnection brokerLink) {
        Optional<Object> client = brokerLink.client();
        if (brokerLink.state() != ConnectionState.CONNECTED || client.isEmpty()) {
            down();
            return;
        }
        if (client.get() == brokerClient) {
            return; // an event of the same connection
        }
        if (!(client.get() instanceof MqttLink link)) {
            if (!warnedOfType) {
                warnedOfType = true;
                LOG.log(Level.WARNING, "fleet status: link " + brokerLinkName + " is a " + brokerLink.type()
                        + " link, not an MQTT link: nothing is published; set the fleet's link to an MQTT link");
            }
            return;
        }
        if (!announced) {
            announced = true;
            LOG.log(Level.INFO, () -> "fleet status: publishing " + statusTopic + " and " + linksTopic + "<link>"
                    + " through link " + brokerLinkName + " to " + link.serverUri());
        }
        brokerClient = client.get();
        broker = link;
        published.clear();
        if (!warnedOfWill) {
            willAdvice(link.will()).ifPresent(advice -> {
                warnedOfWill = true;
                LOG.log(Level.WARNING, advice);
            });
        }
        publishStatus();
        links.values().forEach(this::publishLink);
    }

    private void down() {
        broker = null;
        brokerClient = null;
        published.clear();
    }

    private void publishStatus() {
        publish(statusTopic, new JsonObject().add("state", "online").add("version", version)
                .add("started", started.toString()).add("links", List.copyOf(links.keySet())).toString());
    }

    private String offlineStatus() {
        return new JsonObject().add("state", "offline").add("version", version).add("started", started.toString())
                .add("stopped", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString()).toString();
    }

    private void publishLink(ManagedConnection connection) {
        String state = linkState(connection);
        if (!state.equals(published.put(connection.name(), state))) {
            publish(linksTopic + connection.name(), state);
        }
    }

    private CompletionStage<Void> publish(String topic, String payload) {
        try {
            return broker.publish(topic, payload.getBytes(StandardCharsets.UTF_8), QOS, true)
                    .whenComplete((done, error) -> {
                        if (error != null) {
                            LOG.log(Level.DEBUG, () -> "fleet status: " + topic + " not published: " + error);
                        }
                    });
        } catch (IllegalArgumentException e) {
            // a link name that is no topic level: a wildcard in it
            if (refusedTopics.add(topic)) {
                LOG.log(Level.WARNING, "fleet status: cannot publish to " + topic + ": " + e.getMessage());
            }
            return CompletableFuture.failedFuture(e);
        } catch (IllegalStateException e) {
            // the session ended meanwhile: the broker link is ending
            LOG.log(Level.DEBUG, () -> "fleet status: " + topic + " not published: " + e.getMessage());
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---------------------------------------------------------------- JSON, static for the tests

    /**
     * The retained state of a link.
     *
     * @param connection the link
     * @return {@code {"state":"CONNECTED","since":"<ISO-8601>","attempts":0,"lastError":null}}
     */
    static String linkState(ManagedConnection connection) {
        LinkStatus status = connection.status();
        return new JsonObject().add("state", status.state().map(Enum::name).orElse("REFUSED"))
                .add("since", status.since().truncatedTo(ChronoUnit.MILLIS).toString())
                .add("attempts", status.attempt())
                .add("lastError", status.lastError().orElse(null)).toString();
    }

    /**
     * What to tell the operator about the broker link's will.
     *
     * @param will the broker link's will
     * @return a warning naming the keys to set, or empty if the will marks this gateway offline
     */
    Optional<String> willAdvice(Optional<MqttMessage> will) {
        if (will.isPresent() && will.get().topic().equals(statusTopic) && will.get().retained()) {
            return Optional.empty();
        }
        return Optional.of("fleet status: the MQTT link " + brokerLinkName + " has "
                + will.map(w -> "its will on " + w.topic() + (w.retained() ? "" : ", not retained"))
                        .orElse("no will")
                + ", so a gateway that dies stays online in " + statusTopic + ": set will.topic=" + statusTopic
                + ", will.payload=" + OFFLINE_WILL + ", will.retained=true, will.publishOnClose=true in the "
                + "configuration of link " + brokerLinkName);
    }

    @Override
    public String toString() {
        return "FleetPublisher[" + gatewayId + " through " + brokerLinkName + " to " + statusTopic + "]";
    }
}
