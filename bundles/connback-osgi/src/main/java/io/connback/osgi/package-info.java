/**
 * The gateway's connections as OSGi services. For every {@link io.connback.Connector} service registered by a
 * connector bundle (one per configured link), the connection manager runs a {@link io.connback.Connback} and
 * registers a {@link io.connback.osgi.ManagedConnection} service with the properties of
 * {@link io.connback.osgi.ConnbackProperties}. Applications watch connections by registering
 * {@link io.connback.osgi.ConnectionListener} services (the whiteboard pattern) and never import a connector bundle,
 * so that connector bundles can be updated while the application runs.
 */
@Export
@Version("0.2.0")
package io.connback.osgi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
