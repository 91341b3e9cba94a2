package io.connback.osgi;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.ConnbackOptions;
import io.connback.Connector;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The connector service of one link, for the DS component of a connector bundle, which calls
 * {@link #register}, {@link #update} and {@link #unregister} from its activate, modified and deactivate methods.
 *
 * <p>Every configuration is checked in full (connector keys and Connback options) before it is used: a bad one throws
 * an {@link IllegalArgumentException} naming the key and the value, and changes nothing. The component registers the
 * service itself, rather than through SCR, because SCR registers a component's service before its constructor can
 * refuse the configuration, and because the service properties are computed ({@link ConnbackProperties#ofConnector}).
 * A changed configuration keeps the service: the connection manager reconnects the link with the new settings; if
 * its {@code name} changed, the manager ends the link of the old name and starts one under the new name.
 *
 * @param <T> the client type
 */
public final class ConnectorService<T> {

    private static final System.Logger LOG = System.getLogger(ConnectorService.class.getName());

    private final String type;
    private final Function<Map<String, ?>, Connector<T>> factory;
    private final ServiceRegistration<?> registration;
    private volatile Connector<T> connector;

    private ConnectorService(BundleContext context, String type, Function<Map<String, ?>, Connector<T>> factory,
            Map<String, ?> configuration) {
        this.type = Objects.requireNonNull(type, "type");
        this.factory = Objects.requireNonNull(factory, "factory");
        Checked<T> checked = check(configuration, "refused");
        this.connector = checked.connector();
        this.registration = context.registerService(Connector.class.getName(), new Current(), checked.properties());
    }

    /**
     * Checks a configuration and registers the connector service of its link.
     *
     * @param context the connector bundle's context
     * @param type the connector type, e.g. {@code tcp}
     * @param factory makes a connector from a configuration, e.g. {@code TcpConnector::fromMap}; throws an
     *     {@link IllegalArgumentException} naming the key and the value for a bad one
     * @param configuration the configuration properties
     * @param <T> the client type
     * @return the registered service
     * @throws IllegalArgumentException naming the key and the value, if a value is missing, malformed or out of range
     */
    // BundleContext comes from osgi.core, an automatic module that "requires transitive" would be warned about too;
    // the callers are OSGi components, which read it anyway
    @SuppressWarnings("exports")
    public static <T> ConnectorService<T> register(BundleContext context, String type,
            Function<Map<String, ?>, Connector<T>> factory, Map<String, ?> configuration) {
        return new ConnectorService<>(context, type, factory, configuration);
    }

    /**
     * Takes a changed configuration: the next connection attempts use the new connector, and the service properties
     * change, so the manager reconnects the link.
     *
     * @param configuration the new configuration properties
     * @throws IllegalArgumentException naming the key and the value, if a value is bad; the link keeps its
     *     configuration
     */
    public void update(Map<String, ?> configuration) {
        Checked<T> checked = check(configuration, "change refused, the link keeps its own");
        Connector<T> replaced = connector;
        connector = checked.connector();
        registration.setProperties(checked.properties());
        close(replaced);
    }

    /**
     * Unregisters the service: the manager closes the link and, unless the bundle is stopping, ends it. Then closes
     * the connector, if it is {@link AutoCloseable}.
     */
    public void unregister() {
        registration.unregister();
        close(connector);
    }

    private void close(Connector<T> done) {
        if (done instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, () -> "closing the connector " + done + " failed", e);
            }
        }
    }

    /**
     * Checks the whole configuration and computes the service properties. A bad value is logged as one line that
     * names the link, the key and the value (the operator's view), and thrown (SCR's view: the component
     * configuration fails its activation, as its runtime and a web console show).
     */
    private Checked<T> check(Map<String, ?> configuration, String outcome) {
        try {
            Connector<T> checkedConnector = factory.apply(configuration);
            ConnbackOptions.fromMap(configuration);
            return new Checked<>(checkedConnector, ConnbackProperties.ofConnector(type, configuration));
        } catch (IllegalArgumentException e) {
            Object pid = configuration.get("service.pid");
            LOG.log(System.Logger.Level.ERROR, () -> "link " + (pid == null ? type : pid) + ": configuration "
                    + outcome + ": " + e.getMessage());
            throw e;
        }
    }

    /** A configuration that passed its checks: its connector and the service properties. */
    private record Checked<T>(Connector<T> connector, Hashtable<String, Object> properties) {}

    /** The service object: forwards to the connector of the current configuration. */
    private final class Current implements Connector<T> {

        @Override
        public CompletionStage<T> connect(Connback<T> connback, CancellationToken token) {
            return connector.connect(connback, token);
        }

        @Override
        public void close(T client, boolean force) throws Exception {
            connector.close(client, force);
        }

        @Override
        public void ping(T client) throws Exception {
            connector.ping(client);
        }

        @Override
        public String toString() {
            return connector.toString();
        }
    }
}
