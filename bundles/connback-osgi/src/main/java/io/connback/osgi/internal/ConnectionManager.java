package io.connback.osgi.internal;

import io.connback.ConnbackOptions;
import io.connback.Connector;
import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.ManagedConnection;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Runs a Connback for every connector service (one per configured link) and registers a {@link ManagedConnection}
 * for each link name. The ManagedConnection of a name outlives its connector service while the connector's bundle
 * is stopping (updated, restarted, uninstalled): its link closes, and reconnects through the connector that registers
 * under the same name. A connector service that leaves while its bundle stays active means that the link's
 * configuration is gone: its ManagedConnection ends and is unregistered.
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
@Component(service = {}, immediate = true)
public final class ConnectionManager {

    private static final Logger LOG = System.getLogger(ConnectionManager.class.getName());
    /** How long stopping waits for the links to end and their listeners to be told. */
    private static final Duration END_TIMEOUT = Duration.ofSeconds(5);

    private final BundleContext context;
    private final Map<String, ManagedLink> links = new HashMap<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private boolean active = true;
    /**
     * Ends the links when the framework starts to stop: the connector bundles, installed after this one, stop
     * before it, and a link that loses its connector while its bundle stops only waits for the next one.
     */
    private final SynchronousBundleListener frameworkStop = event -> {
        if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == Constants.SYSTEM_BUNDLE_ID) {
            endAll("the framework stops");
        }
    };

    /**
     * Starts the manager; the connector services are bound after this.
     *
     * @param context the context that registers the ManagedConnection services
     */
    @Activate
    public ConnectionManager(BundleContext context) {
        this.context = context;
        context.addBundleListener(frameworkStop);
    }

    /**
     * A connector service registered: runs its link, or lets the link of the same name reconnect through it.
     *
     * @param connector the connector service
     * @param properties its service properties
     */
    @Reference(service = Connector.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(&(" + ConnbackProperties.NAME + "=*)(" + ConnbackProperties.TYPE + "=*))",
            unbind = "removeConnector", updated = "updatedConnector")
    void addConnector(Connector<?> connector, Map<String, Object> properties) {
        String name = String.valueOf(properties.get(ConnbackProperties.NAME));
        ConnbackOptions options;
        try {
            options = ConnbackOptions.fromMap(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "link " + name + " not started: " + e.getMessage());
            return;
        }
        String type = String.valueOf(properties.get(ConnbackProperties.TYPE));
        ManagedLink link;
        boolean created = false;
        synchronized (this) {
            if (!active) {
                return;
            }
            link = links.get(name);
            if (link == null || !link.type().equals(type)) {
                if (link != null) {
                    LOG.log(Level.WARNING, "link " + name + " changes type from " + link.type() + " to "
                            + type);
                    retire(link);
                }
                link = new ManagedLink(name, type, watchers);
                links.put(name, link);
                created = true;
            } else if (link.connector().isAttached()) {
                LOG.log(Level.WARNING, "two connector services for link " + name + ": the newer one is used");
            }
        }
        link.connector().attach(connector);
        link.run(options);
        if (created) {
            link.registered(context.registerService(ManagedConnection.class, link, link.serviceProperties()));
        } else {
            link.retryNow();
        }
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
        synchronized (this) {
            link = links.get(name);
            if (link == null || !link.connector().isAttached(connector)) {
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
            retire(renamed);
        }
        if (link == null || renamed != null) {
            // a new name; or the name of another link, which then uses this newer connector
            addConnector(connector, properties);
            return;
        }
        try {
            if (!link.run(ConnbackOptions.fromMap(properties))) {
                link.reconnect();
            }
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "link " + link.name() + " keeps its Connback options: " + e.getMessage());
        }
    }

    /**
     * A connector service is going away: its link is closed through it. If the connector's bundle is stopping, the
     * link waits for the next connector of that name; otherwise its configuration is gone and the link ends.
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
            link = configurationGone ? links.remove(name) : links.get(name);
        }
        if (link == null) {
            return;
        }
        link.lost(link.connector().detach(connector));
        if (configurationGone) {
            retire(link);
        }
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
        endAll("the connection manager stops");
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
        CompletableFuture<?>[] ended = ending.stream().map(link -> link.shutdown().toCompletableFuture())
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

    private static void retire(ManagedLink link) {
        link.shutdown();
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
