package io.connback.osgi.internal;

import io.connback.ConnbackOptions;
import io.connback.ReconnectBudget;
import io.connback.Connector;
import io.connback.osgi.ConfigurationRefusal;
import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.LinkStatus;
import io.connback.osgi.LinkStatuses;
import io.connback.osgi.ManagedConnection;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Runs a Connback for every connector service (one per configured link) and registers a {@link ManagedConnection}
 * for each link name. The ManagedConnection of a name outlives its connector service while the connector's bundle
 * is stopping (updated, restarted, uninstalled): its link closes, and reconnects through the connector that registers
 * under the same name. A connector service that leaves while its bundle stays active means that the link's
 * configuration is gone: its ManagedConnection ends and is unregistered.
 *
 * <p>A link's name is its identity, and unique in the gateway: a connector service whose name is taken by the link of
 * another configuration (another file, or another connector type) is refused, with one line naming both files; the
 * link that has the name is not touched, and removing the refused configuration changes nothing. Once the name is
 * free (its configuration deleted), the refused configuration that waited longest applies.
 *
 * <p>The manager keeps the {@link LinkStatus} of every link, and of every configuration refused (by its connector,
 * through a {@link ConfigurationRefusal} service, or by the manager for its name), and registers them all as the
 * {@link LinkStatuses} service.
 *
 * <p>Framework calls (registering and unregistering services) and link calls that may tell listeners are never made
 * while the manager's monitor is held; the monitor only guards its maps.
 *
 * <p>A link's name is its identity. A configuration whose name changes ends the ManagedConnection of the old name (its
 * listeners get {@code close} and {@code end}, its service is unregistered) and starts one under the new name (a new
 * service, whose listeners see it connect), rather than renaming the service in place: applications and listeners
 * select connections by name, and a service renamed under them would leave those of the old name with a connection
 * that never ended, and give those of the new name one they never saw connect.
 *
 * <p>When the framework stops, the manager ends every link as soon as the system bundle is stopping, before any
 * bundle stops: connectors and listeners are all still there, so each link closes through its connector and every
 * listener receives its {@code end}, once. The same happens to the links that remain when the manager itself stops.
 *
 * <p>A connector service carries the properties {@code connback.name} and {@code connback.type} and the Connback
 * options of its link ({@link ConnbackOptions#fromMap(Map)}); see {@link ConnbackProperties#ofConnector}.
 */
@Component(service = LinkStatuses.class, immediate = true, configurationPid = "io.connback.gateway",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ConnectionManager.GatewayConfig.class)
public final class ConnectionManager implements LinkStatuses {

    /**
     * The gateway's settings for all its links, as metatype describes them ({@code conf/io.connback.gateway.cfg}); the
     * component reads the raw properties, see {@link ReconnectBudgetSettings}.
     */
    @ObjectClassDefinition(name = "Connback gateway", description = "Settings shared by every link of the gateway.")
    public @interface GatewayConfig {

        /**
         * The reconnect budget's rate.
         *
         * @return attempts per second, or off
         */
        @AttributeDefinition(description = "Connection attempts per second that all links together may start, or "
                + "off for no cap.", required = false)
        String reconnect_rate() default "100";

        /**
         * The reconnect budget's burst.
         *
         * @return attempts
         */
        @AttributeDefinition(description = "Attempts that may start at once after a quiet time.", required = false)
        String reconnect_burst() default "50";
    }

    private static final Logger LOG = System.getLogger(ConnectionManager.class.getName());
    /** How long stopping waits for the links to end and their listeners to be told. */
    private static final Duration END_TIMEOUT = Duration.ofSeconds(5);

    private final BundleContext context;
    /** The one reconnect budget of every link; a changed configuration updates it in place. */
    private final ReconnectBudget budget = ReconnectBudgetSettings.defaultBudget();
    private final Map<String, ManagedLink> links = new HashMap<>();
    /** Connector services refused because their name is taken, oldest first. */
    private final Map<Connector<?>, Waiting> refusedNames = new LinkedHashMap<>();
    /** Configurations refused by their connector. */
    private final Map<ConfigurationRefusal, Claim> refusals = new IdentityHashMap<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private boolean active = true;
    /**
     * Ends the links when the framework starts to stop: the connector bundles, installed after this one, stop
     * before it, and a link that loses its connector while its bundle stops only waits for the next one.
     */
    private final SynchronousBundleListener frameworkStop = event -> {
        if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == Constants.SYSTEM_BUNDLE_ID) {
            endAll("gateway stopping");
        }
    };

    /**
     * A configuration that claims a link name without running the link.
     *
     * @param name the name it claims
     * @param type its connector type
     * @param source its file or PID
     * @param since when it was refused
     * @param problems why
     */
    private record Claim(String name, String type, String source, Instant since, List<String> problems) {

        LinkStatus status() {
            return LinkStatusRecord.refused(name, type, source, since, problems);
        }
    }

    /**
     * A connector service refused because its name is taken, with what it takes to start it once the name is free.
     *
     * @param claim its refusal
     * @param properties its service properties
     * @param options its link's options, as checked when it was refused
     */
    private record Waiting(Claim claim, Map<String, Object> properties, ConnbackOptions options) {}

    /**
     * Starts the manager; the connector services are bound after this.
     *
     * @param context the context that registers the ManagedConnection services
     * @param configuration the gateway's configuration ({@code io.connback.gateway}), if any
     */
    @Activate
    public ConnectionManager(BundleContext context, Map<String, Object> configuration) {
        this.context = context;
        ReconnectBudgetSettings.apply(configuration, budget);
        context.addBundleListener(frameworkStop);
    }

    /**
     * The gateway's configuration changed: the links' budget follows, without restarting them.
     *
     * @param configuration the new configuration
     */
    @Modified
    void modified(Map<String, Object> configuration) {
        ReconnectBudgetSettings.apply(configuration, budget);
    }

    /**
     * A connector service registered: runs its link, or lets the link of the same name reconnect through it; or,
     * if the link of its name belongs to another configuration, refuses it.
     *
     * @param connector the connector service
     * @param properties its service properties
     */
    @Reference(service = Connector.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(&(" + ConnbackProperties.NAME + "=*)(" + ConnbackProperties.TYPE + "=*))",
            unbind = "removeConnector", updated = "updatedConnector")
    void addConnector(Connector<?> connector, Map<String, Object> properties) {
        Optional<ConnbackOptions> options = optionsOf(properties);
        if (options.isPresent()) {
            Claimed claimed;
            synchronized (this) {
                claimed = claim(connector, properties, options.get());
            }
            start(claimed, options.get());
        }
    }

    /** The options of a connector service's link: its own, with the gateway's reconnect budget. */
    private Optional<ConnbackOptions> optionsOf(Map<String, Object> properties) {
        try {
            return Optional.of(withBudget(properties));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, sourceOf(properties) + ": link " + properties.get(ConnbackProperties.NAME)
                    + " not started: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * What a connector service gets: the link of its name, new or its own, with the connector attached; or a
     * refusal, if another configuration has the name.
     *
     * @param link the link, or {@code null} if refused or the manager stops
     * @param created whether the link is new
     * @param refusal the line that says why it is refused, or {@code null}
     */
    private record Claimed(ManagedLink link, boolean created, String refusal) {}

    /**
     * Takes the name of a connector service for its link, or records its refusal. Called with the monitor held, so
     * that the name is taken and the connector attached in one step: a removal on another thread sees both or
     * neither.
     */
    private Claimed claim(Connector<?> connector, Map<String, Object> properties, ConnbackOptions options) {
        if (!active) {
            return new Claimed(null, false, null);
        }
        String name = String.valueOf(properties.get(ConnbackProperties.NAME));
        String type = String.valueOf(properties.get(ConnbackProperties.TYPE));
        String owner = ownerOf(properties);
        String source = sourceOf(properties);
        ManagedLink link = links.get(name);
        if (link != null && isOther(link, owner, type)) {
            String taken = source + ": name: '" + name + "' is already used by " + link.source()
                    + "; this file is refused, the link " + name + " is not touched";
            refusedNames.put(connector, new Waiting(new Claim(name, type, source, Instant.now(), List.of(taken)),
                    Map.copyOf(properties), options));
            return new Claimed(null, false, taken);
        }
        boolean created = link == null;
        if (created) {
            link = new ManagedLink(name, type, watchers, LinkStateLog.TO_LOGGER);
            links.put(name, link);
        }
        link.ownedBy(owner, source, isRequired(properties));
        link.connector().attach(connector);
        return new Claimed(link, created, null);
    }

    /** Runs a claimed link, or tells its refusal; without the monitor, as it registers services and tells listeners. */
    private void start(Claimed claimed, ConnbackOptions options) {
        if (claimed.refusal() != null) {
            LOG.log(Level.ERROR, claimed.refusal());
            return;
        }
        ManagedLink link = claimed.link();
        if (link == null) {
            return;
        }
        link.run(options);
        if (claimed.created()) {
            link.registered(context.registerService(ManagedConnection.class, link, link.serviceProperties()));
            if (link.isRetired()) {
                unregister(link); // retired by another thread meanwhile, before it saw the registration
            }
        } else {
            link.retryNow();
        }
        showProblems(link.name());
    }

    /** Whether a connector service belongs to another configuration than the link's. */
    private static boolean isOther(ManagedLink link, String owner, String type) {
        return !link.type().equals(type) || link.owner() != null && owner != null && !link.owner().equals(owner);
    }

    private ConnbackOptions withBudget(Map<String, Object> properties) {
        return ConnbackOptions.fromMap(properties).toBuilder().reconnectBudget(budget).build();
    }

    private static boolean isRequired(Map<String, ?> properties) {
        try {
            return ConnbackProperties.isRequired(properties);
        } catch (IllegalArgumentException checkedByTheConnectorService) {
            return false;
        }
    }

    private static String ownerOf(Map<String, ?> properties) {
        Object pid = properties.get(Constants.SERVICE_PID);
        return pid == null ? null : pid.toString();
    }

    private static String sourceOf(Map<String, ?> properties) {
        Object source = properties.get(ConnbackProperties.SOURCE);
        return source != null ? source.toString() : Objects.toString(ownerOf(properties), "link "
                + properties.get(ConnbackProperties.NAME));
    }

    /**
     * A connector service's properties changed, so did its configuration: the link runs with the new Connback
     * options, or reconnects with the new connector settings; or, if its name changed, the link of the old name ends
     * and one of the new name starts.
     *
     * @param connector the connector service
     * @param properties its new service properties
     */
    void updatedConnector(Connector<?> connector, Map<String, Object> properties) {
        String name = String.valueOf(properties.get(ConnbackProperties.NAME));
        ManagedLink link;
        ManagedLink renamed = null;
        boolean wasRefused;
        synchronized (this) {
            wasRefused = refusedNames.remove(connector) != null;
            link = links.get(name);
            if (!wasRefused && (link == null || !link.connector().isAttached(connector))) {
                for (ManagedLink other : links.values()) {
                    if (other.connector().isAttached(connector)) {
                        renamed = other;
                    }
                }
                if (renamed != null) {
                    links.remove(renamed.name());
                }
            }
        }
        if (renamed != null) {
            LOG.log(Level.INFO, "link " + renamed.name() + " is renamed " + name + ": " + renamed.name()
                    + " ends, " + name + " starts");
            retire(renamed, "configuration renamed");
            startWaiting(renamed.name());
        }
        if (wasRefused || link == null || renamed != null) {
            // a refused configuration again, a new name, or a name taken by another link: as a new connector
            addConnector(connector, properties);
            return;
        }
        link.ownedBy(ownerOf(properties), sourceOf(properties), isRequired(properties));
        try {
            if (!link.run(withBudget(properties))) {
                link.reconfigured();
            }
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, sourceOf(properties) + ": link " + link.name() + " keeps its Connback options: "
                    + e.getMessage());
        }
    }

    /**
     * A connector service is going away: its link is closed through it. If the connector's bundle is stopping, the
     * link waits for the next connector of that name; otherwise its configuration is gone and the link ends, and a
     * configuration that was refused for the name applies.
     *
     * @param connector the connector service
     * @param properties its service properties
     * @param reference its reference, still valid while it unregisters
     */
    void removeConnector(Connector<?> connector, Map<String, Object> properties, ServiceReference<?> reference) {
        String name = String.valueOf(properties.get(ConnbackProperties.NAME));
        Bundle provider = reference.getBundle();
        boolean configurationGone = provider != null && provider.getState() == Bundle.ACTIVE;
        ManagedLink link;
        synchronized (this) {
            if (refusedNames.remove(connector) != null) {
                return; // a refused configuration went away: the link of its name is not its own
            }
            link = links.get(name);
            if (link == null || !link.connector().isAttached(connector)) {
                return;
            }
            if (configurationGone) {
                links.remove(name);
            }
        }
        link.lost(link.connector().detach(connector));
        if (configurationGone) {
            retire(link, "configuration deleted");
            startWaiting(name);
        }
    }

    /** Starts the configuration that waited longest for a name that is now free. */
    private void startWaiting(String name) {
        Waiting waiting;
        Claimed claimed;
        synchronized (this) {
            Map.Entry<Connector<?>, Waiting> first = refusedNames.entrySet().stream()
                    .filter(entry -> entry.getValue().claim().name().equals(name)).findFirst().orElse(null);
            if (first == null || links.containsKey(name)) {
                return;
            }
            refusedNames.remove(first.getKey());
            waiting = first.getValue();
            claimed = claim(first.getKey(), waiting.properties(), waiting.options());
        }
        LOG.log(Level.INFO, waiting.claim().source() + ": the name " + name + " is free: this file applies");
        start(claimed, waiting.options());
    }

    /**
     * A configuration was refused by its connector: its status shows why, and the link of its name, if it runs from
     * that configuration, shows the problems of the change it did not take.
     *
     * @param refusal the refusal
     * @param properties its service properties: {@code connback.name} and {@code connback.type}
     */
    @Reference(service = ConfigurationRefusal.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeRefusal")
    void addRefusal(ConfigurationRefusal refusal, Map<String, Object> properties) {
        String name = String.valueOf(properties.get(ConnbackProperties.NAME));
        synchronized (this) {
            refusals.put(refusal, new Claim(name, String.valueOf(properties.get(ConnbackProperties.TYPE)),
                    refusal.source(), Instant.now(), refusal.problems()));
        }
        showProblems(name);
    }

    /**
     * A refusal went away: the configuration was taken, or deleted.
     *
     * @param refusal the refusal
     */
    void removeRefusal(ConfigurationRefusal refusal) {
        Claim removed;
        synchronized (this) {
            removed = refusals.remove(refusal);
        }
        if (removed != null) {
            showProblems(removed.name());
        }
    }

    /** Gives the link of a name the problems of its own configuration's refused change, if any. */
    private void showProblems(String name) {
        ManagedLink link;
        List<String> problems;
        synchronized (this) {
            link = links.get(name);
            if (link == null) {
                return;
            }
            problems = refusals.values().stream().filter(claim -> claim.source().equals(link.source()))
                    .findFirst().map(Claim::problems).orElse(List.of());
        }
        link.problems(problems);
    }

    @Override
    public List<LinkStatus> all() {
        List<ManagedLink> running;
        List<Claim> claims = new ArrayList<>();
        synchronized (this) {
            running = new ArrayList<>(links.values());
            refusedNames.values().forEach(waiting -> claims.add(waiting.claim()));
            refusals.values().stream().filter(claim -> !runsFrom(claim)).forEach(claims::add);
        }
        List<LinkStatus> statuses = new ArrayList<>();
        running.forEach(link -> statuses.add(link.status()));
        claims.forEach(claim -> statuses.add(claim.status()));
        statuses.sort(Comparator.comparing(LinkStatus::name).thenComparing(status -> status.state().isEmpty())
                .thenComparing(LinkStatus::source));
        return List.copyOf(statuses);
    }

    /** Whether a refused configuration's link runs (on its previous configuration). Called with the monitor held. */
    private boolean runsFrom(Claim claim) {
        ManagedLink link = links.get(claim.name());
        return link != null && claim.source().equals(link.source());
    }

    @Override
    public Optional<LinkStatus> status(String name) {
        return all().stream().filter(status -> status.name().equals(name)).findFirst();
    }

    /**
     * A whiteboard listener registered: it receives the events of the links it watches from now on, after a replay of
     * their current state (see {@link ConnectionListener}).
     *
     * @param listener the listener
     * @param properties its service properties: {@code connback.name} or {@code connback.filter} select the links
     */
    @Reference(service = ConnectionListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeListener")
    void addListener(ConnectionListener listener, Map<String, Object> properties) {
        Watcher watcher;
        try {
            watcher = Watcher.of(listener, properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "connection listener " + listener + " ignored: " + e.getMessage());
            return;
        }
        List<ManagedLink> running;
        synchronized (this) {
            // the running links skip the watcher until its replay; the links made from now on tell it everything
            running = new ArrayList<>(links.values());
            running.forEach(link -> link.join(watcher));
            watchers.add(watcher);
        }
        running.forEach(link -> link.replayTo(watcher));
    }

    /**
     * A whiteboard listener went away.
     *
     * @param listener the listener
     */
    void removeListener(ConnectionListener listener) {
        watchers.removeIf(watcher -> watcher.listener() == listener);
    }

    /** Ends the remaining links, telling their listeners, and unregisters their ManagedConnection services. */
    @Deactivate
    void deactivate() {
        context.removeBundleListener(frameworkStop);
        endAll("connection manager stopping");
    }

    /**
     * Ends every link, waits (boundedly) until their listeners were told, and unregisters their services; from
     * then on, connector services are ignored.
     */
    private void endAll(String why) {
        List<ManagedLink> ending;
        synchronized (this) {
            active = false;
            ending = new ArrayList<>(links.values());
            links.clear();
        }
        CompletableFuture<?>[] ended = ending.stream().map(link -> link.shutdown(why).toCompletableFuture())
                .toArray(CompletableFuture<?>[]::new);
        try {
            CompletableFuture.allOf(ended).get(END_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.log(Level.WARNING, why + ": not every link ended within " + END_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ending.forEach(ConnectionManager::unregister);
    }

    private static void retire(ManagedLink link, String why) {
        link.shutdown(why);
        unregister(link);
    }

    private static void unregister(ManagedLink link) {
        ServiceRegistration<ManagedConnection> registration = link.registration();
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyUnregistered) {
                // the framework unregisters the services of a stopping bundle itself
            }
        }
    }
}
