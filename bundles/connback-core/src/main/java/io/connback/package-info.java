/**
 * Connback: keeps one logical connection alive through a pluggable {@link io.connback.Connector}: it connects,
 * detects dead links with keepalive heartbeats, reconnects with backoff and jitter, and reports what happens through
 * events.
 */
@Export
@Version("0.2.0")
package io.connback;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
