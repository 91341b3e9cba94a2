package io.connback.bridge.internal;

import io.connback.link.mqtt.MqttLink;
import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.ManagedConnection;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One bridge of the gateway, from a factory configuration {@code io.connback.bridge} (e.g.
 * {@code conf/io.connback.bridge-meter1.cfg}): a {@link Bridge} fed by a whiteboard {@link ConnectionListener} of its
 * two links, the device and the broker, registered with their names ({@link ConnbackProperties#NAME}). Several bridges
 * may share a broker link, and one device may feed several bridges.
 *
 * <p>A bad configuration is logged as one line per bad key, {@code <file>: <key>: invalid value '<value>': <why>},
 * where the file is the configuration's {@code connback.file} property if it has one, else its PID; the component is
 * then not activated (SCR logs the exception too). A changed configuration restarts the component.
 */
@Component(configurationPid = BridgeComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = BridgeComponent.Config.class, factory = true)
public final class BridgeComponent implements ConnectionListener {

    /** The factory configuration PID. */
    static final String PID = "io.connback.bridge";
    /** The framework property of the gateway's name, the default {@code gatewayId}. */
    static final String GATEWAY_ID_PROPERTY = "connback.gatewayId";

    private static final System.Logger LOG = System.getLogger(BridgeComponent.class.getName());

    /** The configuration of a bridge, as metatype describes it; the component reads the raw properties. */
    @ObjectClassDefinition(name = "Connback bridge", description = "Publishes the frames of a device link on an MQTT "
            + "link, and writes the commands received on a topic to the device.")
    public @interface Config {

        /** @return the device link's name */
        @AttributeDefinition(description = "The name of the device link (a serial or TCP link of the gateway).")
        String device();

        /** @return the MQTT link's name */
        @AttributeDefinition(description = "The name of the MQTT link to publish through.")
        String broker();

        /** @return the topic template */
        @AttributeDefinition(description = "The topic of the frames, without wildcards; {gatewayId} and {link} (the "
                + "device's name) are filled in.", required = false)
        String topic() default BridgeConfig.DEFAULT_TOPIC;

        /** @return the payload format */
        @AttributeDefinition(description = "The payload: the frame as it is (raw), as hex or base64 text, or json "
                + "{\"link\",\"ts\",\"seq\",\"data\"}.", required = false,
                options = {@Option(value = "raw"), @Option(value = "hex"), @Option(value = "base64"),
                    @Option(value = "json")})
        String format() default "raw";

        /** @return the encoding of json's data */
        @AttributeDefinition(name = "json.data", description = "How json writes the frame's bytes.",
                required = false, options = {@Option(value = "base64"), @Option(value = "hex")})
        String json_data() default "base64";

        /** @return the QoS */
        @AttributeDefinition(description = "The QoS of the frames and the replies, and of the commands "
                + "subscription.", required = false, options = {@Option(value = "0"), @Option(value = "1"),
                    @Option(value = "2")})
        int qos() default 1;

        /** @return whether the frames are retained */
        @AttributeDefinition(description = "The broker retains the latest frame.", required = false)
        boolean retained() default false;

        /** @return the commands topic filter */
        @AttributeDefinition(description = "The topic filter of the commands to write to the device, as they come; "
                + "none if empty. Templates as in topic.", required = false)
        String commands() default "";

        /** @return the replies topic */
        @AttributeDefinition(description = "The topic of the replies {\"seq\",\"ok\",\"error\"} to the commands; "
                + "none if empty.", required = false)
        String replies() default "";

        /** @return queue or refuse */
        @AttributeDefinition(name = "commands.whileDown", description = "While the device is down, commands wait "
                + "(queue) or are refused (refuse, with a reply).", required = false,
                options = {@Option(value = "queue"), @Option(value = "refuse")})
        String commands_whileDown() default "queue";

        /** @return the bound of the waiting commands */
        @AttributeDefinition(name = "commands.queueSize", description = "How many commands may wait for the "
                + "device; beyond, they are refused.", required = false, min = "1", max = "10000")
        int commands_queueSize() default BridgeConfig.DEFAULT_COMMAND_QUEUE_SIZE;

        /** @return the gateway's name */
        @AttributeDefinition(description = "The gateway's name in {gatewayId}; default the framework property "
                + "connback.gatewayId, else the host name.", required = false)
        String gatewayId() default "";
    }

    private final Bridge bridge;
    private final BridgeConfig config;
    private final ServiceRegistration<ConnectionListener> registration;

    /**
     * Checks the configuration and listens to the bridge's two links.
     *
     * @param properties the configuration properties
     * @param context registers the listener
     * @throws IllegalArgumentException with one line per bad key, each also logged
     */
    @Activate
    public BridgeComponent(Map<String, Object> properties, BundleContext context) {
        Object file = properties.getOrDefault("connback.file", properties.getOrDefault("service.pid", PID));
        Object configured = properties.get("gatewayId");
        String gatewayId = configured != null && !configured.toString().isBlank() ? configured.toString().trim()
                : gatewayId(context);
        try {
            this.config = BridgeConfig.parse(properties, gatewayId, file.toString());
        } catch (IllegalArgumentException e) {
            e.getMessage().lines().forEach(line -> LOG.log(Level.ERROR, line));
            throw e;
        }
        this.bridge = new Bridge(config, file.toString(), Clock.systemUTC());
        Hashtable<String, Object> listening = new Hashtable<>();
        listening.put(ConnbackProperties.NAME, new String[] {config.device(), config.broker()});
        this.registration = context.registerService(ConnectionListener.class, this, listening);
        LOG.log(Level.INFO, () -> bridge + " started");
    }

    /** Stops listening and closes the commands subscription. */
    @Deactivate
    void deactivate() {
        registration.unregister();
        bridge.close();
    }

    @Override
    public void onConnect(ManagedConnection connection) {
        if (connection.name().equals(config.device())) {
            connection.link().ifPresent(bridge::deviceConnected);
        }
        if (connection.name().equals(config.broker())) {
            connection.client().filter(MqttLink.class::isInstance).map(MqttLink.class::cast)
                    .ifPresentOrElse(bridge::brokerConnected, () -> LOG.log(Level.WARNING, () -> bridge + ": "
                            + connection.name() + " is not an MQTT link"));
        }
    }

    @Override
    public void onClose(ManagedConnection connection, boolean hasError) {
        if (connection.name().equals(config.device())) {
            bridge.deviceDown();
        }
    }

    @Override
    public void onEnd(ManagedConnection connection) {
        onClose(connection, false);
    }

    @Override
    public void onFrame(ManagedConnection connection, ByteBuffer frame) {
        if (connection.name().equals(config.device())) {
            bridge.frame(frame);
        }
    }

    @Override
    public String toString() {
        return bridge.toString();
    }

    private static String gatewayId(BundleContext context) {
        String property = context.getProperty(GATEWAY_ID_PROPERTY);
        if (property != null && !property.isBlank()) {
            return property.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "gateway";
        }
    }
}
