/**
 * Backoff strategies (exponential, fibonacci, decorrelated) and jitters (none, full, equal) that space reconnection
 * attempts; custom strategies and jitters plug in through {@link io.connback.backoff.BackoffStrategy} and
 * {@link io.connback.backoff.Jitter}.
 */
@Export
@Version("0.1.0")
package io.connback.backoff;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
