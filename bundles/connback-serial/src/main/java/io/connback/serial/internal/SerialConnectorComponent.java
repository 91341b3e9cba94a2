package io.connback.serial.internal;

import io.connback.Connector;
import io.connback.link.Link;
import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ConnectorService;
import io.connback.osgi.LinkAttributes;
import io.connback.serial.SerialConnector;
import java.time.Duration;
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
 * <p>Each save is checked in full by {@link ConnectorService}: every bad key is logged as one line naming the file, the
 * key and the value, and the component stays active, so that the next save of the file is taken; until then the link
 * has no connector service (or keeps its previous configuration) and the other links are not affected. A changed
 * configuration is taken without deactivation ({@code @Modified}), so that the link keeps its ManagedConnection.
 */
@Component(configurationPid = "io.connback.serial", configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = SerialConnectorComponent.Config.class, factory = true)
public final class SerialConnectorComponent {

    private static final String TYPE = "serial";

    /**
     * The configuration of a serial link, as metatype describes it: the connector's keys here, the link keys and the
     * Connback options from {@link LinkAttributes}. The component reads the raw properties, which
     * {@link ConnectorService} checks with the messages of the connector's {@code fromMap}.
     */
    @ObjectClassDefinition(name = "Connback serial link",
            description = "A device link over a serial port, kept alive by Connback.")
    public interface Config extends LinkAttributes {

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
        @AttributeDefinition(description = "Bits per second.", required = false, defaultValue = "9600")
        int baudRate();

        /**
         * Data bits.
         *
         * @return 5 to 8
         */
        @AttributeDefinition(description = "Data bits, 5 to 8.", required = false, min = "5", max = "8",
                defaultValue = "8")
        int dataBits();

        /**
         * Parity.
         *
         * @return the parity name
         */
        @AttributeDefinition(description = "Parity.", required = false, options = {@Option(value = "none"),
            @Option(value = "odd"), @Option(value = "even"), @Option(value = "mark"), @Option(value = "space")},
                defaultValue = "none")
        String parity();

        /**
         * Stop bits.
         *
         * @return 1, 1.5 or 2
         */
        @AttributeDefinition(description = "Stop bits.", required = false,
                options = {@Option(value = "1"), @Option(value = "1.5"), @Option(value = "2")}, defaultValue = "1")
        String stopBits();

        /**
         * Flow control.
         *
         * @return the flow control name
         */
        @AttributeDefinition(description = "Flow control.", required = false,
                options = {@Option(value = "none"), @Option(value = "rts/cts"), @Option(value = "xon/xoff")},
                defaultValue = "none")
        String flowControl();

        /**
         * The wait after opening.
         *
         * @return milliseconds
         */
        @AttributeDefinition(description = "Wait after opening the port, ms, for devices that reset on open.",
                required = false)
        String openDelay();
    }

    /** Long enough for the readers to see their links closed: reads time out in 100 ms steps on Linux. */
    private static final Duration THREADS_END = Duration.ofSeconds(3);

    private final ConnectorService<Link> service;
    private final SharedSerialThreads.Lease threadsLease;

    /**
     * Registers the connector service of the link, once its whole configuration is checked.
     *
     * @param properties the configuration properties
     * @param context registers the connector service
     */
    @Activate
    public SerialConnectorComponent(Map<String, Object> properties, BundleContext context) {
        this.service = ConnectorService.registerDeviceLink(context, TYPE, SerialConnectorComponent::connector,
                properties);
        this.threadsLease = SharedSerialThreads.retain();
    }

    /** The connector of a configuration, named as its link, so that a link that finds its port busy names it. */
    private static Connector<Link> connector(Map<String, ?> properties) {
        return SerialConnector.builder().apply(properties).name(ConnbackProperties.linkName(properties)).build();
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

    /**
     * Unregisters the connector service: the manager closes the link, and ends it unless the bundle is stopping. The
     * last component to go waits for the serial threads to end, so that no code of this bundle runs once it has
     * stopped.
     *
     * @throws InterruptedException if interrupted while waiting for the threads
     */
    @Deactivate
    void deactivate() throws InterruptedException {
        service.unregister();
        threadsLease.release(THREADS_END);
    }
}
