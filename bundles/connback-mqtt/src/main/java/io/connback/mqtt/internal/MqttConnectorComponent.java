package io.connback.mqtt.internal;

import io.connback.link.mqtt.MqttLink;
import io.connback.mqtt.MqttConnector;
import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ConnectionAttributes;
import io.connback.osgi.ConnectorService;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One MQTT link of the gateway, from a factory configuration {@code io.connback.mqtt} (e.g.
 * {@code conf/io.connback.mqtt-fleet.cfg}): registers the link's {@link io.connback.Connector} service, which the
 * connection manager of {@code io.connback.osgi} runs (see {@link ConnectorService}); applications get the
 * {@link MqttLink} from the link's {@link io.connback.osgi.ManagedConnection}.
 *
 * <p>Each save is checked in full by {@link ConnectorService}: every bad key is logged as one line naming the file, the
 * key and the value, and the component stays active, so that the next save of the file is taken; until then the link
 * has no connector service (or keeps its previous configuration) and the other links are not affected. A changed
 * configuration is taken without deactivation ({@code @Modified}), so that the link keeps its ManagedConnection. The
 * passwords are not service properties ({@link io.connback.osgi.ConnbackProperties#ofConnector}).
 *
 * <p>With {@code store = disk} and no {@code store.dir}, the link's store is the folder {@code mqtt/<link name>} of
 * the gateway's data folder (see {@link StoreFolders}).
 */
@Component(configurationPid = "io.connback.mqtt", configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = MqttConnectorComponent.Config.class, factory = true)
public final class MqttConnectorComponent {

    private static final String TYPE = "mqtt";

    /**
     * The configuration of an MQTT link, as metatype describes it: the connector's keys here (see
     * {@link MqttConnector}), the link name and the Connback options from {@link ConnectionAttributes}. The component
     * reads the raw properties, which {@link ConnectorService} checks with the messages of
     * {@link MqttConnector#fromMap}.
     */
    @ObjectClassDefinition(name = "Connback MQTT link",
            description = "A link to an MQTT 3.1.1 broker over Eclipse Paho, kept alive by Connback.")
    public interface Config extends ConnectionAttributes {

        /**
         * The broker.
         *
         * @return the server URI
         */
        @AttributeDefinition(description = "The broker: tcp://host[:port] or ssl://host[:port].")
        String serverUri();

        /**
         * The MQTT client identifier.
         *
         * @return the client id
         */
        @AttributeDefinition(description = "The MQTT client identifier; required with cleanSession off. "
                + "Made up per session if empty.", required = false)
        String clientId();

        /**
         * The user name.
         *
         * @return the user name
         */
        @AttributeDefinition(description = "The user name, if the broker asks for one.", required = false)
        String username();

        /**
         * The password.
         *
         * @return the password
         */
        @AttributeDefinition(description = "The password; needs a user name. Never logged.", required = false,
                type = AttributeType.PASSWORD)
        String password();

        /**
         * Whether the broker starts a clean session at each connection.
         *
         * @return clean session on
         */
        @AttributeDefinition(description = "Start a clean session at each connection; off, the broker keeps the "
                + "subscriptions and queued messages while the gateway is away.", required = false,
                defaultValue = "true")
        boolean cleanSession();

        /**
         * The bound of the offline queue.
         *
         * @return messages
         */
        @AttributeDefinition(description = "Published messages that may wait to be sent.", required = false,
                min = "1", max = "1000000", defaultValue = "1000")
        int offlineQueueSize();

        /**
         * What a publish does when the queue is full.
         *
         * @return the policy
         */
        @AttributeDefinition(description = "When the queue is full: drop the oldest waiting message, or refuse the "
                + "new one.", required = false, defaultValue = "dropOldest",
                options = {@Option(value = "dropOldest"), @Option(value = "refuse")})
        String offlineQueuePolicy();

        /**
         * The trusted certificates.
         *
         * @return a path
         */
        @AttributeDefinition(description = "Key store (PKCS#12 or JKS) of the certificates trusted to sign the "
                + "broker's; the JVM's trust if empty.", required = false)
        String tls_truststore();

        /**
         * The trust store's password.
         *
         * @return the password
         */
        @AttributeDefinition(description = "Password of the trust store, if it has one.", required = false,
                type = AttributeType.PASSWORD)
        String tls_truststorePassword();

        /**
         * The client's key and certificate.
         *
         * @return a path
         */
        @AttributeDefinition(description = "Key store (PKCS#12 or JKS) of the client's key and certificate, for "
                + "brokers that authenticate clients by certificate.", required = false)
        String tls_keystore();

        /**
         * The key store's password.
         *
         * @return the password
         */
        @AttributeDefinition(description = "Password of the key store, which also unlocks the key.",
                required = false, type = AttributeType.PASSWORD)
        String tls_keystorePassword();

        /**
         * Whether the broker's certificate must match its host.
         *
         * @return host name verification on
         */
        @AttributeDefinition(description = "The broker's certificate must match the host of the server URI.",
                required = false, defaultValue = "true")
        boolean tls_hostnameVerification();

        /**
         * The will's topic.
         *
         * @return the topic
         */
        @AttributeDefinition(description = "Topic of the last will, which the broker publishes when the gateway's "
                + "connection dies; no will if empty.", required = false)
        String will_topic();

        /**
         * The will's payload.
         *
         * @return UTF-8 text
         */
        @AttributeDefinition(description = "Payload of the last will, as text, e.g. {\"state\":\"offline\"}.",
                required = false)
        String will_payload();

        /**
         * The will's QoS.
         *
         * @return 0, 1 or 2
         */
        @AttributeDefinition(description = "QoS of the last will.", required = false, defaultValue = "1",
                options = {@Option(value = "0"), @Option(value = "1"), @Option(value = "2")})
        int will_qos();

        /**
         * Whether the will is retained.
         *
         * @return retained
         */
        @AttributeDefinition(description = "The broker retains the last will, as the last known status.",
                required = false, defaultValue = "false")
        boolean will_retained();

        /**
         * Whether a graceful close publishes the will too.
         *
         * @return publish on close
         */
        @AttributeDefinition(description = "Publish the last will also when the link closes gracefully (ended, "
                + "reconfigured, gateway stopping), just before disconnecting.", required = false,
                defaultValue = "false")
        boolean will_publishOnClose();

        /**
         * Where the queue is kept.
         *
         * @return memory or disk
         */
        @AttributeDefinition(description = "Keep the queue of QoS 1 and 2 messages on disk too, so that they "
                + "survive a restart or a crash (disk), or in memory only.", required = false,
                defaultValue = "memory", options = {@Option(value = "memory"), @Option(value = "disk")})
        String store();

        /**
         * The store's folder.
         *
         * @return a path
         */
        @AttributeDefinition(description = "Folder of the link's store files, one per link; default: "
                + "mqtt/<link name> in the gateway's data folder.", required = false)
        String store_dir();

        /**
         * The store's bound.
         *
         * @return bytes
         */
        @AttributeDefinition(description = "Bytes of waiting messages the store may hold; beyond, "
                + "offlineQueuePolicy applies.", required = false, min = "65536", defaultValue = "67108864")
        long store_maxBytes();

        /**
         * How often the store is forced to the disk.
         *
         * @return always or interval:ms
         */
        @AttributeDefinition(description = "Force the store to the disk after every write (always), or at most "
                + "that long after one (interval:<ms>): a power loss may cost the last interval.", required = false,
                defaultValue = "interval:100")
        String store_sync();
    }

    private final ConnectorService<MqttLink> service;

    /**
     * Registers the connector service of the link, once its whole configuration is checked.
     *
     * @param properties the configuration properties
     * @param context registers the connector service
     */
    @Activate
    public MqttConnectorComponent(Map<String, Object> properties, BundleContext context) {
        Path data = StoreFolders.dataFolder(context::getProperty);
        this.service = ConnectorService.register(context, TYPE, configuration -> MqttConnector.builder()
                .defaultStoreDir(StoreFolders.ofLink(data, ConnbackProperties.ofConnector(TYPE, configuration)
                        .get(ConnbackProperties.NAME).toString()))
                .apply(configuration).build(), properties);
    }

    /**
     * Takes a changed configuration; a refused one is logged and the link keeps its own.
     *
     * @param properties the new configuration properties
     */
    @Modified
    void modified(Map<String, Object> properties) {
        service.update(properties);
    }

    /** Unregisters the connector service: the manager closes the link, and ends it unless the bundle is stopping. */
    @Deactivate
    void deactivate() {
        service.unregister();
    }
}
