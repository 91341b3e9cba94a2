package io.connback.tcp.internal;

import io.connback.link.Link;
import io.connback.osgi.ConnectorService;
import io.connback.osgi.LinkAttributes;
import io.connback.tcp.TcpConnector;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * <p>Each save is checked in full by {@link ConnectorService}: every bad key is logged as one line naming the file, the
 * key and the value, and the component stays active, so that the next save of the file is taken; until then the link
 * has no connector service (or keeps its previous configuration) and the other links are not affected. A changed
 * configuration is taken without deactivation ({@code @Modified}), so that the link keeps its ManagedConnection.
 */
@Component(configurationPid = "io.connback.tcp", configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = TcpConnectorComponent.Config.class, factory = true)
public final class TcpConnectorComponent {

    private static final String TYPE = "tcp";

    /**
     * The configuration of a TCP link, as metatype describes it: the connector's keys here, the link keys and the
     * Connback options from {@link LinkAttributes}. The component reads the raw properties, which
     * {@link ConnectorService} checks with the messages of the connector's {@code fromMap}.
     */
    @ObjectClassDefinition(name = "Connback TCP link", description = "A device link over TCP, kept alive by Connback.")
    public interface Config extends LinkAttributes {

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
        @AttributeDefinition(description = "Run TLS over the connection.", required = false, defaultValue = "false")
        boolean tls();

        /**
         * TCP_NODELAY.
         *
         * @return TCP_NODELAY on
         */
        @AttributeDefinition(description = "Send small writes at once (TCP_NODELAY).", required = false,
                defaultValue = "true")
        boolean tcpNoDelay();

        /**
         * SO_KEEPALIVE.
         *
         * @return SO_KEEPALIVE on
         */
        @AttributeDefinition(description = "Let the operating system probe an idle connection (SO_KEEPALIVE).",
                required = false, defaultValue = "true")
        boolean tcpKeepAlive();
    }

    private final ConnectorService<Link> service;
    private final SelectorLoop.Lease selectorLease;

    /**
     * Registers the connector service of the link, once its whole configuration is checked.
     *
     * @param properties the configuration properties
     * @param context registers the connector service
     */
    @Activate
    public TcpConnectorComponent(Map<String, Object> properties, BundleContext context) {
        this.service = ConnectorService.registerDeviceLink(context, TYPE, TcpConnector::fromMap, properties);
        this.selectorLease = SelectorLoop.SHARED.retain();
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
     * last component to go waits for the selector thread to close its channels and end, so that no code of this
     * bundle runs once it has stopped.
     *
     * @throws InterruptedException if interrupted while waiting for the selector thread
     */
    @Deactivate
    void deactivate() throws InterruptedException {
        service.unregister();
        selectorLease.release(TcpLink.DRAIN_TIMEOUT_NANOS + TimeUnit.SECONDS.toNanos(1));
    }
}
