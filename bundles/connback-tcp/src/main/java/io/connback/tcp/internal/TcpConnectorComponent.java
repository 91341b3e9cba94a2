package io.connback.tcp.internal;

import io.connback.link.Link;
import io.connback.osgi.ConnectorService;
import io.connback.tcp.TcpConnector;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One TCP link of the gateway, from a factory configuration {@code io.connback.tcp} (e.g.
 * {@code conf/io.connback.tcp-meter1.cfg}): registers the link's {@link io.connback.Connector} service, which the
 * connection manager of {@code io.connback.osgi} runs (see {@link ConnectorService}).
 *
 * <p>A bad value makes the constructor throw an {@link IllegalArgumentException} that names the key and the value,
 * which SCR logs; the configuration then has no connector service at all, and the other links are not affected. A
 * changed configuration is taken without deactivation ({@code @Modified}), so that the link keeps its
 * ManagedConnection.
 */
@Component(configurationPid = "io.connback.tcp", configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = TcpConnectorComponent.Config.class, factory = true)
public final class TcpConnectorComponent {

    private static final String TYPE = "tcp";

    /**
     * The configuration of a TCP link: the connector's keys, the link's, then the Connback options. Metatype
     * annotations cannot share attributes, so the link keys and the Connback options are described again in every
     * connector's configuration type.
     */
    @ObjectClassDefinition(name = "Connback TCP link", description = "A device link over TCP, kept alive by Connback.")
    public @interface Config {

        /**
         * The link name.
         *
         * @return the name
         */
        @AttributeDefinition(description = "The link name; defaults to the name of the factory configuration.",
                required = false)
        String name();

        /**
         * The device's host.
         *
         * @return the host
         */
        @AttributeDefinition(description = "Host name or IP address of the device.")
        String host();

        /**
         * The device's port.
         *
         * @return the port
         */
        @AttributeDefinition(description = "TCP port, 1 to 65535.", min = "1", max = "65535")
        int port();

        /**
         * Whether TLS is used.
         *
         * @return TLS on
         */
        @AttributeDefinition(description = "Run TLS over the connection.", required = false)
        boolean tls() default false;

        /**
         * TCP_NODELAY.
         *
         * @return TCP_NODELAY on
         */
        @AttributeDefinition(description = "Send small writes at once (TCP_NODELAY).", required = false)
        boolean tcpNoDelay() default true;

        /**
         * SO_KEEPALIVE.
         *
         * @return SO_KEEPALIVE on
         */
        @AttributeDefinition(description = "Let the operating system probe an idle connection (SO_KEEPALIVE).",
                required = false)
        boolean tcpKeepAlive() default true;

        /**
         * The framing of inbound bytes.
         *
         * @return the framing
         */
        @AttributeDefinition(description = "How inbound bytes are cut into frames: none, delimiter:..., "
                + "fixed:..., length:... (see LinkSettings).", required = false)
        String framing() default "none";

        /**
         * The largest inbound frame.
         *
         * @return bytes
         */
        @AttributeDefinition(description = "Largest inbound frame, bytes.", required = false)
        String maxFrameSize();

        /**
         * The bound of the outbound queue.
         *
         * @return bytes
         */
        @AttributeDefinition(description = "Bytes that may wait to be sent.", required = false)
        String maxQueuedBytes();

        /**
         * The keepalive probe.
         *
         * @return a byte string
         */
        @AttributeDefinition(description = "Frame sent to a silent device by the keepalive (see LinkSettings).",
                required = false)
        String ping_frame();

        /**
         * Which inbound data proves the device alive.
         *
         * @return the matcher
         */
        @AttributeDefinition(description = "Inbound data that counts as a heartbeat (see LinkSettings).",
                required = false)
        String pong_match();

        /**
         * Keepalive.
         *
         * @return seconds
         */
        @AttributeDefinition(description = "Seconds without traffic before a ping; 0 disables.", required = false)
        String keepalive();

        /**
         * Connect timeout.
         *
         * @return milliseconds
         */
        @AttributeDefinition(description = "Connection attempt timeout, ms.", required = false)
        String connectTimeout();

        /**
         * Backoff strategy.
         *
         * @return the strategy name
         */
        @AttributeDefinition(description = "Backoff between attempts.", required = false,
                options = {@Option(value = "exponential"), @Option(value = "fibonacci"),
                    @Option(value = "decorrelated")})
        String strategy();

        /**
         * Jitter.
         *
         * @return the jitter name
         */
        @AttributeDefinition(description = "Randomization of the delays.", required = false,
                options = {@Option(value = "none"), @Option(value = "full"), @Option(value = "equal")})
        String jitter();

        /**
         * First delay.
         *
         * @return milliseconds
         */
        @AttributeDefinition(description = "First backoff delay, ms.", required = false)
        String initialDelay();

        /**
         * Longest delay.
         *
         * @return milliseconds
         */
        @AttributeDefinition(description = "Longest backoff delay, ms.", required = false)
        String maxDelay();

        /**
         * Attempts before giving up.
         *
         * @return a whole number or Infinity
         */
        @AttributeDefinition(description = "Attempts before going offline: a whole number or Infinity.",
                required = false)
        String maxNumOfAttempts();

        /**
         * Growth factor.
         *
         * @return the factor
         */
        @AttributeDefinition(description = "Growth factor of the exponential backoff.", required = false)
        String factor();

        /**
         * Whether the first attempt waits.
         *
         * @return true to wait
         */
        @AttributeDefinition(description = "Wait a backoff delay before the first attempt too.", required = false)
        boolean delayFirstAttempt() default false;

        /**
         * Time after which a connection counts as stable.
         *
         * @return milliseconds
         */
        @AttributeDefinition(description = "Connected time after which the backoff starts over, ms.",
                required = false)
        String stableAfter();
    }

    private final ConnectorService<Link> service;

    /**
     * Registers the connector service of the link, once its whole configuration is checked.
     *
     * @param config the typed configuration, which documents the keys; the raw properties are read
     * @param properties the configuration properties
     * @param context registers the connector service
     * @throws IllegalArgumentException naming the key and the value, if a value is missing, malformed or out of range
     */
    @Activate
    public TcpConnectorComponent(Config config, Map<String, Object> properties, BundleContext context) {
        this.service = ConnectorService.register(context, TYPE, TcpConnector::fromMap, properties);
    }

    /**
     * Takes a changed configuration; a bad value is refused as in the constructor and the link keeps its own.
     *
     * @param properties the new configuration properties
     * @throws IllegalArgumentException naming the key and the value, if a value is missing, malformed or out of range
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
