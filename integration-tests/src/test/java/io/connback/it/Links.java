package io.connback.it;

import io.connback.ConnectionState;
import io.connback.osgi.ConnbackProperties;
import io.connback.osgi.ConnectionListener;
import io.connback.osgi.ManagedConnection;
import io.connback.testing.Await;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A test's links in the framework: makes their factory configurations and whiteboard listeners, finds their
 * {@link ManagedConnection} services, and removes what it made in {@link #cleanUp()}.
 */
final class Links {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final BundleContext context;
    private final ConfigurationAdmin configurationAdmin;
    private final List<Configuration> configurations = new ArrayList<>();
    private final List<ServiceRegistration<?>> listeners = new ArrayList<>();

    Links(BundleContext context, ConfigurationAdmin configurationAdmin) {
        this.context = context;
        this.configurationAdmin = configurationAdmin;
    }

    /** Registers a listener of the link of that name. */
    RecordingListener listen(String name) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ConnbackProperties.NAME, name);
        return listen(properties);
    }

    /** Registers a listener with these service properties. */
    RecordingListener listen(Dictionary<String, Object> properties) {
        RecordingListener listener = new RecordingListener();
        listeners.add(context.registerService(ConnectionListener.class, listener, properties));
        return listener;
    }

    /** Makes the factory configuration of a link, deleted by {@link #cleanUp()} unless {@link #delete deleted}. */
    Configuration configure(String factoryPid, String name, Dictionary<String, Object> properties)
            throws IOException {
        Configuration configuration = configurationAdmin.getFactoryConfiguration(factoryPid, name, "?");
        configurations.add(configuration);
        configuration.update(properties);
        return configuration;
    }

    /** Deletes a configuration made by {@link #configure}. */
    void delete(Configuration configuration) throws IOException {
        configurations.remove(configuration);
        configuration.delete();
    }

    /** Waits for the ManagedConnection of that name to be CONNECTED. */
    ManagedConnection awaitConnected(String name) throws InterruptedException {
        Await.until(name + " to be CONNECTED", TIMEOUT, () -> managedConnection(name)
                .filter(connection -> connection.state() == ConnectionState.CONNECTED).isPresent());
        return managedConnection(name).orElseThrow();
    }

    Optional<ManagedConnection> managedConnection(String name) {
        return reference(name).map(context::getService);
    }

    /** The service id of the ManagedConnection of that name. */
    long serviceId(String name) {
        return (Long) reference(name).orElseThrow().getProperty("service.id");
    }

    private Optional<ServiceReference<ManagedConnection>> reference(String name) {
        try {
            Collection<ServiceReference<ManagedConnection>> found = context.getServiceReferences(
                    ManagedConnection.class, "(" + ConnbackProperties.NAME + "=" + name + ")");
            return found.stream().findFirst();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The installed bundle of that symbolic name. */
    Bundle bundle(String symbolicName) {
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    /** Unregisters the listeners and deletes the configurations. */
    void cleanUp() throws IOException {
        for (ServiceRegistration<?> listener : listeners) {
            listener.unregister();
        }
        listeners.clear();
        for (Configuration configuration : configurations) {
            configuration.delete();
        }
        configurations.clear();
    }
}
