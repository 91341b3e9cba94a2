package io.connback.fleet.internal;

import io.connback.config.ConfigValues;
import io.connback.osgi.ConfigurationCheck;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.LinkStatus;
import io.connback.osgi.ManagedConnection;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The fleet status of the gateway (configuration {@code io.connback.fleet}, optional): a {@link FleetPublisher} fed
 * with every {@link ManagedConnection} service and, as a whiteboard {@link ConnectionListener} of all links, with their
 * events. It publishes through the managed MQTT connection named by {@code link} ({@code fleet} by default), whenever
 * that link exists; the link's configuration should set the will that marks the gateway offline (a warning says so
 * otherwise).
 *
 * <p>The offline status goes out when the framework starts stopping, before any bundle stops: the bundles stop in the
 * reverse order of their installation (at one start level), so the MQTT connector, deployed after this bundle, would
 * close the broker link (gracefully: the broker drops its will) before this component is deactivated. The connection
 * manager ends the links on that same event, and the order of the two is not defined: the broker link's
 * {@code will.publishOnClose} covers the case where the link closes first. A changed configuration restarts the
 * component: the old status topic goes offline, the new one online.
 *
 * <p>A bad configuration never fails the component, so that its next save is taken: each bad key is one line naming
 * the file ({@link ConfigurationCheck}), and nothing is published until the configuration is fixed.
 */
@Component(configurationPid = FleetComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = ConnectionListener.class, immediate = true)
@Designate(ocd = FleetComponent.Config.class)
public final class FleetComponent implements ConnectionListener {

    /** The configuration PID. */
    static final String PID = "io.connback.fleet";

    private static final System.Logger LOG = System.getLogger(FleetComponent.class.getName());

    /** How long stopping waits for the broker to acknowledge the offline status. */
    private static final long OFFLINE_ACK_SECONDS = 2;

    /** The configuration of the fleet status. */
    @ObjectClassDefinition(name = "Connback fleet status", description = "Publishes the gateway's status and the "
            + "state of each link, retained, through an MQTT link of the gateway.")
    public @interface Config {

        /**
         * The gateway's name in the topics.
         *
         * @return the name, or empty for the host name
         */
        @AttributeDefinition(name = "Gateway id", description = "The gateway's name in the topics, without / + #; "
                + "the host name if empty.", required = false)
        String gatewayId() default "";

        /**
         * The managed MQTT connection to publish through.
         *
         * @return the link name
         */
        @AttributeDefinition(name = "Broker link", description = "The name of the MQTT link to publish through. "
                + "Its configuration should set will.topic=<topicPrefix>/<gatewayId>/status, "
                + "will.payload={\"state\":\"offline\"}, will.retained=true and will.publishOnClose=true.")
        String link() default "fleet";

        /**
         * The first levels of the topics.
         *
         * @return the prefix
         */
        @AttributeDefinition(name = "Topic prefix", description = "The first levels of the topics: "
                + "<topicPrefix>/<gatewayId>/status and <topicPrefix>/<gatewayId>/links/<link name>.")
        String topicPrefix() default "connback";
    }

    /** The publisher, or {@code null} while the configuration is refused. */
    private final FleetPublisher publisher;
    private final BundleContext context;
    /** The framework's STOPPING event, delivered before any bundle stops. */
    private final SynchronousBundleListener gatewayStopping = event -> {
        if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == Constants.SYSTEM_BUNDLE_ID) {
            goOffline();
        }
    };

    /**
     * Starts publishing, once the whole configuration is checked; the connections are bound after this.
     *
     * @param properties the configuration's properties, as metatype's {@link Config} describes them
     * @param context tells the gateway's version (this bundle's) and when the framework stops
     */
    @Activate
    public FleetComponent(Map<String, Object> properties, BundleContext context) {
        String version = context.getBundle().getVersion().toString();
        Instant started = ProcessHandle.current().info().startInstant().orElseGet(Instant::now);
        Function<Map<String, ?>, FleetPublisher> publisherOf = configuration -> publisher(configuration, version,
                started);
        ConfigurationCheck check = ConfigurationCheck.of(properties);
        check.run(List.of(publisherOf::apply));
        check.warnings().forEach(line -> LOG.log(Level.WARNING, line));
        check.problems().forEach(line -> LOG.log(Level.ERROR, line + " (no fleet status until it is fixed)"));
        this.publisher = check.problems().isEmpty() ? publisherOf.apply(properties) : null;
        this.context = context;
        context.addBundleListener(gatewayStopping);
    }

    private static FleetPublisher publisher(Map<String, ?> configuration, String version, Instant started) {
        ConfigValues values = ConfigValues.ofForm(configuration);
        String gatewayId = values.text("gatewayId").map(String::trim).filter(id -> !id.isEmpty())
                .orElseGet(FleetComponent::hostName);
        return new FleetPublisher(gatewayId, values.text("topicPrefix").orElse("connback").trim(),
                values.text("link").orElse("fleet"), version, started);
    }

    /**
     * A managed connection registered.
     *
     * @param connection the connection
     */
    @Reference(service = ManagedConnection.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeConnection")
    void addConnection(ManagedConnection connection) {
        if (publisher != null) {
            publisher.added(connection);
        }
    }

    /**
     * A managed connection unregisters: its configuration is gone if the connection manager stays active, otherwise
     * the manager stops.
     *
     * @param connection the connection
     * @param reference its reference, still valid while it unregisters
     */
    void removeConnection(ManagedConnection connection, ServiceReference<ManagedConnection> reference) {
        Bundle manager = reference.getBundle();
        if (publisher != null) {
            publisher.removed(connection, manager != null && manager.getState() == Bundle.ACTIVE);
        }
    }

    /** Publishes the offline status, unless the framework's stop did already. */
    @Deactivate
    void deactivate() {
        context.removeBundleListener(gatewayStopping);
        goOffline();
    }

    /** Publishes the offline status, once, and waits a little for the broker to take it before the link closes. */
    private void goOffline() {
        if (publisher == null) {
            return;
        }
        try {
            publisher.stop().toCompletableFuture().get(OFFLINE_ACK_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.DEBUG, () -> "fleet status: the offline status was not acknowledged: " + e);
        }
    }

    /** Every change of a link: its state, its attempt, its error. */
    @Override
    public void onStatus(ManagedConnection connection, LinkStatus status) {
        if (publisher != null) {
            publisher.changed(connection);
        }
    }

    @Override
    public String toString() {
        return publisher == null ? "FleetComponent[refused configuration]" : publisher.toString();
    }

    /** The host name, as the system tells it, or {@code gateway} if it cannot. */
    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            LOG.log(Level.WARNING, "fleet status: the host name is unknown (" + e.getMessage()
                    + "); set gatewayId in the configuration " + PID);
            return "gateway";
        }
    }
}
