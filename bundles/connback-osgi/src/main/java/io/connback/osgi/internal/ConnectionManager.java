package io.connback.osgi.internal;

import io.connback.ConnbackOptions;
import io.connback.Connector;
import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.ManagedConnection;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
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
 * <p>A connector service carries the properties {@code connback.name} and {@code connback.type} and the Connback
 * options of its link ({@link ConnbackOptions#fromMap(Map)}); see {@link ConnbackProperties#ofConnector}.
 */
@Component(service = {}, immediate = true)
public final class ConnectionManager {

    private static final Logger LOG = System.getLogger(ConnectionManager.class.getName());

    private final BundleContext context;
    private final Map<String, ManagedLink> links = new HashMap<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private boolean active = true;

    /**
     * Starts the manager; the connector services are bound after this.
     *
     * @param context the context that registers the ManagedConnection services
     */
    @Activate
    public ConnectionManager(BundleContext context) {
        this.context = context;
    }

    /**
     * A connector service registered: runs its link, or lets the link of the same name reconnect through it.
     *
     * @param connector the connector service
     * @param properties its service properties
     */
    @Reference(service = Connector.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(&(" + ConnbackProperties.NAME + "=*)(" + ConnbackProperties.TYPE + "=*))", unbind = "removeConnector",
            updated = "updatedConnector")
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
                    retire(link, true);
                }
                link = new ManagedLink(name, type, this::listenersOf);
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
     * options, or reconnects with the new connector settings.
     *
     * @param connector the connector service
     * @param properties its new service properties
     */
    void updatedConnector(Connector<?> connector, Map<String, Object> properties) {
        ManagedLink link;
        synchronized (this) {
            link = links.get(String.valueOf(properties.get(ConnbackProperties.NAME)));
        }
        if (link == null) {
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
            retire(link, true);
        }
    }

    /**
     * A whiteboard listener registered.
     *
     * @param listener the listener
     * @param properties its service properties: {@code connback.name} or {@code connback.filter} select the links
     */
    @Reference(service = ConnectionListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeListener")
    void addListener(ConnectionListener listener, Map<String, Object> properties) {
        try {
            watchers.add(Watcher.of(listener, properties));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "connection listener " + listener + " ignored: " + e.getMessage());
        }
    }

    /**
     * A whiteboard listener went away.
     *
     * @param listener the listener
     */
    void removeListener(ConnectionListener listener) {
        watchers.removeIf(watcher -> watcher.listener() == listener);
    }

    /** Ends every link and unregisters the ManagedConnection services. */
    @Deactivate
    void deactivate() {
        List<ManagedLink> ending;
        synchronized (this) {
            active = false;
            ending = new ArrayList<>(links.values());
            links.clear();
        }
        ending.forEach(link -> retire(link, false));
    }

    private void retire(ManagedLink link, boolean tellListeners) {
        link.shutdown(tellListeners);
        ServiceRegistration<ManagedConnection> registration = link.registration();
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyUnregistered) {
                // the framework unregisters the services of a stopping bundle itself
            }
        }
    }

    private Iterable<ConnectionListener> listenersOf(ManagedLink link) {
        List<ConnectionListener> matching = new ArrayList<>();
        for (Watcher watcher : watchers) {
            if (watcher.watches(link.serviceProperties())) {
                matching.add(watcher.listener());
            }
        }
        return matching;
    }
}
