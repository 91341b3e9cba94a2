package io.connback.serial.internal;

import io.connback.link.Link;
import io.connback.osgi.ConnectorService;
import io.connback.serial.SerialConnector;
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
 * One serial link of the gateway, from a factory configuration {@code io.connback.serial} (e.g.
 * {@code conf/io.connback.serial-meter1.cfg}): registers the link's {@link io.connback.Connector} service, which the
 * connection manager of {@code io.connback.osgi} runs (see {@link ConnectorService}).
 *
 * <p>A bad value makes the constructor throw an {@link IllegalArgumentException} that names the key and the value,
 * which SCR logs; the configuration then has no connector service at all, and the other links are not affected. A
 * changed configuration is taken without deactivation ({@code @Modified}), so that the link keeps its
 * ManagedConnection.
 */
@Component(configurationPid = "io.connback.serial", configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = SerialConnectorComponent.Config.class, factory = true)
public final class SerialConnectorComponent {

    private static final String TYPE = "serial";

    /**
     * The configuration of a serial link: the connector's keys, the link's, then the Connback options. Metatype
     * annotations cannot share attributes, so the link keys and the Connback options are described again in every
     * connector's configuration type.
     */
    @ObjectClassDefinition(name = "Connback serial link",
            description = "A device link over a serial port, kept alive by Connback.")
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
         * The serial port.
         *
         * @return a path or a USB identity
         */
        @AttributeDefinition(description = "A device path (/dev/ttyUSB0) or a USB identity usb:VID:PID[:SERIAL], "
                + "looked up again at every attempt.")
        String port();

        /**
         * The baud rate.
         *
         * @return bits per second
         */
        @AttributeDefinition(description = "Bits per second.", required = false)
        int baudRate() default 9600;

        /**
         * Data bits.
         *
         * @return 5 to 8
         */
        @AttributeDefinition(description = "Data bits, 5 to 8.", required = false, min = "5", max = "8")
        int dataBits() default 8;

        /**
         * Parity.
         *
         * @return the parity name
         */
        @AttributeDefinition(description = "Parity.", required = false, options = {@Option(value = "none"),
            @Option(value = "odd"), @Option(value = "even"), @Option(value = "mark"), @Option(value = "space")})
        String parity() default "none";

        /**
         * Stop bits.
         *
         * @return 1, 1.5 or 2
         */
        @AttributeDefinition(description = "Stop bits.", required = false,
                options = {@Option(value = "1"), @Option(value = "1.5"), @Option(value = "2")})
        String stopBits() default "1";

        /**
         * Flow control.
         *
         * @return the flow control name
         */
        @AttributeDefinition(description = "Flow control.", required = false,
                options = {@Option(value = "none"), @Option(value = "rts/cts"), @Option(value = "xon/xoff")})
        String flowControl() default "none";

        /**
         * The wait after opening.
         *
         * @return milliseconds
         */
        @AttributeDefinition(description = "Wait after opening the port, ms, for devices that reset on open.",
                required = false)
        String openDelay();

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
    public SerialConnectorComponent(Config config, Map<String, Object> properties, BundleContext context) {
        this.service = ConnectorService.register(context, TYPE, SerialConnector::fromMap, properties);
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
