package io.connback.osgi;

import io.connback.CancellationToken;
import io.connback.Connback;
import io.connback.ConnbackOptions;
import io.connback.Connector;
import io.connback.config.ConfigValues;
import io.connback.link.LinkSettings;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The connector service of one link, for the DS component of a connector bundle, which calls
 * {@link #register}, {@link #update} and {@link #unregister} from its activate, modified and deactivate methods (SCR
 * makes those calls one at a time for one component, which is the only synchronization this class needs).
 *
 * <p>Every configuration is checked in full by {@link ConfigurationCheck}: each bad key is logged as one line that
 * names the file, the key and the value, and unknown keys are warned about. A refused configuration never fails the
 * component, so that the next save of its file is taken: while refused, a {@link ConfigurationRefusal} service tells
 * the connection manager why, and the link of that name, if one runs, keeps its previous configuration. The component
 * registers the connector service itself, rather than through SCR, because the service properties are computed
 * ({@link ConnbackProperties#ofConnector}) and only exist for an accepted configuration. A changed configuration keeps
 * the service: the connection manager reconnects the link with the new settings; if its {@code name} changed, the
 * manager ends the link of the old name and starts one under the new name.
 *
 * @param <T> the client type
 */
public final class ConnectorService<T> {

    private static final Logger LOG = System.getLogger(ConnectorService.class.getName());

    private final BundleContext context;
    private final String type;
    private final Function<Map<String, ?>, Connector<T>> factory;
    private final boolean deviceLink;
    private ServiceRegistration<?> registration;
    private ServiceRegistration<ConfigurationRefusal> refusal;
    private volatile Connector<T> connector;

    private ConnectorService(BundleContext context, String type, Function<Map<String, ?>, Connector<T>> factory,
            boolean deviceLink) {
        this.context = Objects.requireNonNull(context, "context");
        this.type = Objects.requireNonNull(type, "type");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.deviceLink = deviceLink;
    }

    /**
     * Checks a configuration and registers the connector service of its link, or, if it is refused, the
     * {@link ConfigurationRefusal} that says why.
     *
     * @param context the connector bundle's context
     * @param type the connector type, e.g. {@code mqtt}
     * @param factory makes a connector from a configuration, e.g. {@code MqttConnector::fromMap}; throws an
     *     {@link IllegalArgumentException} naming the key and the value for a bad one
     * @param configuration the configuration properties
     * @param <T> the client type
     * @return the service, which takes the configuration's changes
     */
    // BundleContext comes from osgi.core, an automatic module that "requires transitive" would be warned about too;
    // the callers are OSGi components, which read it anyway
    @SuppressWarnings("exports")
    public static <T> ConnectorService<T> register(BundleContext context, String type,
            Function<Map<String, ?>, Connector<T>> factory, Map<String, ?> configuration) {
        return start(new ConnectorService<>(context, type, factory, false), configuration);
    }

    /**
     * Like {@link #register}, for a device link ({@link LinkSettings}): without a {@code ping.frame}, nothing asks a
     * quiet device to answer, so the keepalive is off unless the configuration sets it; set, it means that the device
     * must send something within 1.4 keepalives, which one INFO line says.
     *
     * @param context the connector bundle's context
     * @param type the connector type, e.g. {@code tcp}
     * @param factory makes a connector from a configuration, e.g. {@code TcpConnector::fromMap}
     * @param configuration the configuration properties
     * @param <T> the client type
     * @return the service, which takes the configuration's changes
     */
    @SuppressWarnings("exports")
    public static <T> ConnectorService<T> registerDeviceLink(BundleContext context, String type,
            Function<Map<String, ?>, Connector<T>> factory, Map<String, ?> configuration) {
        return start(new ConnectorService<>(context, type, factory, true), configuration);
    }

    private static <T> ConnectorService<T> start(ConnectorService<T> service, Map<String, ?> configuration) {
        service.take(configuration);
        return service;
    }

    /**
     * Takes a changed configuration: the next connection attempts use the new connector, and the service properties
     * change, so the manager reconnects the link. A refused change is logged, and the link keeps its configuration.
     *
     * @param configuration the new configuration properties
     */
    public void update(Map<String, ?> configuration) {
        take(configuration);
    }

    /**
     * Unregisters the services: the manager closes the link and, unless the bundle is stopping, ends it. Then closes
     * the connector, if it is {@link AutoCloseable}.
     */
    public void unregister() {
        withdrawRefusal();
        if (registration != null) {
            registration.unregister();
            registration = null;
            close(connector);
        }
    }

    private void take(Map<String, ?> configuration) {
        ConfigurationCheck check = ConfigurationCheck.of(configuration);
        check.run(List.of(factory::apply, ConnbackOptions::fromMap, ConnbackProperties::isRequired,
                ConnbackProperties::linkName));
        check.warnings().forEach(line -> LOG.log(Level.WARNING, line));
        if (!check.problems().isEmpty()) {
            refuse(check);
            return;
        }
        Connector<T> made = factory.apply(configuration);
        Hashtable<String, Object> properties = ConnbackProperties.ofConnector(type, configuration);
        properties.put(ConnbackProperties.SOURCE, check.source());
        if (deviceLink) {
            keepaliveWithoutPing(check.source(), configuration, properties);
        }
        Connector<T> replaced = connector;
        connector = made;
        if (registration == null) {
            registration = context.registerService(Connector.class.getName(), new Current(), properties);
        } else {
            registration.setProperties(properties);
            close(replaced);
        }
        withdrawRefusal();
    }

    /** The keepalive rule of device links without a ping frame, applied to the service properties. */
    private static void keepaliveWithoutPing(String source, Map<String, ?> configuration,
            Hashtable<String, Object> properties) {
        if (LinkSettings.fromMap(configuration).pingFrame().isPresent()) {
            return;
        }
        Duration keepalive = ConnbackOptions.fromMap(configuration).keepalive();
        if (ConfigValues.ofForm(configuration).raw("keepalive").isEmpty()) {
            properties.put("keepalive", "0");
        } else if (!keepalive.isZero()) {
            LOG.log(Level.INFO, source + ": keepalive " + keepalive.toMillis() / 1000.0 + " s without ping.frame: the"
                    + " device must send something at least every " + keepalive.multipliedBy(14).dividedBy(10)
                    .toMillis() / 1000.0 + " s, or the link is closed and reconnected");
        }
    }

    private void refuse(ConfigurationCheck check) {
        String outcome = registration == null ? "" : " (the link keeps its previous configuration)";
        check.problems().forEach(line -> LOG.log(Level.ERROR, line + outcome));
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ConnbackProperties.NAME, check.linkName());
        properties.put(ConnbackProperties.TYPE, type);
        properties.put(ConnbackProperties.SOURCE, check.source());
        Refused refused = new Refused(check.source(), check.problems());
        withdrawRefusal();
        refusal = context.registerService(ConfigurationRefusal.class, refused, properties);
    }

    private void withdrawRefusal() {
        if (refusal != null) {
            refusal.unregister();
            refusal = null;
        }
    }

    private static void close(Connector<?> done) {
        if (done instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.log(Level.WARNING, () -> "closing the connector " + done + " failed", e);
            }
        }
    }

    /** A refused configuration, as the manager sees it. */
    private record Refused(String source, List<String> problems) implements ConfigurationRefusal {}

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
